// The engine core: all engine state, on one strand. Client calls, activity results and timer
// firings become inbound events; activations turn them into commands and events; write units
// go to the writer; effects (running activity code, answering clients) wait for their commit.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/activity_dispatcher.hpp"
#include "runtime/task_claimers.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/deadline_timer.hpp"
#include "runtime/family.hpp"
#include "runtime/inbox_poller.hpp"
#include "runtime/job_gate.hpp"
#include "runtime/owner_link.hpp"
#include "runtime/nexus_dispatcher.hpp"
#include "nexus/endpoint_table.hpp"
#include "runtime/namespace_table.hpp"
#include "runtime/outbox.hpp"
#include "runtime/queries_and_updates.hpp"
#include "runtime/recovery.hpp"
#include "runtime/retention_sweeper.hpp"
#include "runtime/run_attributes.hpp"
#include "runtime/run_lifecycle.hpp"
#include "runtime/run_state.hpp"
#include "runtime/uuid.hpp"
#include "runtime/work_tracker.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"
#include "support/unique_function.hpp"

#include <perdure/client.hpp>
#include <perdure/engine_options.hpp>
#include <perdure/namespaces.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <limits>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace perdure::detail {

template <class T>
using callback = unique_function<void(std::exception_ptr, T)>;

class engine_core final : public std::enable_shared_from_this<engine_core>,
                          private nexus_host,
                          private outbox_host,
                          private family_host,
                          private deadline_timer_host,
                          private recovery_host,
                          private inbox_host,
                          private queries_and_updates_host,
                          private run_lifecycle_host,
                          private claimer_host {
public:
    engine_core(engine_options options, boost::asio::io_context* external_io);
    ~engine_core();
    engine_core(const engine_core&) = delete;

    void start();
    /// The test environment's rule: the first client call starts the engine (without waiting for
    /// the strand, so an async call made on the strand cannot deadlock).
    void start_on_first_client_call() noexcept { start_on_client_call_ = true; }
    /// Every client entry point calls this before it posts its work.
    void on_client_call();
    /// True while this engine stands by beside the live owner of a shared database: its clients'
    /// calls go to the owner, and once started it takes over when the owner is gone (standby.cpp).
    /// A call's job that finds it standing by on the strand (it stepped back after the call was
    /// posted) makes the call again, which then goes to the owner.
    bool standing_by() const noexcept { return standing_by_.load(); }
    void shutdown();
    boost::asio::any_io_executor executor() const { return strand_; }
    bool on_strand() const noexcept { return strand_.running_in_this_thread(); }
    /// Throws failed_precondition when a blocking call is made on the strand.
    void check_blocking_allowed(const char* call) const;
    clock& time() const noexcept { return *clock_; }
    std::int64_t now_us() const override;
    const engine_options& options() const noexcept { return options_; }
    /// The store, for reads on its reader thread (client reads).
    store& storage() noexcept { return *store_; }

    // ---- posting work onto the strand (handlers are noexcept: a bug fails the engine) ----
    /// The error every call gets once the engine failed or stopped; null while it runs.
    std::exception_ptr unavailable() const;
    template <class F>
    void post(F&& f);

    // ---- namespaces ----
    void create_namespace(std::string name, std::string description, bool ensure, callback<namespace_info> cb);
    void set_namespace_retention(std::string name, std::chrono::milliseconds retention, callback<namespace_info> cb);
    void remove_namespace(std::string name, callback<bool> cb);
    void list_namespaces(callback<std::vector<namespace_info>> cb);
    void describe_namespace(std::string name, callback<namespace_info> cb);
    // ---- search attributes (search_attributes.cpp) ----
    void add_search_attribute(std::string ns, std::string name, search_attribute_type type, callback<bool> cb);
    void remove_search_attribute(std::string ns, std::string name, callback<bool> cb);
    void list_search_attributes(std::string ns, callback<std::map<std::string, search_attribute_type>> cb);
    /// `given` checked and typed against the namespace's registered attributes (run_attributes);
    /// strand only.
    typed_attributes typed_search_attributes(std::int64_t ns_id, const search_attributes& given) const override {
        return given.empty() ? typed_attributes{} : type_search_attributes(namespaces_.find_id(ns_id), given);
    }
    /// The custom search attributes of a namespace, for readers off the strand.
    std::map<std::string, search_attribute_type, std::less<>> search_attribute_types_snapshot(
        std::int64_t ns_id) const {
        return namespaces_.attributes_snapshot(ns_id);
    }
    /// The id of a namespace; strand only. Throws not_found naming the known ones.
    std::int64_t namespace_id(std::string_view name) const override { return namespaces_.id_of(name); }
    std::optional<std::int64_t> find_namespace(std::string_view name) const override {
        if (const auto* row = namespaces_.find(name)) return row->ns_id;
        return std::nullopt;
    }
    /// Thread-safe snapshot lookup for callers off the strand.
    std::optional<std::int64_t> namespace_id_snapshot(std::string_view name) const {
        return namespaces_.id_snapshot(name);
    }
    std::string namespace_name(std::int64_t id) const override { return namespaces_.name_snapshot(id); }

    // ---- Nexus endpoints ----
    void create_endpoint(nexus::endpoint_spec spec, bool ensure, callback<nexus::endpoint> cb);
    void update_endpoint(std::string name, nexus::endpoint_update change, callback<nexus::endpoint> cb);
    void remove_endpoint(std::string name, callback<bool> cb);
    void list_endpoints(callback<std::vector<nexus::endpoint>> cb);
    void describe_endpoint(std::string name, callback<nexus::endpoint> cb);
    void endpoint_health(std::string name, std::string caller_ns, callback<nexus::endpoint_health> cb);

    // ---- workers ----
    worker_registry& workers() noexcept { return workers_; }
    /// A worker registration changed: dispatch what waited for it (a standby claims what is offered).
    void on_workers_changed();
    /// An engine that claimed an offered activity attempt reports on it (the inbox's
    /// activity_report_command); strand only. inbox_commands.cpp.
    void report_activity(activity_report_command& c, answer_sender answer);
    void report_nexus(nexus_report_command& c) { nexus_.remote_handled(c); }
    /// A standby whose workers run workflows asks for the data: an owner that runs none answers
    /// yes and hands it over (hand_over.cpp); one that runs them answers no.
    void answer_handover(const answer_sender& answer);
    /// An engine that claimed a run's offered workflow task reports what its worker did; answered
    /// {"applied": bool} (remote_workflow_tasks.cpp).
    void complete_workflow_task(workflow_task_command& c, const answer_sender& answer);
    /// An engine answered a query offered to it; answered {"answered": bool} (remote_messages.cpp).
    void answer_remote_query(const workflow_query_answer_command& c, const answer_sender& answer);

    // ---- client operations ----
    void start_workflow(std::string ns, std::string type, boost::json::value input, start_workflow_options options,
                        callback<started_run> cb);
    void get_result(std::string ns, std::string workflow_id, std::string run_id, callback<boost::json::value> cb);
    /// `first_run_id`, when set, refuses a latest run that belongs to another chain.
    void cancel_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string first_run_id,
                         callback<bool> cb);
    void signal_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string name,
                         boost::json::value arg, callback<bool> cb);
    void signal_with_start(std::string ns, std::string type, boost::json::value input, start_workflow_options options,
                           std::string signal, boost::json::value arg, callback<started_run> cb);
    void query_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string name,
                        boost::json::value arg, callback<boost::json::value> cb);
    void update_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string name,
                         boost::json::value arg, std::string update_id, callback<boost::json::value> cb);
    void terminate_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string first_run_id,
                            std::string reason, callback<bool> cb);
    /// Deletes a run and all stored for it (the id's latest run when `run_id` is empty), as
    /// retention does; a running run is terminated first. Answers once committed. delete_workflow.cpp.
    void delete_workflow(std::string ns, std::string workflow_id, std::string run_id, callback<bool> cb);
    /// describe() of a running run: adds what only memory knows to `info`, whose pending lists
    /// come from the committed history; answered once everything it reports is committed.
    void describe_live(std::int64_t run_key, workflow_execution_info info, callback<workflow_execution_info> cb);

    // ---- outstanding work (tests and the test environment) ----
    work_tracker& work() noexcept { return work_; }
    /// The earliest armed deadline (INT64_MAX when none); read off the strand.
    std::int64_t next_deadline_us() const noexcept { return timer_.next_due_snapshot(); }
    /// Who waits for workflow progress: the test environment lets time pass only then.
    time_gate& waiting() noexcept { return waiting_; }
    /// In the test environment, blocking calls give up after this long (0: never), naming
    /// what holds the clock.
    void set_blocking_timeout(std::chrono::milliseconds t, std::function<std::string()> reason);
    std::chrono::milliseconds blocking_timeout() const noexcept { return blocking_timeout_; }
    bool closed() const noexcept { return closed_.load(); }   ///< shutdown done: no answer comes any more
    std::string hold_reason() const { return hold_reason_ ? hold_reason_() : work_.holders(); }
    bool started() const noexcept override { return started_.load(); }
    /// Each running workflow whose task keeps failing, as "workflow ID: failure"; asked of the
    /// strand, so empty if it does not answer within `patience` (it may be what is stuck).
    std::vector<std::string> failing_tasks(std::chrono::milliseconds patience);

    // ---- statistics for tests and benchmarks ----
    std::size_t live_instances() const noexcept;   ///< the run table's and those kept of tasks run beside
    std::uint64_t replays() const noexcept { return lifecycle_.replays(); }
    std::uint64_t batches() const { return store_->batches(); }
    std::chrono::microseconds committing_time() const { return store_->committing_time(); }

private:
    friend struct core_access;

    // core.cpp
    /// Recovery and work begin, once; strand only.
    void begin_work();
    void fail_engine(std::exception_ptr) noexcept;
    /// Runs a strand job; what it throws fails the engine (after the gate closed: job_gate.hpp).
    void run_job(void (*call)(void*), void* job) noexcept;
    template <class F>
    void run_job(F& f) noexcept {
        run_job([](void* p) { (*static_cast<F*>(p))(); }, &f);
    }
    void answer_waiting(std::exception_ptr why);   ///< all that waits hears `why`: failed or stopped
    std::uint64_t commit(write_unit&& unit) override;
    /// Runs a queued unit's hand-offs to other runs; `held` keeps the writer from starting a
    /// batch until they queued theirs.
    void hand_off(std::vector<unique_function<void()>> hand_offs, std::shared_ptr<void> held);
    void on_committed(std::uint64_t last_unit);
    commit_callbacks commit_reports();
    void on_commit_failed(std::uint64_t first_unit, const commit_failure& failure);

    // run_lifecycle_host (the rest of it is above and below)
    std::uint64_t committed_unit() const override { return pipeline_.committed_unit(); }
    void read_history(std::int64_t run_key, history_reader then) override;
    /// Done with a history read by read_history (on the strand).
    void spend(std::vector<event> history);
    // run_commands.cpp
    bool admits(run_state& r, inbound& in) override;
    std::optional<task_failure> prepare_commands(run_state& r, std::vector<command>& commands) override;
    void react_to_command(run_state& r, const event& e, write_unit& unit) override;
    void run_closing(run_state& r, const event& close_event, write_unit& unit) override;
    void continue_run(run_state& r, const event& close_event, unread_signals unread, write_unit& unit) override {
        family_.continue_run(r, close_event, std::move(unread), unit);
    }
    bool shares_tasks() const override { return store_->shares_tasks(); }

    // the run lifecycle, for the other parts' hosts
    run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) override {
        return lifecycle_.runs().find_open(ns_id, workflow_id);
    }
    run_state* find_run(std::int64_t run_key) override { return lifecycle_.runs().find(run_key); }
    void deliver(run_state& r, inbound in) override { lifecycle_.deliver(r, std::move(in)); }
    void request_activation(run_state& r) override { lifecycle_.request_activation(r); }
    std::int64_t append_event(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) override {
        return lifecycle_.append_event(r, type, std::move(attrs), unit);
    }
    /// Records a new run's start in `unit`, with its first activation when a worker can run it.
    void begin_run(run_state& r, write_unit& unit) override { lifecycle_.begin(r, unit); }
    void terminate_run(run_state& r, const std::string& reason, write_unit& unit) override;
    /// Records a cancel request in a running run, unless one is there already.
    void request_cancel(run_state& r, callback<bool> cb);
    /// A cancel of a run not running here: success when it has closed, not_found when it never ran.
    void cancel_closed_run(const std::string& ns, std::int64_t ns_id, std::string workflow_id, std::string run_id,
                           callback<bool> cb);
    /// The running run a cancel or terminate addresses; not_found when there is none.
    run_state& running_target(const std::string& ns, const std::string& wid, const std::string& rid,
                              const std::string& first_run_id);

    // activity_host (the rest of it is above and below)
    bool accepting_work() const override { return started_ && !stopping_.load() && !failed_.load(); }
    bool engine_failed() const override { return failed_.load(); }
    strand_handoff handoff() override;

    // claimer_host (the rest of it is above and below)
    bool claims_tasks() const override { return standing_by_ && start_requested_ && !stopping_.load(); }
    void report(inbox_command report, owner_link::answered then) override {
        via_owner(std::move(report), std::move(then));
    }
    void count_replay() override { lifecycle_.count_replay(); }

    // nexus_host (the rest of it is above and below)
    bool armed(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const override {
        return timer_.armed(kind, run_key, seq);
    }
    std::optional<run_status> latest_run_status(std::int64_t ns_id, std::string_view workflow_id) override;
    std::vector<event> history_from(std::int64_t run_key, std::int64_t first_event_id) override;
    void attach_engine(nexus::operation_context& ctx) override;

    // family_host (the rest of it is above and below)
    boost::json::object started_attributes(const run_state& r) override;

    // deadlines.cpp (deadline_timer_host; now_us() is above)
    void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) override {
        timer_.arm(kind, run_key, seq, due_us);
    }
    void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) override { timer_.disarm(kind, run_key, seq); }
    bool running() const override { return !stopping_.load() && !failed_.load(); }
    void fire(const wheel_entry& e) override;
    void after_wake() override { maybe_sweep_retention(); }
    void post_job(unique_function<void()> job) override { post(std::move(job)); }
    void fail(std::exception_ptr e) noexcept override { fail_engine(std::move(e)); }

    // start.cpp
    void start_on_strand(std::string ns, std::string type, boost::json::value input, start_workflow_options options,
                         callback<started_run> cb, std::optional<inbound> first_signal = std::nullopt);
    /// A new run with its WorkflowExecutionStarted pending (its rows go into `unit`).
    run_state& create_run(run_spec spec, write_unit& unit) override;

    // delete_workflow.cpp
    /// Terminates a running run, then deletes it once the close is committed.
    void terminate_and_delete(run_state& r, callback<bool> cb);

    // messages.cpp (and queries_and_updates_host; the rest of it is above)
    inbound signal_event(std::string name, boost::json::value arg, std::string arg_json,
                         unique_function<void(std::exception_ptr)> on_recorded) override;
    void read_stored_run(std::int64_t ns_id, std::string workflow_id, std::string run_id,
                         stored_run_reader then) override;
    std::unique_ptr<workflow_instance> replay_instance(const execution_row& row) override;
    bool served_elsewhere(std::int64_t ns_id, const std::string& task_queue) const override;   // remote_messages.cpp

    // cancel_requests.cpp
    /// ActivityTaskCancelRequested is being recorded in `unit`: its outbox row, then the cancel.
    void request_activity_cancel(run_state& r, const event& requested, write_unit& unit);
    // recovery_host (the rest of it is above)
    std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) override;
    std::map<task_key, cancel_request> cancel_requests_among(const std::vector<task_row>& tasks) override;
    void redeliver(const task_row& row) override;
    void resume_activity(run_state& r, const event& scheduled, const task_row& row,
                         std::int64_t cancel_requested_event_id) override;
    void resume_operation(run_state& r, const event& scheduled, const task_row& row,
                          std::int64_t cancel_requested_event_id) override;
    void resume_operation_cancel(run_state& r, std::int64_t scheduled_event_id,
                                 std::int64_t requested_event_id) override;

    // retention.cpp
    void maybe_sweep_retention();
    /// Commits the deletion of a closed run (retention's delete_run) and answers once committed.
    void delete_closed_run(std::int64_t run_key, callback<bool> cb);
    retention_sweeper::moment retention_moment() const;

    // inbox_commands.cpp
public:
    /// Starts polling the inbox for commands from other processes (the CLI), once the commands
    /// a previous owner claimed and never answered are answered.
    void start_inbox();

private:
    void answer_abandoned_commands();
    // inbox_host (commit is above)
    std::vector<pending_command> pending_commands(std::int64_t now_wall_us, std::size_t limit) override;
    bool takes_commands() const override { return running() && !standing_by_; }
    /// What waits for time without a commit to wake it: retention's deletions, queries offered elsewhere.
    void after_poll() override;
    /// Applies a claimed command through the same entry points as the API.
    void apply(inbox_command& command, answer_sender answer) override;

    // standby.cpp
    /// Asks the store to tell of what other engines do through it (a shared store only): the
    /// owner then polls the inbox as soon as a command arrives, a standby looks at an answer, a
    /// closed run or a registry change as soon as it commits, and both poll far less.
    void listen_for_notices();
    void heard(store_notice n);
    /// While standing by: once started, tries to take over; reloads namespaces and endpoints and
    /// reads awaited results again (each tick without notices, every few seconds with them).
    void start_standby_tick();
    void reload_registries();
    /// Started, with workers that register a workflow type. A standby that does takes the data
    /// over as soon as the owner is gone and asks an owner that does not for it; one that does
    /// not takes the data only when nobody else did for a while (it keeps its clients' calls
    /// answered), and hands it to the first that does. Never with engine_options::stand_by.
    bool runs_workflows() const;
    int ticks_without_workflows_ = 0;   // strand
    /// The owner is gone and this store took the data: the index, the inbox, then (once started)
    /// the work.
    void take_over();
    /// Sends a command to the owner; `then` hears its answer on the strand, registries reloaded.
    void via_owner(inbox_command command, unique_function<void(std::exception_ptr, inbox_answer)> then);
    void start_via_owner(std::string ns, std::string type, boost::json::value input, start_workflow_options o,
                         std::string signal, boost::json::value arg, callback<started_run> cb);
    void message_via_owner(inbox_command c, callback<bool> cb);
    void ask_owner(inbox_command c, callback<boost::json::value> cb);
    /// A namespace or endpoint command; answered with the namespace or endpoint as reloaded.
    void namespace_via_owner(inbox_command c, std::string name, callback<namespace_info> cb);
    void endpoint_via_owner(inbox_command c, std::string name, callback<nexus::endpoint> cb);

    // hand_over.cpp
    /// Another engine took this one's data over (a batch was fenced): everything in memory is
    /// forgotten, what waited for a commit hears `why`, a caller of a result waits on through
    /// the new owner, and the engine stands by, to take the data back if that owner goes.
    void step_back(const std::string& why);
    /// Gives the data up to a standby that asked for it: what is queued commits first, then the
    /// engine stands by as after step_back.
    void hand_over();
    void finish_hand_over(const std::string& why, std::chrono::steady_clock::time_point give_up_at);
    /// While standing by, once per owner that holds the data: asks it to hand the data over.
    void ask_for_the_data();
    /// The leases given up (the store stands by); false when the engine failed instead.
    bool give_up_ownership(const std::string& why);
    /// What an owner holds in memory, forgotten: what waited for a commit hears `moved`; the
    /// callers of results are returned, to wait on through the new owner.
    std::vector<result_waiter> forget_owned_state(std::exception_ptr moved);
    void fail_inputs_and_messages(std::exception_ptr why);   ///< inputs, queries, updates waiting on runs
    /// Standing by from here: registries reloaded, `results` waited for through the owner.
    void stand_by_beside_owner(std::vector<result_waiter> results);
    std::string asked_holder_;   ///< the owner ask_for_the_data() last asked (strand)

    // results.cpp
    void resolve_result(std::int64_t ns_id, std::string workflow_id, std::string run_id,
                        callback<boost::json::value> cb, int hops);

    engine_options options_;
    std::shared_ptr<clock> clock_;

    std::unique_ptr<boost::asio::io_context> own_io_;
    boost::asio::io_context* io_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> io_guard_;
    std::thread loop_thread_;
    std::unique_ptr<store> store_;   // its reads() are the strand's alone
    commit_pipeline pipeline_;       // the write side of store_
    owner_link link_;                // to the owner, while standing by
    std::atomic<bool> standing_by_{false};
    bool start_requested_ = false;   // strand: start() was called (a standby begins work on taking over)
    boost::asio::steady_timer standby_timer_;
    /// Results waited for on a standby, by the key of the run the owner has not closed yet:
    /// looked at again when it closes, on taking over, at shutdown (which fails them), and on
    /// the standby's ticks (each tick without notices, every few seconds with them).
    std::unordered_multimap<std::int64_t, unique_function<void()>> rechecks_;
    void run_rechecks();
    void run_rechecks(std::int64_t run_key);
    /// Strand: the store tells of what other engines do (store::listen).
    bool notices_ = false;
    /// Strand: when the standby last reloaded everything and read every awaited result.
    std::chrono::steady_clock::time_point safety_net_at_{};
    /// Runs heard closed in this tick and the one before: a result whose read began before
    /// its run's close was heard, and saw it open, is looked at again at once.
    std::unordered_set<std::int64_t> closed_now_, closed_before_;
    /// Strand: whether the store hears closes (store::hear_closes), on while results are awaited
    /// and until none was for a safety net's time, and when one last was.
    bool hearing_closes_ = false;
    std::chrono::steady_clock::time_point awaited_at_{};
    void await_close(std::int64_t run_key, unique_function<void()> recheck);
    /// A standby's caller of get(): reads of the result that fail with storage_error (the server
    /// restarting) keep it waiting, read again with every awaited result, for 30 s from the
    /// first failure, as an owner's callers wait through a restart.
    using steady_time = std::chrono::steady_clock::time_point;
    callback<boost::json::value> patient_result(std::int64_t ns_id, std::string wid, std::string rid,
                                                callback<boost::json::value> cb, steady_time failing_since = {});
    retention_sweeper retention_;
    inbox_poller inbox_;

    // state
    std::atomic<bool> started_{false};
    std::atomic<bool> start_on_client_call_{false};
    std::atomic<bool> failed_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> closed_{false};   // shutdown finished: nothing will answer a call any more
    job_gate gate_;                     // closed in the strand's last job
    std::exception_ptr failure_{};

    namespace_table namespaces_;

    worker_registry workers_;

    run_lifecycle lifecycle_;   // the runs in memory

    endpoint_table endpoints_;
    outbox outbox_;   // before the parts that add its rows
    run_family family_;
    queries_and_updates queries_updates_;

    // Histories done with, freed by the next read on the reader thread (strand only).
    std::vector<std::vector<event>> spent_histories_;
    std::size_t history_reads_ = 0;   // on their way

    work_tracker work_;
    time_gate waiting_;
    std::chrono::milliseconds blocking_timeout_{0};
    std::function<std::string()> hold_reason_;
    deadline_timer timer_;
    activity_dispatcher activities_;   // after what it uses; destroyed first, joining its threads
    task_claimers claimed_;            // likewise
    nexus_dispatcher nexus_;           // likewise, joining its handler pool
};

template <class F>
void engine_core::post(F&& f) {
    const bool queued = gate_.queue_if_open([&] {
        work_.add(work_tracker::strand);
        boost::asio::post(strand_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable noexcept {
            self->run_job(f);
            self->work_.done(work_tracker::strand);
        });
    });
    if (!queued) run_job(f);
}

}   // namespace perdure::detail
