// What workflow code receives: deterministic time and randomness, durable timers, activities,
// side effects, versioning, conditions and workflow-internal tasks. Every call is recorded or
// replayed, so a run rebuilt from history takes exactly the same path.
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/future.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>
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

namespace detail {
class instance;

template <class F, class... A>
workflow<void> spawned_task(F f, A... args) {
    co_await std::invoke(f, args...);
}
}  // namespace detail

class workflow_context {
public:
    explicit workflow_context(detail::instance& inst) noexcept : inst_(&inst) {}
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
    future<R> execute_activity(const activity_def<R, I>& def, std::type_identity_t<I> input,
                               activity_options options) {
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
        requires(sizeof...(A) > 0 || !std::is_same_v<std::remove_cvref_t<F>, workflow<void>>)
    future<void> spawn(F&& f, A&&... args) {
        return spawn(detail::spawned_task(std::decay_t<F>(std::forward<F>(f)), std::decay_t<A>(std::forward<A>(args))...));
    }

    detail::instance& instance() const noexcept { return *inst_; }

private:
    std::shared_ptr<detail::future_state> start_timer_(std::chrono::milliseconds);
    std::shared_ptr<detail::future_state> schedule_activity_(std::string_view type, boost::json::value input,
                                                             const activity_options&);
    std::shared_ptr<detail::future_state> side_effect_(const std::function<boost::json::value()>&);
    std::shared_ptr<detail::future_state> wait_condition_(std::function<bool()>, std::chrono::milliseconds);

    detail::instance* inst_;
};

}  // namespace perdure
