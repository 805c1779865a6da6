// What workflow code receives: deterministic time and randomness, durable timers, activities,
// side effects, versioning, conditions and workflow-internal tasks. Every call is recorded or
// replayed, so a run rebuilt from history takes exactly the same path.
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/detail/callable_traits.hpp>
#include <perdure/future.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>
#include <perdure/signal_channel.hpp>
#include <perdure/workflow.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace perdure {

struct workflow_info {
    std::string ns{}, workflow_id{}, run_id{}, workflow_type{}, task_queue{};
    int attempt{1};
    std::string first_execution_run_id{};
    std::string continued_execution_run_id{};
};

/// The default validator of set_update_handler: accepts every update.
struct no_validator {};

class nexus_client;

namespace detail {
class workflow_instance;

template <class F, class... A>
workflow<void> spawned_task(F f, A... args) {
    co_await std::invoke(f, args...);
}

using query_handler_fn = std::function<boost::json::value(const boost::json::value&)>;
using update_handler_fn = std::function<workflow<boost::json::value>(boost::json::value)>;
using update_validator_fn = std::function<void(const boost::json::value&)>;

/// Runs an update handler with its argument decoded; `f` lives in this coroutine's frame.
template <class R, class A, class F>
workflow<boost::json::value> run_update(F f, boost::json::value arg) {
    if constexpr (std::is_void_v<A>) {
        if constexpr (std::is_void_v<R>) {
            co_await f();
            co_return boost::json::value{};
        } else {
            co_return to_payload<R>(co_await f());
        }
    } else {
        A a = from_payload<A>(arg);
        if constexpr (std::is_void_v<R>) {
            co_await f(std::move(a));
            co_return boost::json::value{};
        } else {
            co_return to_payload<R>(co_await f(std::move(a)));
        }
    }
}
}   // namespace detail

class workflow_context {
public:
    explicit workflow_context(detail::workflow_instance& inst) noexcept : inst_(&inst) {}
    workflow_context(const workflow_context&) = delete;
    workflow_context& operator=(const workflow_context&) = delete;

    const workflow_info& info() const;
    /// The time of the current activation: the same on replay.
    std::chrono::system_clock::time_point now() const;
    /// Deterministic: seeded per run, so a replay draws the same numbers.
    std::uint64_t random();
    /// A deterministic random UUID (version 4).
    std::string uuid();
    /// True while the current activation is rebuilt from history (suppress logging with it).
    bool is_replaying() const;
    /// True once cancellation of the run has been requested; stays true.
    bool cancel_requested() const;

    /// A durable timer: survives restarts; fires after `d` of workflow time.
    template <class Rep, class Period>
    future<void> sleep(std::chrono::duration<Rep, Period> d) {
        return future<void>(start_timer_(std::chrono::ceil<std::chrono::milliseconds>(d)));
    }

    /// Schedules an activity; the future gives its result or throws activity_error.
    template <class R, class I>
    future<R> execute_activity(const activity_def<R, I>& def, std::type_identity_t<I> input, activity_options options) {
        return future<R>(schedule_activity_(def.name(), detail::to_payload(input), options));
    }
    template <class R>
    future<R> execute_activity(const activity_def<R, void>& def, activity_options options) {
        return future<R>(schedule_activity_(def.name(), boost::json::value{}, options));
    }
    /// Schedules an activity by type name.
    template <class R = boost::json::value, class A = boost::json::value>
    future<R> execute_activity(std::string_view type, const A& input, activity_options options) {
        return future<R>(schedule_activity_(type, detail::to_payload(input), options));
    }

    /// Runs `fn` once and records its result; a replay returns the recorded value.
    template <class F>
    future<std::invoke_result_t<F>> side_effect(F&& fn) {
        using T = std::invoke_result_t<F>;
        return future<T>(side_effect_([&]() -> boost::json::value {
            if constexpr (std::is_void_v<T>) {
                fn();
                return {};
            } else {
                return detail::to_payload<T>(fn());
            }
        }));
    }

    /// True for runs that reached this point with the change in place (recorded as a marker);
    /// false when replaying a history recorded before it.
    bool patched(std::string_view change_id);
    /// Records that every run still open has passed the change; the patched() call may go.
    void deprecate_patch(std::string_view change_id);

    /// Sets this run's search attributes named in `values` (Temporal's
    /// UpsertWorkflowSearchAttributes): a new value replaces the old one, an empty keyword list
    /// removes the attribute, whatever its type; the others keep theirs. Recorded with the
    /// workflow task's other commands and indexed in the same commit, so list(query), count and
    /// describe() see the values once the task completes. The engine types each value against
    /// the namespace's registered attributes: an unknown name or a value of the wrong type fails
    /// the workflow task (BAD_SEARCH_ATTRIBUTES, naming the attribute), which is retried. An
    /// empty `values` records nothing.
    void upsert_search_attributes(perdure::search_attributes values);
    /// The run's search attributes as its workflow code sees them: those of its start (or
    /// carried over by continue-as-new), then its own upserts. The same on replay.
    const perdure::search_attributes& search_attributes() const;
    /// Merges `fields` into this run's memo (Temporal's UpsertMemo, recorded as a
    /// ModifyWorkflowProperties command and a WorkflowPropertiesModified event): a key's new value
    /// replaces the old one, a key whose value is null is removed, the others keep theirs. The
    /// run's memo is written in the workflow task's commit, so describe() and list() show it once
    /// the task completes, and continue-as-new carries it to the next run. A memo that would
    /// grow past engine_limits::max_payload_bytes fails the workflow task
    /// (BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES), which is retried. An empty `fields` records
    /// nothing.
    void upsert_memo(boost::json::object fields);

    /// Resolves with true once `predicate()` holds (checked whenever workflow code has run),
    /// or with false when `timeout` (if not zero) passes first.
    template <class F, class Rep = std::int64_t, class Period = std::milli>
    future<bool> wait_condition(F&& predicate, std::chrono::duration<Rep, Period> timeout = {}) {
        return future<bool>(wait_condition_(std::function<bool()>(std::forward<F>(predicate)),
                                            std::chrono::ceil<std::chrono::milliseconds>(timeout)));
    }

    /// Runs a coroutine already created as a workflow-internal task.
    future<void> spawn(workflow<void> task);
    /// Runs f(args...) as a workflow-internal task; f and args are copied into the task. A
    /// failure that nobody can await any more fails the workflow task.
    template <class F, class... A>
    requires(sizeof...(A) > 0 ||
             !std::is_same_v<std::remove_cvref_t<F>, workflow<void>>) future<void> spawn(F&& f, A&&... args) {
        return spawn(
            detail::spawned_task(std::decay_t<F>(std::forward<F>(f)), std::decay_t<A>(std::forward<A>(args))...));
    }

    /// The channel of signals named `name`; co_await ch.receive() gives the next one.
    template <class T>
    perdure::signal_channel<T> signal_channel(std::string_view name) {
        return perdure::signal_channel<T>(*inst_, std::string(name));
    }

    /// Answers queries named `name` from the workflow's current state, without recording
    /// anything. `handler` is R() or R(A); it must not change state or start operations.
    template <class F>
    void set_query_handler(std::string_view name, F&& handler) {
        using A = detail::handler_arg_t<F>;
        using R = typename detail::callable_traits<F>::result;
        set_query_handler_(name,
                           [h = std::decay_t<F>(std::forward<F>(handler))](
                               const boost::json::value& arg) mutable -> boost::json::value {
                               if constexpr (std::is_void_v<A>) {
                                   if constexpr (std::is_void_v<R>) {
                                       h();
                                       return {};
                                   } else {
                                       return detail::to_payload<R>(h());
                                   }
                               } else {
                                   if constexpr (std::is_void_v<R>) {
                                       h(detail::from_payload<A>(arg));
                                       return {};
                                   } else {
                                       return detail::to_payload<R>(h(detail::from_payload<A>(arg)));
                                   }
                               }
                           });
    }

    /// Handles updates named `name`: `handler` is workflow<R>(A) (or without A) and may await
    /// anything; `validator` is void(const A&) and throws to reject (nothing is recorded then).
    template <class F, class V = no_validator>
    void set_update_handler(std::string_view name, F&& handler, V&& validator = {}) {
        using A = detail::handler_arg_t<F>;
        using R = typename detail::workflow_result<typename detail::callable_traits<F>::result>::type;
        detail::update_handler_fn h = [f = std::decay_t<F>(std::forward<F>(handler))](boost::json::value arg) {
            return detail::run_update<R, A>(f, std::move(arg));
        };
        detail::update_validator_fn v;
        if constexpr (!std::is_same_v<std::decay_t<V>, no_validator>) {
            v = [val = std::decay_t<V>(std::forward<V>(validator))](const boost::json::value& arg) mutable {
                if constexpr (std::is_void_v<A>)
                    val();
                else
                    val(detail::from_payload<A>(arg));
            };
        }
        set_update_handler_(name, std::move(h), std::move(v));
    }

    /// Starts a child workflow in this namespace; the future gives its result or throws
    /// child_workflow_error.
    template <class R, class I>
    future<R> execute_child_workflow(const workflow_def<R, I>& def, std::type_identity_t<I> input,
                                     child_workflow_options options = {}) {
        return future<R>(start_child_(def.name(), detail::to_payload(input), std::move(options)));
    }
    template <class R>
    future<R> execute_child_workflow(const workflow_def<R, void>& def, child_workflow_options options = {}) {
        return future<R>(start_child_(def.name(), boost::json::value{}, std::move(options)));
    }

    /// Signals another workflow of this namespace (its latest run when run_id is empty).
    template <class A = boost::json::value>
    future<void> signal_external_workflow(std::string_view workflow_id, std::string_view run_id,
                                          std::string_view signal, const A& arg = {}) {
        return future<void>(signal_external_(workflow_id, run_id, signal, detail::to_payload(arg)));
    }
    /// Asks another workflow of this namespace to cancel.
    future<void> request_cancel_external_workflow(std::string_view workflow_id, std::string_view run_id = {});

    /// A client for the operations of `service` behind `endpoint` (include perdure/nexus_client.hpp).
    /// The endpoint is resolved by name when an operation is scheduled.
    perdure::nexus_client nexus_client(std::string_view endpoint, std::string_view service);

    /// Closes this run as ContinuedAsNew and starts a new run of the same workflow id with
    /// `input`, in the same commit. Never resumes.
    template <class I>
    future<void> continue_as_new(const I& input) {
        return future<void>(continue_as_new_(detail::to_payload(input), {}));
    }
    /// The same, changing the next run's task queue, timeouts or memo.
    template <class I>
    future<void> continue_as_new(const I& input, continue_as_new_options options) {
        return future<void>(continue_as_new_(detail::to_payload(input), std::move(options)));
    }
    future<void> continue_as_new() { return future<void>(continue_as_new_(boost::json::value{}, {})); }

    detail::workflow_instance& instance() const noexcept { return *inst_; }

private:
    std::shared_ptr<detail::future_state> start_timer_(std::chrono::milliseconds);
    std::shared_ptr<detail::future_state> schedule_activity_(std::string_view type, boost::json::value input,
                                                             const activity_options&);
    std::shared_ptr<detail::future_state> side_effect_(const std::function<boost::json::value()>&);
    std::shared_ptr<detail::future_state> wait_condition_(std::function<bool()>, std::chrono::milliseconds);
    void set_query_handler_(std::string_view name, detail::query_handler_fn);
    void set_update_handler_(std::string_view name, detail::update_handler_fn, detail::update_validator_fn);
    std::shared_ptr<detail::future_state> start_child_(std::string_view type, boost::json::value input,
                                                       child_workflow_options);
    std::shared_ptr<detail::future_state> signal_external_(std::string_view workflow_id, std::string_view run_id,
                                                           std::string_view signal, boost::json::value arg);
    std::shared_ptr<detail::future_state> continue_as_new_(boost::json::value input, continue_as_new_options options);

    detail::workflow_instance* inst_;
};

}   // namespace perdure
