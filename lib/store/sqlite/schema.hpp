// The SQLite schema: tables, indexes and the migrations between versions. doc/storage.md
// explains it.
#pragma once

#include "store/sqlite/sqlite.hpp"

namespace perdure::detail {

/// Creates the current schema in an empty database (inside the caller's transaction).
void create_schema(sql::connection&);
/// Brings a database from `from_version` to the current schema (inside a transaction).
void migrate_schema(sql::connection&, int from_version);

}   // namespace perdure::detail
