// The rows the engine writes for workflows of the throughput shape (one start, then sequential
// activities), rebuilt without an engine: the writer-mix ceiling applies exactly these.
#pragma once

#include "store/rows.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace perdure::bench {

/// History rows per workflow: Started, WorkflowTaskCompleted, the first Scheduled, then per
/// activity ActivityTaskStarted, its close, WorkflowTaskCompleted, and the next Scheduled (or
/// WorkflowExecutionCompleted after the last).
constexpr int history_rows_per_workflow(int activities) { return 3 + 4 * activities; }
/// Other writes per workflow: the execution's insert, close and clear_run_work, and per
/// activity its task row's upsert and delete (its schedule-to-close timeout is unset, so it has
/// no deadline row to write or delete).
constexpr int other_writes_per_workflow(int activities) { return 3 + 2 * activities; }
constexpr int writes_per_workflow(int activities) {
    return history_rows_per_workflow(activities) + other_writes_per_workflow(activities);
}

/// Appends a run's start: WorkflowExecutionStarted, the execution row, the first activation
/// (WorkflowTaskCompleted, ActivityTaskScheduled) and the first activity's task row.
void start_writes(std::vector<detail::write_op>& ops, std::int64_t run_key, std::int64_t now_us);
/// Appends one step, as the engine commits it: activity `activity` (1, 2, ...) closing with its
/// ActivityTaskStarted, and the next activation's command (the next activity, or the close).
void step_writes(std::vector<detail::write_op>& ops, std::int64_t run_key, int activity, bool last,
                 std::int64_t now_us);

/// The write operations of `workflows` runs (run keys from `first_run_key`), in the order the
/// engine's batches hold them when many workflows move in step: every run's start, then every
/// run's first activity close with its next command, and so on.
std::vector<detail::write_op> throughput_writes(std::int64_t first_run_key, std::size_t workflows, int activities,
                                                std::int64_t now_us);

}   // namespace perdure::bench
