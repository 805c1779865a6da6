// perdure::workflow<T>: the coroutine type of workflow functions and of the helpers they
// await. Lazily started, resumed only by the engine's replayer, and restricted at compile time
// to perdure awaitables so that replay stays deterministic.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace perdure {

namespace detail {

/// Base of every type a workflow may co_await (future, workflow, all, any, channel receive).
struct workflow_awaitable {};

template <class A>
inline constexpr bool is_workflow_awaitable_v = std::is_base_of_v<workflow_awaitable, std::remove_cvref_t<A>>;

/// What a suspended workflow coroutine waits on, for the `__stack_trace` query: a future's
/// state, a helper coroutine's promise, or an all / any over several futures.
struct wait_target {
    enum class kind : unsigned char { none, future, workflow, all, any };
    kind what = kind::none;
    const void* target = nullptr;
};

/// Where a coroutine is suspended: the `co_await` expression and what it waits on. Empty
/// while the coroutine runs, so a query never reads an awaitable that is gone.
struct wait_point {
    std::source_location where{};
    wait_target target{};
};

/// What awaiting `a` waits on: its waits_on() when it has one (every perdure awaitable does).
template <class A>
wait_target target_of(const A& a) noexcept {
    if constexpr (requires { a.waits_on(); })
        return a.waits_on();
    else
        return {};
}

/// Told when a top-level workflow coroutine (the main one or a spawned task) finishes.
struct task_sink {
    virtual void task_done(void* key) noexcept = 0;

protected:
    ~task_sink() = default;
};

/// Called when the workflow's main function returns while its locals are still alive
/// (queries on a closed run are answered then).
void main_returning() noexcept;

struct workflow_promise_base {
    std::coroutine_handle<> continuation{};
    std::exception_ptr exception{};
    task_sink* sink = nullptr;
    void* sink_key = nullptr;
    bool is_main = false;   ///< the user's workflow function (not a helper it awaits)
    wait_point waiting{};   ///< set while suspended at a co_await

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct final_awaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            auto& p = h.promise();
            if (p.sink) p.sink->task_done(p.sink_key);
            return p.continuation ? p.continuation : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }

    /// Wraps every awaitable so the coroutine records where it is suspended; the default
    /// argument is evaluated at the `co_await` expression, so `where` is the user's line.
    template <class A>
    auto await_transform(A&& a, std::source_location where = std::source_location::current()) noexcept;
};

/// An awaitable seen through the promise that awaits it: forwards to it and keeps the
/// promise's wait_point current (set on suspension, cleared on resumption).
template <class A>
struct tracked_awaitable {
    A&& inner;
    workflow_promise_base* promise;
    std::source_location where;

    bool await_ready() { return inner.await_ready(); }
    template <class H>
    auto await_suspend(H h) {
        promise->waiting = {where, target_of(inner)};
        try {
            return inner.await_suspend(h);
        } catch (...) {
            promise->waiting = {};   // resumed at once with the error
            throw;
        }
    }
    decltype(auto) await_resume() {
        promise->waiting = {};
        return std::forward<A>(inner).await_resume();
    }
};

template <class A>
auto workflow_promise_base::await_transform(A&& a, std::source_location where) noexcept {
    static_assert(is_workflow_awaitable_v<A>,
                  "perdure: workflow code may only co_await perdure awaitables (perdure::future, "
                  "perdure::workflow, perdure::all, perdure::any, signal_channel::receive); "
                  "asio::awaitable, std::suspend_always and other awaitables would break "
                  "deterministic replay");
    return tracked_awaitable<A>{std::forward<A>(a), this, where};
}

template <class T>
struct workflow_promise;

}   // namespace detail

/// The coroutine type of workflow code: `perdure::workflow<R> f(workflow_context&, I)`.
/// A workflow<T> may itself be co_awaited by other workflow code.
template <class T = void>
class [[nodiscard]] workflow : public detail::workflow_awaitable {
public:
    using promise_type = detail::workflow_promise<T>;
    using handle_type = std::coroutine_handle<promise_type>;

    workflow() = default;
    explicit workflow(handle_type h) noexcept : h_(h) {}
    workflow(workflow&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    workflow& operator=(workflow&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~workflow() { reset(); }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h_.promise().continuation = awaiting;
        return h_;
    }
    T await_resume() { return h_.promise().take(); }
    /// For the engine's __stack_trace: a coroutine awaiting this one waits on its promise.
    detail::wait_target waits_on() const noexcept {
        return {detail::wait_target::kind::workflow, static_cast<const detail::workflow_promise_base*>(&h_.promise())};
    }

    /// For the engine: the coroutine handle (still owned by this object).
    handle_type handle() const noexcept { return h_; }
    bool valid() const noexcept { return static_cast<bool>(h_); }

private:
    void reset() noexcept {
        if (h_) h_.destroy();
        h_ = {};
    }
    handle_type h_{};
};

namespace detail {

template <class T>
struct workflow_promise : workflow_promise_base {
    std::optional<T> value{};
    workflow<T> get_return_object() noexcept {
        return workflow<T>(std::coroutine_handle<workflow_promise>::from_promise(*this));
    }
    template <class U>
    void return_value(U&& v) {
        if (is_main) main_returning();   // before `v` (maybe a moved local) is taken
        value.emplace(std::forward<U>(v));
    }
    T take() {
        if (exception) std::rethrow_exception(exception);
        return std::move(*value);
    }
};

template <>
struct workflow_promise<void> : workflow_promise_base {
    workflow<void> get_return_object() noexcept {
        return workflow<void>(std::coroutine_handle<workflow_promise>::from_promise(*this));
    }
    void return_void() noexcept {
        if (is_main) main_returning();
    }
    void take() {
        if (exception) std::rethrow_exception(exception);
    }
};

}   // namespace detail
}   // namespace perdure
