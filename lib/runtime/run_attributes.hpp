// A run's search attributes and memo as its starter and its workflow code give them: values
// checked and typed against the namespace's registered attributes, an upsert and a memo change
// checked before their command is recorded, and merged into the run once it is. Pure: no I/O,
// no clock; the engine commits the ops these return.
#pragma once

#include "history/run_identity.hpp"
#include "history/typed_attributes.hpp"
#include "machines/command.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/namespace_table.hpp"
#include "store/rows.hpp"

#include <perdure/search_attributes.hpp>

#include <cstddef>
#include <optional>
#include <vector>

namespace perdure::detail {

// Each takes the run's namespace, null when it no longer exists (a value then fails as not_found).

/// `given` checked against the namespace's registered attributes and typed (an integer given to
/// a Double becomes a double). Throws invalid_argument naming the attribute, with the closest
/// registered name for an unknown one.
typed_attributes type_search_attributes(const namespace_row* ns, const search_attributes& given);

/// Types an upsert's values into its UpsertWorkflowSearchAttributes attributes (an empty keyword
/// list becomes a null value: the name is removed); BAD_SEARCH_ATTRIBUTES otherwise.
std::optional<task_failure> prepare_upsert(const namespace_row* ns, command& c);
/// Types a child's search attributes (in its parent's namespace) into its
/// StartChildWorkflowExecutionInitiated attributes; BAD_START_CHILD_EXECUTION_ATTRIBUTES
/// naming the attribute otherwise.
std::optional<task_failure> prepare_child_start(const namespace_row* ns, command& c);
/// Merges a recorded UpsertWorkflowSearchAttributes into the run; the write that stores them,
/// nullopt when the event carries none.
std::optional<set_search_attributes> apply_search_attributes(run_identity& r, const event& upserted);

/// Checks the memo each ModifyWorkflowProperties of an activation leaves the run with, in order,
/// against `limit`; BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES for the first that is too large.
std::optional<task_failure> check_memo_upserts(const run_identity& r, const std::vector<command>& commands,
                                               std::size_t limit);
/// Merges a recorded WorkflowPropertiesModified into the run's memo; the write that stores the
/// memo, nullopt when the event changes none.
std::optional<set_memo> apply_memo(run_identity& r, const event& modified);

}   // namespace perdure::detail
