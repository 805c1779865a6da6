// The Asio surface: completion-token (async_) forms of client calls, awaiting a workflow's
// result from an asio coroutine, the engine's executor, and asio::awaitable activities.
// Workflow code never includes this header.
#pragma once

#include <perdure/client.hpp>
#include <perdure/definitions.hpp>
#include <perdure/detail/async_activity.hpp>
#include <perdure/detail/async_entry.hpp>
#include <perdure/engine.hpp>
#include <perdure/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace perdure {
namespace detail {

/// Runs `start(callback)` as an asynchronous operation completing with (exception_ptr, T);
/// the handler is invoked on its associated executor.
template <class T, class Token, class Start>
auto async_operation(Token&& token, Start start) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, T)>(
        [start = std::move(start)](auto handler) mutable {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            start(async_callback<T>([h](std::exception_ptr e, T v) {
                auto ex = boost::asio::get_associated_executor(*h);
                boost::asio::post(ex, [h, e, v = std::move(v)]() mutable { std::move(*h)(e, std::move(v)); });
            }));
        },
        token);
}

/// Defines asio::awaitable activities (declared in definitions.hpp).
template <class R, class I, class F>
struct include_perdure_asio_hpp_to_define_awaitable_activities {
    struct impl final : async_activity_function {
        explicit impl(F fn) : f(std::move(fn)) {}
        static boost::asio::awaitable<boost::json::value> run(F f, activity_context ctx, boost::json::value input) {
            if constexpr (std::is_void_v<I>) {
                if constexpr (std::is_void_v<R>) {
                    co_await std::invoke(f, ctx);
                    co_return boost::json::value{};
                } else {
                    co_return to_payload<R>(co_await std::invoke(f, ctx));
                }
            } else {
                if constexpr (std::is_void_v<R>) {
                    co_await std::invoke(f, ctx, from_payload<I>(input));
                    co_return boost::json::value{};
                } else {
                    co_return to_payload<R>(co_await std::invoke(f, ctx, from_payload<I>(input)));
                }
            }
        }
        void start(boost::asio::any_io_executor ex, activity_context ctx, boost::json::value input,
                   done_fn done) const override {
            boost::asio::co_spawn(ex, run(f, std::move(ctx), std::move(input)),
                                  [done = std::move(done)](std::exception_ptr e, boost::json::value v) {
                                      if (e)
                                          done({}, failure_from_exception(e));
                                      else
                                          done(std::move(v), std::nullopt);
                                  });
        }
        F f;
    };
    static std::shared_ptr<const async_activity_function> make(F f) { return std::make_shared<impl>(std::move(f)); }
};

}  // namespace detail

/// Starts a workflow; completes after WorkflowExecutionStarted is committed.
template <class R, class I, class Token = boost::asio::deferred_t>
auto async_start_workflow(client& c, const workflow_def<R, I>& def, std::type_identity_t<I> input,
                          start_workflow_options options, Token&& token = {}) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, workflow_handle<R>)>(
        [c, name = def.name(), payload = detail::to_payload(input), options = std::move(options)](auto handler) mutable {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            detail::async_start_workflow(
                c, name, std::move(payload), std::move(options),
                [c, h](std::exception_ptr e, detail::started_run started) {
                    auto ex = boost::asio::get_associated_executor(*h);
                    boost::asio::post(ex, [c, h, e, started = std::move(started)]() mutable {
                        std::move(*h)(e, workflow_handle<R>(c, std::move(started)));
                    });
                });
        },
        token);
}

/// Waits for a run to close; completes with its result as JSON.
template <class Token = boost::asio::deferred_t>
auto async_get_json(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<boost::json::value>(std::forward<Token>(token), [h](auto cb) {
        detail::async_get_result(h.client(), h.workflow_id(), h.run_id(), std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_cancel(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [h](auto cb) {
        detail::async_cancel(h, std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_terminate(const detail::workflow_handle_base& h, std::string reason, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [h, reason = std::move(reason)](auto cb) mutable {
        detail::async_terminate(h, std::move(reason), std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_describe(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<workflow_execution_info>(std::forward<Token>(token), [h](auto cb) {
        detail::async_describe(h, std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_history(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<std::vector<history_event>>(std::forward<Token>(token), [h](auto cb) {
        detail::async_history(h, std::move(cb));
    });
}

template <class R>
template <int>
auto workflow_handle<R>::async_get() {
    return [](workflow_handle<R> self) -> boost::asio::awaitable<R> {
        auto v = co_await async_get_json(self, boost::asio::use_awaitable);
        co_return detail::from_payload<R>(v);
    }(*this);
}

template <int>
auto engine::get_executor() {
    return detail::engine_executor(*this);
}

}  // namespace perdure
