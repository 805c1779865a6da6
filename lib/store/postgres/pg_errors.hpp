// PostgreSQL failures as perdure errors: which database, what was being done, and what to do.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

#include <string>

namespace perdure::detail {

/// Throws the perdure::error for `f`: storage_error naming `name` (the redacted URI), what
/// failed and the remedy, in the words of whoever opened it (`opened_as`: an engine's
/// engine_options::database, or the CLI's --db).
[[noreturn]] void throw_pg(const pg::failure& f, const std::string& name, const char* doing, open_mode opened_as);

/// The message throw_pg would throw, for reports that are not exceptions (a failed batch).
std::string pg_message(const pg::failure& f, const std::string& name, const char* doing, open_mode opened_as);

/// The setting that names the database, as whoever opened it wrote it.
const char* database_setting(open_mode opened_as) noexcept;

}   // namespace perdure::detail
