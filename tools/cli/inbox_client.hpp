// Sending a command to the engine that owns the database, through the store's inbox, and
// knowing for sure whether it ran.
#pragma once

#include "store/rows.hpp"

#include <string>

namespace perdure::cli {

/// Leaves `command` in the inbox of the engine that owns `db` and returns the engine's answer.
/// Waits up to 5 s for the engine to take it, then withdraws it (a cli_error, exit code 3,
/// saying nothing changed); once taken, waits up to 30 s more. A failure the engine reports
/// is thrown as the matching perdure::error.
detail::inbox_answer send_to_engine(const std::string& db, const detail::inbox_command& command);

}   // namespace perdure::cli
