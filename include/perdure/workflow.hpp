// perdure::workflow<T>: the coroutine type of workflow functions and of the helpers they
// await. Lazily started, resumed only by the engine's replayer, and restricted at compile time
// to perdure awaitables so that replay stays deterministic.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace perdure {

namespace detail {

/// Base of every type a workflow may co_await (future, workflow, all, any, channel receive).
struct workflow_awaitable {};

template <class A>
inline constexpr bool is_workflow_awaitable_v = std::is_base_of_v<workflow_awaitable, std::remove_cvref_t<A>>;

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

    template <class A>
    A&& await_transform(A&& a) noexcept {
        static_assert(is_workflow_awaitable_v<A>,
                      "perdure: workflow code may only co_await perdure awaitables (perdure::future, "
                      "perdure::workflow, perdure::all, perdure::any, signal_channel::receive); "
                      "asio::awaitable, std::suspend_always and other awaitables would break "
                      "deterministic replay");
        return std::forward<A>(a);
    }
};

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
