// Recovery: what an engine rebuilds from its store. At open, the index of what exists (the
// open runs, nothing replayed: a run is rebuilt when an event reaches it); at start(), the work
// that was in flight: deadlines armed again, tasks and deliveries resumed, activations owed.
#pragma once

#include "history/event.hpp"
#include "nexus/endpoint_table.hpp"
#include "runtime/activity_task.hpp"
#include "runtime/deadline_wheel.hpp"
#include "runtime/family.hpp"
#include "runtime/namespace_table.hpp"
#include "runtime/outbox.hpp"
#include "runtime/run_table.hpp"
#include "store/rows.hpp"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace perdure::detail {

class store_reads;

/// The parts the index fills at open.
struct index_parts {
    namespace_table& namespaces;
    endpoint_table& endpoints;
    run_table& runs;
    outbox& messages;
    run_family& family;
};

/// Loads the index of what exists: namespaces, endpoints, where new outbox seqs continue, open
/// runs. (Keys for new runs come from the store, block by block: run_table::take_keys_from.)
void load_index(store_reads& reads, index_parts parts);

/// The tracked state of an open run as the store lists it; it owes an activation when its
/// history ends with an event the workflow has not yet seen.
std::unique_ptr<run_state> recovered_run(open_run_row row);

/// What resuming work needs of the engine.
class recovery_host {
public:
    virtual run_state* find_run(std::int64_t run_key) = 0;
    virtual void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) = 0;
    /// A committed event (a task's scheduling event), if the run still has it.
    virtual std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) = 0;
    /// The cancel requests among the stored tasks, by the task they address.
    virtual std::map<task_key, cancel_request> cancel_requests_among(const std::vector<task_row>& tasks) = 0;
    /// A message of the outbox is delivered again.
    virtual void redeliver(const task_row& row) = 0;
    /// `cancel_requested_event_id`: 0 unless a cancel of the activity was recorded.
    virtual void resume_activity(run_state& r, const event& scheduled, const task_row& row,
                                 std::int64_t cancel_requested_event_id) = 0;
    /// `cancel_requested_event_id`: 0 unless a cancel of the not yet started operation was recorded.
    virtual void resume_operation(run_state& r, const event& scheduled, const task_row& row,
                                  std::int64_t cancel_requested_event_id) = 0;
    /// A started operation whose cancel was recorded hears it (again).
    virtual void resume_operation_cancel(run_state& r, std::int64_t scheduled_event_id,
                                         std::int64_t requested_event_id) = 0;
    virtual void request_activation(run_state& r) = 0;

protected:
    ~recovery_host() = default;
};

/// Resumes what was in flight: the stored deadlines of tracked runs, the stored tasks (cancel
/// requests first, so the task they address knows of them), then each activation owed.
void resume_work(recovery_host& host, const std::vector<deadline_row>& deadlines, const std::vector<task_row>& tasks,
                 const run_table& runs);

}   // namespace perdure::detail
