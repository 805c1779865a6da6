// A running workflow's pending work as `workflow describe` prints it: what its committed
// history says is open (activities, children, Nexus operations), the completions it owes Nexus
// callers, and its workflow task while that keeps failing. Field names follow Temporal's
// DescribeWorkflowExecution, in snake_case as the rest of perdure's JSON.
#pragma once

#include "output.hpp"
#include "reading.hpp"

#include <boost/json/object.hpp>

namespace perdure::cli {

/// The pending work of `row` (empty lists for a closed run), read from `db`'s snapshot.
struct pending_view {
    boost::json::object json;   ///< pending_activities, pending_children, pending_nexus_operations,
                                ///< callbacks, pending_workflow_task (null when none)
    card lines;                 ///< one "PendingActivity" ... line per item, for the table form
};

pending_view pending_of(reading& db, const detail::execution_row& row);

}   // namespace perdure::cli
