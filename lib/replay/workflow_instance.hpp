// One workflow run in memory: its coroutines, its machines and its ready queue. An activation
// applies inbound events, resumes coroutines until every one is blocked, and yields commands.
// Pure: no I/O, no clock; the same code runs live and on replay.
#pragma once

#include "machines/machine.hpp"
#include "machines/command.hpp"
#include "history/event.hpp"
#include "support/boxed.hpp"

#include <perdure/definitions.hpp>
#include <perdure/nexus_client.hpp>
#include <perdure/workflow_context.hpp>

#include <boost/json/value.hpp>

#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace perdure::detail {

class timer_machine;

/// Why an activation failed. The activation's commands are discarded and it is retried.
struct task_failure {
    enum class cause { workflow_error, nondeterminism, bad_command, corrupt_history };
    cause reason = cause::workflow_error;
    std::string message{};
    /// A command whose payload is over the limit: Temporal's server terminates the run instead
    /// of retrying a task that would fail the same way each time.
    bool terminates = false;
};

const char* to_string(task_failure::cause) noexcept;

class workflow_instance final : public task_sink, public machine_host {
public:
    workflow_instance(workflow_function fn, workflow_info info, std::int64_t run_timeout_ms);
    ~workflow_instance();
    workflow_instance(const workflow_instance&) = delete;
    workflow_instance& operator=(const workflow_instance&) = delete;

    // ---- driving it (runtime and replayer) ----

    struct activation_result {
        std::vector<command>* commands = nullptr;   ///< valid until the next activation
        std::optional<task_failure> failure{};
    };
    /// Applies `inbound` (in order: the run's start, then signals, updates and cancellation,
    /// then resolutions), runs coroutines until all are blocked and returns the commands.
    /// `recorded_commands` are, on replay, the command events that follow this activation in
    /// history (side effects and patches read them); empty when live.
    activation_result activate(std::span<const event> inbound, std::int64_t now_us, bool replaying,
                               std::span<const event> recorded_commands = {});
    /// Tells the machines the events their commands became (one per non-dropped command).
    void recorded(std::span<const event> events);
    /// Completes an inbound event's attributes from what the instance knows (a TimerFired's
    /// timer_id), before it is recorded.
    void annotate(event& e) const;

    bool closed() const noexcept { return closed_; }
    /// Events in history after the part a replay built it from: the next activation's inbound
    /// events (after a replay; empty when it runs live).
    void set_unseen(std::vector<event> events) { unseen_ = std::move(events); }
    std::vector<event> take_unseen() { return std::exchange(unseen_, {}); }
    bool has_unseen() const noexcept { return !unseen_.empty(); }

    // ---- messages from outside (runtime, on the strand, between activations) ----

    /// Answers a query from the current state; throws query_failed_error.
    boost::json::value query(const std::string& name, const boost::json::value& arg);
    /// Runs the update's validator; the rejection message, or nullopt when accepted.
    std::optional<std::string> validate_update(const std::string& name, const boost::json::value& arg);
    /// Update ids accepted so far (completed or not).
    bool knows_update(const std::string& update_id) const {
        return messages_ && messages_->updates.contains(update_id);
    }
    /// The recorded outcome ({"success": v} or {"failure": f}) of a completed update.
    std::optional<boost::json::object> update_outcome(const std::string& update_id) const {
        if (!messages_) return std::nullopt;
        auto it = messages_->updates.find(update_id);
        return it == messages_->updates.end() ? std::nullopt : it->second;
    }
    /// What a retry or a continue-as-new takes from the run's WorkflowExecutionStarted: its
    /// input, memo, workflow task timeout and execution timeout (only those of its attributes).
    boost::json::object started_attributes() const;
    /// Signals buffered and never read, in arrival order (carried over by continue-as-new).
    std::vector<std::pair<std::string, boost::json::value>> unread_signals() const;
    /// For a query on a closed run being replayed: answered before the closing activation and,
    /// when the main function returns normally, again while its locals are alive.
    void set_closing_query(std::string name, boost::json::value arg);
    void answer_closing_query();
    /// The closing query's answer (or its error) once replay is done.
    boost::json::value closing_query_answer();
    bool has_closing_query() const noexcept { return closing_query_ != nullptr; }
    void main_returning() noexcept;
    const workflow_info& info() const noexcept { return info_; }
    std::int64_t now_us() const noexcept { return now_us_; }
    bool replaying() const noexcept { return replaying_; }
    bool cancel_requested() const noexcept { return cancel_requested_; }
    /// The built-in `__stack_trace` query: what each coroutine waits on, one block each.
    std::string stack_trace() const;
    /// The same as JSON (`__enhanced_stack_trace`): {"stacks": [{"coroutine", "waiting_on", "locations"}]}.
    boost::json::object stack_trace_json() const;
    /// A rough size for the cache's byte budget.
    std::size_t approximate_bytes() const noexcept;

    // ---- for workflow_context ----

    workflow_context& context() noexcept { return ctx_; }
    std::uint64_t next_random() noexcept;
    std::shared_ptr<future_state> start_timer(std::chrono::milliseconds);
    std::shared_ptr<future_state> schedule_activity(std::string_view type, boost::json::value input,
                                                    const activity_options&);
    std::shared_ptr<future_state> side_effect(const std::function<boost::json::value()>&);
    bool patched(std::string_view change_id, bool deprecated);
    void upsert_search_attributes(perdure::search_attributes values);
    const perdure::search_attributes& current_search_attributes() const noexcept { return *search_attributes_; }
    void upsert_memo(boost::json::object fields);
    std::shared_ptr<future_state> wait_condition(std::function<bool()>, std::chrono::milliseconds timeout);
    std::shared_ptr<future_state> spawn(workflow<void> task);
    std::shared_ptr<future_state> receive_signal(const std::string& name);
    std::optional<boost::json::value> try_receive_signal(const std::string& name);
    void set_query_handler(std::string name, query_handler_fn fn);
    void set_update_handler(std::string name, update_handler_fn handler, update_validator_fn validator);
    std::shared_ptr<future_state> start_child(std::string_view type, boost::json::value input,
                                              const child_workflow_options& options);
    std::shared_ptr<future_state> signal_external(std::string_view workflow_id, std::string_view run_id,
                                                  std::string_view signal, boost::json::value arg);
    std::shared_ptr<future_state> cancel_external(std::string_view workflow_id, std::string_view run_id);
    std::shared_ptr<future_state> continue_as_new(boost::json::value input, continue_as_new_options options);
    nexus_futures schedule_nexus(const std::string& endpoint, const std::string& service, const std::string& operation,
                                 boost::json::value input, const nexus::operation_options& options);
    /// Temporal's limit on pending Nexus operations per workflow (default 30).
    void set_max_pending_nexus(int n) noexcept { max_pending_nexus_ = n; }
    /// Throws failed_precondition unless called from this instance's activation.
    void check_active() const;

    // ---- for machines (machine_host) and workflow_context ----

    std::shared_ptr<future_state> make_future(cancel_target* cancel = nullptr) override;
    void resolve(future_state&, boost::json::value) override;
    void reject(future_state&, std::exception_ptr) override;
    void schedule(std::coroutine_handle<> h) { ready_.push_back(h); }
    void add_command(command_kind, boost::json::object attrs, machine* owner) override;
    void drop_command(const machine* owner) override;
    void index_event(std::int64_t event_id, machine* m) override;
    void unindex_event(std::int64_t event_id) override;
    void retire(machine* m) override;
    /// Fails the current activation (its commands are discarded).
    void fail_task(task_failure::cause, std::string message);
    template <class M, class... A>
    M& add_machine(A&&... args) {
        auto m = std::make_unique<M>(*this, std::forward<A>(args)...);
        M& ref = *m;
        ref.slot = machines_.size();
        machines_.push_back(std::move(m));
        return ref;
    }

private:
    /// Marks a future done (its value or error already set) and wakes its waiters, never inline.
    void settle(future_state&, future_state::status outcome);
    /// Names what a future stands for, for the stack trace.
    static std::shared_ptr<future_state> labeled(std::shared_ptr<future_state>, const char* kind, std::string about);
    /// Makes this instance current_instance() for a scope: activations, queries, validators.
    struct current_scope {
        explicit current_scope(workflow_instance* i) noexcept;
        ~current_scope();
        workflow_instance* previous;
    };
    struct spawned {
        workflow<void> task;
        std::shared_ptr<future_state> state;
        bool done = false;
        std::string update_id{};                 ///< for an update handler: completes the update
        workflow<boost::json::value> update{};   ///< the update handler's coroutine
        std::string update_name{};
        std::int64_t number = 0;   ///< a spawned task's number, in spawn order
    };
    /// A wait_condition: cancellable, and resolved with false when its timeout timer fires.
    struct condition final : cancel_target, multi_waiter {
        condition(workflow_instance& i, std::function<bool()> p, std::shared_ptr<future_state> s)
            : inst(i), predicate(std::move(p)), state(std::move(s)) {}
        condition(const condition&) = delete;
        ~condition() {
            if (timeout) forget_multi(*timeout, this);
        }
        void request_cancel() override;
        void on_resolved(future_state& timer) override;

        workflow_instance& inst;
        std::function<bool()> predicate;
        std::shared_ptr<future_state> state;
        std::shared_ptr<future_state> timeout{};   // null without a timeout
    };

    void task_done(void* key) noexcept override;
    void deliver_signal(const std::string& name, boost::json::value value);
    void accept_update(const event& e);
    void finish_continue_as_new();
    void apply(const event& e);
    void start_main(const event& started);
    void drain();
    bool resolve_conditions();
    void finish_main();
    void settle_spawned();
    void check_unobserved_failures();
    const event* find_marker(std::string_view name, const char* id_key, const boost::json::value& id) const;

    workflow_function fn_;
    workflow_info info_;
    std::int64_t run_timeout_ms_;
    workflow_context ctx_;
    std::uint64_t rng_;

    workflow<boost::json::value> main_{};
    bool main_done_ = false;
    bool closed_ = false;
    bool cancel_requested_ = false;
    std::list<spawned> spawned_;
    std::list<condition> conditions_;

    /// Coroutines to resume, in order, from `ready_head_` on. A vector, not a deque: an empty
    /// deque still holds about 600 bytes, and every parked instance has an empty queue.
    std::vector<std::coroutine_handle<>> ready_;
    std::size_t ready_head_ = 0;
    void clear_ready() noexcept {
        ready_.clear();
        ready_head_ = 0;
    }
    std::uint64_t resolved_seq_ = 0;
    std::int64_t now_us_ = 0;
    bool replaying_ = false;
    bool active_ = false;
    std::span<const event> recorded_commands_{};

    std::vector<command> commands_;
    std::vector<event> unseen_;
    std::unique_ptr<task_failure> failure_;   ///< the current activation's, once it failed

    std::int64_t next_timer_ = 1, next_activity_ = 1, next_side_effect_ = 1, next_child_ = 1, next_task_ = 0;
    int max_pending_nexus_ = 30;

    /// Signals, queries and updates: most parked instances have none of them, so they live
    /// behind one pointer, made by the first signal, handler or update.
    struct message_state {
        struct buffered_signal {
            boost::json::value value;
            std::uint64_t order;
        };
        std::unordered_map<std::string, std::deque<buffered_signal>> signal_buffers;
        std::unordered_map<std::string, std::deque<std::shared_ptr<future_state>>> signal_receivers;
        std::uint64_t signal_order = 0;
        std::unordered_map<std::string, query_handler_fn> query_handlers;
        struct update_entry {
            update_handler_fn handler;
            update_validator_fn validator;
        };
        std::unordered_map<std::string, update_entry> update_handlers;
        std::unordered_map<std::string, std::optional<boost::json::object>> updates;   ///< accepted ids -> outcome
    };
    std::unique_ptr<message_state> messages_;
    message_state& messages() {
        if (!messages_) messages_ = std::make_unique<message_state>();
        return *messages_;
    }
    /// Handlers never run again once the run has closed.
    void drop_handlers() noexcept {
        if (messages_) messages_->query_handlers.clear(), messages_->update_handlers.clear();
    }
    // started_attributes(), kept as text: only a continue-as-new or a retry reads it again, and
    // a cached instance should not hold the start's every attribute (its ids, type and queue
    // are the run's own) for that.
    std::string started_json_{};
    boxed<perdure::search_attributes> search_attributes_{};   ///< the start's, then the upserts', untyped
    // The rare states below are on the heap while they exist, a pointer each otherwise.
    struct continuation {
        boost::json::value input;
        continue_as_new_options options;
    };
    std::unique_ptr<continuation> continue_as_new_;
    struct closing_query {
        std::string name;
        boost::json::value arg;
        std::optional<boost::json::value> answer{};
        std::exception_ptr error{};
    };
    std::unique_ptr<closing_query> closing_query_;
    std::vector<std::pair<std::string, bool>> patches_;   ///< change id -> present; a workflow has few
    /// The live machines in the order they were made, so that what goes through all of them (a
    /// run's cancellation) makes its commands in one order on every replay. A retired machine
    /// leaves a null behind until half of the list is null.
    std::vector<std::unique_ptr<machine>> machines_;
    std::size_t retired_slots_ = 0;
    std::vector<std::unique_ptr<machine>> retired_;
    /// The machines that inbound events address, by the event id they name, in its order: a
    /// run has a few in flight, and a parked one should not pay a hash table's buckets for them.
    std::vector<std::pair<std::int64_t, machine*>> by_event_;
    machine* machine_for(std::int64_t event_id) const noexcept;
};

/// "type: what()" of an exception, for task failure and query messages.
std::string describe_exception(const std::exception_ptr&);

/// The instance whose activation is running on this thread, or null.
workflow_instance* current_instance() noexcept;

}   // namespace perdure::detail
