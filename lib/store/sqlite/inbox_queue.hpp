// The engine's view of the SQLite store's inbox: commands other processes (the CLI) left for it.
#pragma once

#include "store/inbox_command.hpp"
#include "store/sqlite/sqlite.hpp"

#include <cstdint>
#include <vector>

namespace perdure::detail {

/// Pending commands that have not expired, oldest first; one that cannot be read says why.
std::vector<pending_command> pending_commands(sql::connection&, std::int64_t now_us, std::size_t limit);
/// Ids of commands claimed and never answered (state 'running').
std::vector<std::int64_t> abandoned_commands(sql::connection&);

}   // namespace perdure::detail
