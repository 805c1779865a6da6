// The rows the engine writes and reads: plain data, so nothing above store/ sees SQL.
#pragma once

#include "history/event.hpp"
#include "history/run_identity.hpp"
#include "store/inbox_command.hpp"
#include "support/boxed.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace perdure::detail {

/// What a run's status column holds (the order of perdure::workflow_status).
enum class run_status : int { running = 0, completed, failed, canceled, terminated, continued_as_new, timed_out };

/// Kinds of rows in the deadlines table.
enum class deadline_kind : int {
    timer = 1,                        ///< seq: the TimerStarted event id
    run_timeout = 2,                  ///< seq: 0
    execution_timeout = 3,            ///< seq: 0
    activity_schedule_to_close = 4,   ///< seq: the ActivityTaskScheduled event id
    workflow_backoff = 5,             ///< seq: 0; a retry run's first activation waits until then
    nexus_schedule_to_close = 6,      ///< seq: the NexusOperationScheduled event id
    nexus_schedule_to_start = 7,
    nexus_start_to_close = 8,
};

/// Kinds of rows in the tasks table (the outbox of work to dispatch).
enum class task_kind : int {
    activity = 1,   ///< seq: the ActivityTaskScheduled event id
    delivery = 2,   ///< seq: negative, unique; details: the event to record in run_key
    nexus = 3,      ///< seq: the NexusOperationScheduled event id (an operation to start)
    cancel = 4,     ///< seq: negative, unique; details: the cancel request of an activity or operation
    /// Only offered (queue_tasks), never a tasks row: a run's workflow task for an engine whose
    /// worker registers its type; seq 0 (one offer a run, made again when its history grows).
    workflow = 5,
    /// Only offered, never a tasks row: a query of a run whose workflow runs in another engine
    /// (its worker registers the type); seq: negative, unique; details: {query_id, name, arg}.
    /// Claiming one takes it away: the answer comes back as an inbox command.
    query = 6,
};

/// Bits of an activity row's flags. An attempt the retry policy would not repeat (the last of
/// maximum_attempts) is marked before its code runs, so recovery can tell an attempt that was
/// only queued from one that may have run; other attempts are counted as run after a crash.
namespace task_flags {
inline constexpr int final_attempt = 1;
inline constexpr int handed_to_thread = 2;
}   // namespace task_flags

/// A run as the executions table holds it: its identity and where its life stands.
struct execution_row : run_identity {
    run_status status = run_status::running;
    std::int64_t close_time_us = 0;
    std::string task_failure;   ///< the failure of its workflow task while that task keeps failing
};

struct namespace_row {
    std::int64_t ns_id = 0;
    std::string name, description;
    std::int64_t created_us = 0, retention_ms = 0;
    /// Its custom search attributes' types, by name (filled by reads; upsert_namespace ignores it).
    std::map<std::string, search_attribute_type, std::less<>> search_attributes{};
};

struct endpoint_row {
    std::string id, name;
    std::int64_t version = 1;
    std::string target_namespace, target_task_queue, description;
    std::int64_t created_us = 0, last_modified_us = 0;
    double max_operations_per_second = 0;
};

struct task_row {
    std::int64_t run_key = 0, seq = 0;
    task_kind kind = task_kind::activity;
    int attempt = 1;
    std::int64_t due_us = 0;
    std::string details;   ///< kind-specific JSON (heartbeat details for activities)
    int flags = 0;         ///< task_flags, for activities
};

/// Keys for new runs: [first, end).
struct key_block {
    std::int64_t first = 0, end = 0;
};

struct deadline_row {
    std::int64_t run_key = 0;
    deadline_kind kind = deadline_kind::timer;
    std::int64_t seq = 0, due_us = 0;
};

/// An offered attempt an engine claimed (store::claim_tasks): the attempt, its schedule event's
/// attributes as stored (ActivityTaskScheduled, NexusOperationScheduled), and the run it belongs to.
struct claimed_task {
    std::int64_t run_key = 0, seq = 0, ns_id = 0;   ///< ns_id: the offer's (an operation's handler namespace)
    int attempt = 1;
    std::string scheduled_attrs;   ///< the schedule event's stored attributes (JSON)
    std::string workflow_id, run_id;
    std::string details;          ///< heartbeat details the attempt starts with (JSON; empty: none)
    std::string task_queue;       ///< the queue it was claimed on
    std::int64_t run_ns_id = 0;   ///< the run's namespace (an operation's caller)
};

/// A page sort key's value, as a page token carries it: NULL, an integer, a double or a string.
using sort_value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// A page of runs matching a visibility query, and the sort keys of its last run (empty when
/// the page is empty), from which the next page starts.
struct run_page {
    std::vector<execution_row> runs;
    std::vector<sort_value> last_keys;
};

/// An open run with its last event (to see whether it awaits an activation).
struct open_run_row {
    execution_row exec;
    std::int64_t last_event_id = 0;
    int last_event_type = 0;
};

// ---- write operations, applied in order inside one transaction ----

/// Appends one event to a run's history. The store makes the attributes' stored form (JSON)
/// here, once, when the op is made: the engine checks payload limits on `attrs.size()`, the
/// very text the writer stores, and never serializes an event itself.
struct insert_event {
    insert_event(std::int64_t run_key, const event& e);
    /// An event one member of which (a workflow's input, an activity's result, a signal's
    /// argument) was already serialized to check its size: that text goes into the stored
    /// attributes as it is, instead of being made again.
    insert_event(std::int64_t run_key, const event& e, std::string_view member, std::string_view member_json);

    std::int64_t run_key = 0, event_id = 0;
    event_type type{};
    std::int64_t time_us = 0;
    std::string attrs;   ///< the stored form
};
/// A new run: the store writes its identity and gives it back typed (store_reads).
struct insert_execution {
    heap_value<run_identity> run;
};
/// Closes a run; the store records its history's length and size in bytes as they are once the
/// events before this op are written (open runs' are read from the history when queried, so the
/// step path never rewrites the executions row for them).
struct close_execution {
    std::int64_t run_key;
    run_status status;
    std::int64_t close_time_us;
};
struct set_task_failure {
    std::int64_t run_key;
    std::string message;
};
struct upsert_task {
    task_row row;
};
struct delete_task {
    std::int64_t run_key, seq;
};
struct insert_deadline {
    deadline_row row;
};
struct delete_deadline {
    std::int64_t run_key;
    deadline_kind kind;
    std::int64_t seq;
};
/// Deletes the deadlines and tasks of a closed run.
struct clear_run_work {
    std::int64_t run_key;
};
struct upsert_namespace {
    heap_value<namespace_row> row;
};
/// Marks a namespace deleted: its name is free again, its id is never reused, and its runs are
/// deleted in the background.
struct delete_namespace {
    std::int64_t ns_id;
};
struct upsert_endpoint {
    heap_value<endpoint_row> row;
};
struct delete_endpoint {
    std::string id;
};
struct set_callbacks {
    std::int64_t run_key;
    std::vector<nexus_callback> callbacks;
};
/// Takes a pending inbox command ('pending' -> 'running'); `claimed` says whether it was still pending.
struct claim_inbox {
    std::int64_t id;
    std::shared_ptr<std::atomic<bool>> claimed;
};
/// Puts a command claimed but never applied back ('running' -> 'pending'), for the next owner to
/// claim: an owner handing its data over releases what it will not apply.
struct release_inbox {
    std::int64_t id;
};
/// Records the owner's answer to a claimed command, for its sender to read.
struct finish_inbox {
    std::int64_t id;
    heap_value<inbox_answer> answer;
};
/// Deletes a closed run past its namespace's retention: history, execution, leftovers.
struct delete_run {
    std::int64_t run_key;
};
/// Registers a custom search attribute in a namespace (or changes nothing when it exists).
struct add_search_attribute {
    std::int64_t ns_id;
    std::string name;
    search_attribute_type type;
};
/// Unregisters a custom search attribute and deletes every run's values of it.
struct remove_search_attribute {
    std::int64_t ns_id;
    std::string name;
};
/// A run's search attributes now: `all` replaces what its executions row shows, and the
/// indexed values of the names in `changed` are replaced by those in `all` (a name missing
/// from `all` loses its values).
struct set_search_attributes {
    std::int64_t run_key, ns_id;
    typed_attributes all;
    std::vector<std::string> changed;
};
/// A run's memo now, whole (workflow code merged an upsert into it).
struct set_memo {
    std::int64_t run_key;
    boost::json::object memo;
};
/// Offers an attempt the owner has no worker for to the engines sharing the store (PostgreSQL's
/// shared task table), replacing an earlier attempt's offer: any engine serving its task queue
/// may claim it. An activity attempt (`type`: its activity type; `details`: the heartbeat details
/// it starts with, JSON) or a Nexus operation's (`ns_id` and `task_queue`: its endpoint's target;
/// `type`: its service).
struct task_offer {
    std::int64_t run_key = 0, seq = 0, ns_id = 0;
    std::string task_queue, type;
    int attempt = 1;
    std::string details;
    task_kind kind = task_kind::activity;
    /// How long an activity's claim holds before the owner must have recorded its start: what
    /// Temporal gives a worker that polled the task and died (the heartbeat timeout, else the
    /// start-to-close). 0: as long as the claimer asks.
    std::int64_t claim_ms = 0;
};
struct offer_task {
    heap_value<task_offer> offer;
};
/// The offer is over: the attempt started (here or on a claimer), or the activity closed.
struct withdraw_task {
    std::int64_t run_key, seq;
};
/// Returns free pages to the file system (the file is created with auto_vacuum=INCREMENTAL).
struct incremental_vacuum {
    int pages;
};

using write_op = std::variant<insert_event, insert_execution, close_execution, set_task_failure, upsert_task,
                              delete_task, insert_deadline, delete_deadline, clear_run_work, upsert_namespace,
                              delete_namespace, upsert_endpoint, delete_endpoint, set_callbacks, claim_inbox,
                              release_inbox, finish_inbox, delete_run, incremental_vacuum, add_search_attribute,
                              remove_search_attribute, set_search_attributes, set_memo, offer_task, withdraw_task>;
// Every op of a unit takes the room of the largest kind, and a step writes a dozen: a large member
// goes into a heap_value.
static_assert(sizeof(write_op) <= 96, "keep each write_op small: put a large member in a heap_value");

}   // namespace perdure::detail
