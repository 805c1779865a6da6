// perdure::future<T>: what every workflow-side operation returns, and perdure::all / any.
// Futures are cheap copyable handles to one shared result owned by one workflow instance;
// resolving one never resumes a coroutine inline (waiters are queued in FIFO order).
#pragma once

#include <perdure/payload.hpp>
#include <perdure/workflow.hpp>

#include <boost/json/value.hpp>

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace perdure {

namespace detail {

class workflow_instance;
struct future_state;

/// Something waiting on several futures (all / any).
struct multi_waiter {
    virtual void on_resolved(future_state&) = 0;

protected:
    ~multi_waiter() = default;
};

/// Something a future can ask to cancel (a timer, an activity, ...).
struct cancel_target {
    virtual void request_cancel() = 0;

protected:
    ~cancel_target() = default;
};

struct future_state {
    enum class status : unsigned char { pending, succeeded, failed };
    struct waiter {
        std::coroutine_handle<> handle{};
        multi_waiter* multi = nullptr;
    };

    status st = status::pending;
    boost::json::value value{};
    std::exception_ptr error{};
    std::uint64_t resolved_seq = 0;   ///< order of resolution within the instance
    workflow_instance* owner = nullptr;
    cancel_target* cancel = nullptr;
    std::vector<waiter> waiters{};
    const char* kind = "future";   ///< what it stands for, for __stack_trace: "timer", "activity", ...
    std::string about{};           ///< which one: "timer 1 (10s)", "activity Charge (id 2)", ...

    bool ready() const noexcept { return st != status::pending; }
};

void await_future(future_state&, std::coroutine_handle<>);
void await_multi(future_state&, multi_waiter*);
void forget_multi(future_state&, multi_waiter*) noexcept;
void schedule_resume(future_state& any_of_the_instance, std::coroutine_handle<>);
void request_cancel(future_state&);

}   // namespace detail

/// The result of a workflow-side operation. `co_await f` gives the value or throws the
/// failure, and may be repeated. A future belongs to the workflow instance that made it.
template <class T>
class future : public detail::workflow_awaitable {
public:
    using value_type = T;

    future() = default;
    explicit future(std::shared_ptr<detail::future_state> s) noexcept : state_(std::move(s)) {}

    /// True once the operation has finished (successfully or not).
    bool ready() const noexcept { return state_ && state_->ready(); }

    bool await_ready() const noexcept { return ready(); }
    void await_suspend(std::coroutine_handle<> h) { detail::await_future(*state_, h); }
    T await_resume() const {
        if (state_->st == detail::future_state::status::failed) std::rethrow_exception(state_->error);
        if constexpr (!std::is_void_v<T>) {
            if (state_.use_count() == 1) {
                boost::json::value v = std::move(state_->value);
                return detail::from_payload<T>(v);
            }
            return detail::from_payload<T>(state_->value);
        }
    }

    /// Asks to cancel the operation; how its future then resolves depends on the operation's
    /// cancellation type. Does nothing once the future is ready.
    void request_cancel() {
        if (state_ && !state_->ready()) detail::request_cancel(*state_);
    }

    const std::shared_ptr<detail::future_state>& state() const noexcept { return state_; }
    /// For the engine's __stack_trace: a coroutine suspended on this future waits on its state.
    detail::wait_target waits_on() const noexcept { return {detail::wait_target::kind::future, state_.get()}; }

private:
    std::shared_ptr<detail::future_state> state_{};
};

namespace detail {

template <class T>
using result_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
result_or_monostate<T> take_result(const future<T>& f) {
    if constexpr (std::is_void_v<T>) {
        f.await_resume();
        return {};
    } else {
        return f.await_resume();
    }
}

/// Waits on several futures: until all are done or one failed (all), or until one is done (any).
/// It owns the states it waits on, so deregistering in its destructor is always safe.
class multi_await : public workflow_awaitable, multi_waiter {
public:
    enum class mode { all, any };
    multi_await(mode m, std::vector<std::shared_ptr<future_state>> states) : mode_(m), states_(std::move(states)) {}
    multi_await(const multi_await&) = delete;
    multi_await(multi_await&& o) noexcept
        : mode_(o.mode_), states_(std::move(o.states_)), waiting_(std::exchange(o.waiting_, {})) {}
    ~multi_await() { stop_waiting(); }

    bool await_ready() const noexcept { return satisfied(); }
    void await_suspend(std::coroutine_handle<> h) {
        waiting_ = h;
        for (const auto& s : states_)
            if (!s->ready()) await_multi(*s, this);
    }
    /// For the engine's __stack_trace: a coroutine suspended here waits on all / any of awaited().
    wait_target waits_on() const noexcept {
        return {mode_ == mode::all ? wait_target::kind::all : wait_target::kind::any, this};
    }
    /// The futures it waits on (for __stack_trace).
    const std::vector<std::shared_ptr<future_state>>& awaited() const noexcept { return states_; }

protected:
    /// Index of the future that failed first (all) or finished first (any); ties go to the
    /// lower index.
    std::size_t first(bool failed_only) const noexcept {
        std::size_t best = states_.size();
        for (std::size_t i = 0; i < states_.size(); ++i) {
            const auto& s = states_[i];
            if (!s->ready()) continue;
            if (failed_only && s->st != future_state::status::failed) continue;
            if (best == states_.size() || s->resolved_seq < states_[best]->resolved_seq) best = i;
        }
        return best;
    }
    const std::vector<std::shared_ptr<future_state>>& states() const noexcept { return states_; }

private:
    bool satisfied() const noexcept {
        bool all_ready = true;
        for (const auto& s : states_) {
            if (!s->ready()) {
                all_ready = false;
                continue;
            }
            if (mode_ == mode::any || s->st == future_state::status::failed) return true;
        }
        return all_ready;
    }
    void on_resolved(future_state& s) override {
        if (!waiting_ || !satisfied()) return;
        auto h = std::exchange(waiting_, {});
        stop_waiting();
        schedule_resume(s, h);
    }
    void stop_waiting() noexcept {
        for (const auto& s : states_) forget_multi(*s, this);
    }

    mode mode_;
    std::vector<std::shared_ptr<future_state>> states_;
    std::coroutine_handle<> waiting_{};
};

template <class... T>
class all_awaitable : public multi_await {
public:
    explicit all_awaitable(future<T>... fs) : multi_await(mode::all, {fs.state()...}), futures_(std::move(fs)...) {}
    std::tuple<result_or_monostate<T>...> await_resume() const {
        if (auto i = first(true); i < states().size()) std::rethrow_exception(states()[i]->error);
        return std::apply([](const auto&... f) { return std::tuple{take_result(f)...}; }, futures_);
    }

private:
    std::tuple<future<T>...> futures_;
};

template <class T>
class all_vector_awaitable : public multi_await {
public:
    explicit all_vector_awaitable(std::vector<future<T>> fs)
        : multi_await(mode::all, states_of(fs)), futures_(std::move(fs)) {}
    std::vector<result_or_monostate<T>> await_resume() const {
        if (auto i = first(true); i < states().size()) std::rethrow_exception(states()[i]->error);
        std::vector<result_or_monostate<T>> out;
        out.reserve(futures_.size());
        for (const auto& f : futures_) out.push_back(take_result(f));
        return out;
    }

private:
    static std::vector<std::shared_ptr<future_state>> states_of(const std::vector<future<T>>& fs) {
        std::vector<std::shared_ptr<future_state>> out;
        out.reserve(fs.size());
        for (const auto& f : fs) out.push_back(f.state());
        return out;
    }
    std::vector<future<T>> futures_;
};

class any_awaitable : public multi_await {
public:
    template <class... F>
    explicit any_awaitable(const F&... fs) : multi_await(mode::any, {fs.state()...}) {}
    template <class T>
    explicit any_awaitable(const std::vector<future<T>>& fs) : multi_await(mode::any, collect(fs)) {}
    std::size_t await_resume() const noexcept { return first(false); }

private:
    template <class T>
    static std::vector<std::shared_ptr<future_state>> collect(const std::vector<future<T>>& fs) {
        std::vector<std::shared_ptr<future_state>> out;
        for (const auto& f : fs) out.push_back(f.state());
        return out;
    }
};

}   // namespace detail

/// Waits for every future; gives a tuple of results (void gives std::monostate). If one fails,
/// throws the failure that happened first without waiting for the rest.
template <class... T>
detail::all_awaitable<T...> all(future<T>... fs) {
    return detail::all_awaitable<T...>(std::move(fs)...);
}

/// Waits for every future of a vector; gives their results in order.
template <class T>
detail::all_vector_awaitable<T> all(std::vector<future<T>> fs) {
    return detail::all_vector_awaitable<T>(std::move(fs));
}

/// Waits for the first future to finish; gives its index (ties: the lower index). The
/// futures are not consumed: await the winner to get its value.
template <class... T>
detail::any_awaitable any(const future<T>&... fs) {
    return detail::any_awaitable(fs...);
}

template <class T>
detail::any_awaitable any(const std::vector<future<T>>& fs) {
    return detail::any_awaitable(fs);
}

}   // namespace perdure
