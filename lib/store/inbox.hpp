// The other side of the inbox: a process beside a running engine (the perdure CLI) leaves a
// command there, waits for the engine's answer, and withdraws the command if nobody took it.
#pragma once

#include "store/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

/// One row of the inbox. `state` is "pending", "running", "done", "failed" or "withdrawn".
struct inbox_row {
    std::int64_t id = 0;
    std::int64_t created_us = 0, expires_us = 0;
    std::string command, state, result;
};

/// Leaves a pending command (JSON) that expires at `expires_us`; returns its id.
std::int64_t insert_command(sql::connection&, std::int64_t created_us, std::int64_t expires_us,
                            std::string_view command);
/// The command's row, or nullopt once it was purged.
std::optional<inbox_row> read_command(sql::connection&, std::int64_t id);
/// Withdraws a command nobody claimed. True when it was still pending: it will never run.
/// False when the engine already claimed it (or answered): it runs, or ran.
bool withdraw_command(sql::connection&, std::int64_t id);

}  // namespace perdure::detail
