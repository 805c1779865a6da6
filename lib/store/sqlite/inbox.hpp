// The other side of the SQLite store's inbox: a process beside a running engine (the perdure
// CLI) leaves a command there, reads where it stands, and withdraws it if nobody took it.
#pragma once

#include "store/inbox_command.hpp"
#include "store/sqlite/sqlite.hpp"

#include <cstdint>
#include <optional>

namespace perdure::detail {

/// Leaves a pending command that expires at `expires_us`; returns its id.
std::int64_t insert_command(sql::connection&, std::int64_t created_us, std::int64_t expires_us, const inbox_command&);
/// Where the command stands, or nullopt once its row is gone.
std::optional<inbox_status> read_command(sql::connection&, std::int64_t id);
/// Withdraws a command nobody claimed. True when it was still pending: it will never run.
/// False when the engine already claimed it (or answered): it runs, or ran.
bool withdraw_command(sql::connection&, std::int64_t id);

}   // namespace perdure::detail
