// The inbox's stored form: each command and each answer as the JSON object the inbox table
// holds. The format is the one the CLI wrote before commands were typed, so rows written by
// an older or newer sender or engine read the same.
#pragma once

#include "store/inbox_command.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace perdure::detail {

/// The stored text of a command: {"op": "namespace.create", "namespace": ..., ...}.
std::string stored_command(const inbox_command&);
/// Reads a stored command. Throws invalid_argument saying what is wrong: "malformed inbox
/// command: ..." for text that is not a command object or a field of the wrong type, "unknown
/// inbox command 'x'" for a kind this build does not know.
inbox_command parse_stored_command(std::string_view);

/// The row state an answer is stored with: "failed" for a failure, "done" otherwise.
const char* stored_state(const inbox_answer&);
/// The stored text of an answer: the namespace or endpoint, {} for none, {"error", "code"} for a failure.
std::string stored_answer(const inbox_answer&);
/// Reads the answer to `asked` (nullptr when the command itself could not be read) from a row
/// that is "done" or, when `failed`, "failed". Never throws: a failure that cannot be read is
/// still a failure ("the engine failed the command"), and a result that does not fit the command
/// becomes a storage_error failure saying that the command was applied.
inbox_answer parse_stored_answer(const inbox_command* asked, bool failed, std::string_view result);

/// Where a stored command stands, from its row's command, state and result columns.
inbox_status stored_status(std::string_view command, std::string_view state, std::string_view result);
/// A pending row for the owner: its command, or the reason the stored text cannot be read.
pending_command stored_pending(std::int64_t id, std::string_view command);

}   // namespace perdure::detail
