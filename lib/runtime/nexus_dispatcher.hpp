// The engine's Nexus operations, both sides: on the caller's, each scheduled operation until its
// outcome reaches the caller (routing by endpoint, attempts with backoff, the circuit breakers
// and rate limiters, the three timeouts, cancellation and recovery); on the handler's, handler
// code on the handler pool and the handler workflows it starts, whose close completes their
// callers. Strand only, except the handler pool's threads.
#pragma once

#include "history/typed_attributes.hpp"
#include "machines/command.hpp"
#include "nexus/caller_guards.hpp"
#include "nexus/endpoint_table.hpp"
#include "runtime/activity_dispatcher.hpp"
#include "runtime/deadline_wheel.hpp"
#include "runtime/nexus_op.hpp"
#include "runtime/run_state.hpp"
#include "runtime/work_tracker.hpp"
#include "runtime/worker_registry.hpp"
#include "store/inbox_command.hpp"

#include <perdure/pending_work.hpp>
#include <perdure/search_attributes.hpp>

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace perdure::detail {

/// What the Nexus dispatcher needs of the engine around it, and nothing more: what activities
/// need (the clock, deadlines, commits, a run, delivery, namespace names, a strand handoff for
/// the pool's threads), and the rest below.
class nexus_host : public activity_host {
public:
    /// Whether the deadline is armed.
    virtual bool armed(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const = 0;

    // runs
    virtual run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) = 0;
    /// The status of the latest run of a workflow id, read from the store.
    virtual std::optional<run_status> latest_run_status(std::int64_t ns_id, std::string_view workflow_id) = 0;
    /// A run's committed events from `first_event_id` on.
    virtual std::vector<event> history_from(std::int64_t run_key, std::int64_t first_event_id) = 0;
    virtual std::int64_t append_event(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) = 0;

    // handler workflows
    /// A new run with its WorkflowExecutionStarted pending (its rows go into `unit`).
    virtual run_state& create_run(run_spec spec, write_unit& unit) = 0;
    /// Records a new run's start in `unit`, with its first activation when a worker can run it.
    virtual void begin_run(run_state& r, write_unit& unit) = 0;
    virtual void terminate_run(run_state& r, const std::string& reason, write_unit& unit) = 0;
    /// Throws invalid_argument naming an attribute the namespace does not accept.
    virtual typed_attributes typed_search_attributes(std::int64_t ns_id, const search_attributes& given) const = 0;
    /// Lets handler code reach the engine through its context (a client of it, say).
    virtual void attach_engine(nexus::operation_context& ctx) = 0;
    virtual std::optional<std::int64_t> find_namespace(std::string_view name) const = 0;

protected:
    ~nexus_host() = default;
};

class nexus_dispatcher {
public:
    struct settings {
        std::size_t handler_threads = 1;     ///< the handler pool
        std::size_t max_payload_bytes = 0;   ///< engine_limits::max_payload_bytes
        /// Attempts whose handler no worker here serves are offered to the engines sharing the
        /// store (store::shares_tasks).
        bool offer_unserved = false;
    };
    /// `outbox` carries the operations' messages to runs (outcomes, Started) and cancel requests.
    nexus_dispatcher(nexus_host& host, outbox_rows& outbox, const endpoint_table& endpoints, worker_registry& workers,
                     work_tracker& work, settings s);

    // ---- the caller's side (nexus_caller.cpp, nexus_dispatcher.cpp, nexus_progress.cpp) ----
    /// Completes a ScheduleNexusOperation command before it is recorded: the endpoint's id and
    /// a request id every attempt carries. A failure fails the workflow task.
    std::optional<task_failure> prepare_schedule(command& c) const;
    /// NexusOperationScheduled is being recorded in `unit`: the operation's rows go with it and
    /// its first attempt is dispatched once it commits.
    void schedule(run_state& r, const event& scheduled, write_unit& unit) {
        track(r, scheduled, 1, scheduled.time_us, &unit);
    }
    /// A worker registration changed: operations waiting for a handler try again.
    void dispatch_waiting();
    /// One of the Nexus deadlines (a retry, a request timeout, the three timeouts, an
    /// override's deferred completion) is due.
    void on_deadline(const task_key& key, wheel_kind kind);
    /// Bookkeeping when a Nexus event reaches its caller; false to drop one that comes too late
    /// (a second Started, anything after the outcome).
    bool on_delivered(run_state& r, inbound& in);
    /// Adds what only memory knows (attempt, state, the last attempt's failure, why it waits) to
    /// the open operations the history lists for a run.
    void describe(std::int64_t run_key, std::vector<pending_nexus_operation_info>& pending) const;
    /// A caller that closes abandons its operations: no further attempts, no cancel sent.
    void drop_run(std::int64_t run_key);
    /// Another engine owns the callers now: every operation forgotten (a handler that returns
    /// later is stale, as its generation says).
    void forget_all() {
        ops_.clear();
        ending_.clear();
    }

    /// After a restart: the operation as its task row left it; attempts are retried at once.
    void recover(run_state& caller, const event& scheduled, const task_row& row,
                 std::int64_t cancel_requested_event_id);

    // ---- cancellation (nexus_cancel.cpp) ----
    /// NexusOperationCancelRequested is being recorded in `unit`: its outbox row, then the cancel.
    void request_cancel(run_state& r, const event& requested, write_unit& unit);
    /// At recovery, a cancel request for an operation whose start already happened.
    void resume_cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id);

    // ---- the handler's side (nexus_handler.cpp) ----
    /// A handler workflow closed: each caller it owes hears the outcome (nothing when it
    /// continues as new: the callbacks go to the next run).
    void notify_callers(run_state& r, const event& close, write_unit& unit);

    // ---- handlers run by other engines sharing the store (nexus_offers.cpp) ----
    /// What the engine that claimed an offered attempt reports its handler answered.
    void remote_handled(nexus_report_command& report);

    /// Per endpoint and caller namespace: the breakers and the rate limiters.
    const caller_guards& guards() const noexcept { return guards_; }
    /// Waits for the handler code still running; none may start afterwards.
    void join_handlers() { pool_->join(); }

private:
    // nexus_caller.cpp
    void track(run_state& r, const event& scheduled, int attempt, std::int64_t due_us, write_unit* unit);
    void dispatch(const task_key& key);
    void attempt_failed(nexus_op& op, failure f);
    /// What the handler of an attempt is told: the operation, its request id and header, and a
    /// link to the caller's NexusOperationScheduled.
    nexus::operation_context attempt_context(const nexus_op& op, const std::string& handler_ns);
    /// The operation's outcome event, for its caller to record (the operation is then retired).
    /// `result_json`, when given, is the "result" member already serialized for its size check.
    void deliver_outcome(nexus_op& op, event_type type, boost::json::object attrs, std::string result_json = {});
    nexus::operation_context handler_context(const nexus_op& op, std::string ns);

    // nexus_sync.cpp
    /// An attempt of handler code on the pool begins; returns its generation.
    std::uint64_t begin_handler_attempt(nexus_op& op, std::int64_t timeout_us);
    /// The operation a handler attempt answers for, or null when the answer is stale.
    nexus_op* handler_returned(const task_key& key, std::uint64_t generation);
    /// A handler's failure: retried (and counted by the breaker) when retryable, else the outcome.
    void handler_failed(nexus_op& op, failure f);
    void run_sync_handler(nexus_op& op, const nexus::detail::operation_definition& def, nexus::operation_context ctx,
                          std::int64_t timeout_us);
    void on_sync_result(task_key key, std::uint64_t generation, boost::json::value result, std::optional<failure> f,
                        std::vector<nexus::link> links);
    /// A sync handler's answer, checked and delivered to the caller.
    void complete_sync(nexus_op& op, boost::json::value result, const std::vector<nexus::link>& links);

    // nexus_handler.cpp
    /// Runs a workflow-run operation's options callback on the handler pool.
    void run_start_handler(nexus_op& op, const nexus::detail::operation_definition& def, nexus::operation_context ctx,
                           std::int64_t handler_ns_id, const std::string& task_queue, std::int64_t timeout_us);
    void on_start_options(task_key key, std::uint64_t generation, handler_start start);
    /// What an options callback returned, for the operation waiting for it.
    void continue_start(nexus_op& op, handler_start start);
    void start_handler_workflow(nexus_op& op, handler_start& start);
    /// NexusOperationStarted to the caller, an outbox row in `unit`; nothing is left to start.
    void send_started(nexus_op& op, const std::string& token, boost::json::array links, write_unit& unit);

    // nexus_offers.cpp
    /// Offers the attempt to the engines sharing the store, bounded by its request timeout.
    void offer(nexus_op& op, std::int64_t handler_ns_id, const std::string& task_queue, std::int64_t timeout_us);
    /// The attempt's offer is over (answered, timed out, or the operation ended): in `unit`.
    void withdraw_offer(nexus_op& op, write_unit& unit);
    /// The same in a unit of its own, when the attempt was offered.
    void withdraw_offer(nexus_op& op);
    /// A worker here serves the queue the last attempt was offered on now: the attempt (or the
    /// next, when that one went unanswered) is attempted here at once; a claimer's late answer
    /// is dropped.
    void take_back_offer(nexus_op& op);

    // nexus_cancel.cpp
    void cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id);

    // nexus_progress.cpp
    /// What the caller's committed history holds of an operation no longer tracked in memory.
    nexus_progress recorded_progress(const task_key& key);

    nexus_host& host_;
    outbox_rows& outbox_;
    const endpoint_table& endpoints_;
    worker_registry& workers_;
    work_tracker& work_;
    settings settings_;
    caller_guards guards_;                                 // before the operations: their attempt passes point into it
    std::map<task_key, nexus_op> ops_;                     // scheduled, not yet ended; a run's are one range
    std::unordered_set<task_key, task_key_hash> ending_;   // outcome delivered, not yet committed
    std::uint64_t next_generation_ = 1;
    std::unique_ptr<boost::asio::thread_pool> pool_;   // last: its destructor joins the handlers still running
};

}   // namespace perdure::detail
