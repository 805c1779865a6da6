// The Asio surface: completion-token (async_) forms of client calls, awaiting a workflow's
// result from an asio coroutine, the engine's executor, and asio::awaitable activities.
// Workflow code never includes this header. Completions are posted to the handler's executor
// from the engine's threads, so an io_context that receives them must outlive the engine.
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

#include <functional>
#include <memory>

namespace perdure {
namespace detail {

/// Runs `start(callback)` as an asynchronous operation completing with (exception_ptr, T); the
/// callback receives a `From`, which `make` turns into the T. The handler is invoked on its
/// associated executor.
template <class T, class From = T, class Token, class Start, class Make = std::identity>
auto async_operation(Token&& token, Start start, Make make = {}) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, T)>(
        [start = std::move(start), make = std::move(make)](auto handler) mutable {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            start(async_callback<From>([h, make](std::exception_ptr e, From v) {
                auto ex = boost::asio::get_associated_executor(*h);
                boost::asio::post(
                    ex, [h, make, e, v = std::move(v)]() mutable { std::move (*h)(e, T(make(std::move(v)))); });
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

}   // namespace detail

/// Starts a workflow; completes after WorkflowExecutionStarted is committed.
template <class R, class I, class Token = boost::asio::deferred_t>
auto async_start_workflow(client& c, const workflow_def<R, I>& def, std::type_identity_t<I> input,
                          start_workflow_options options, Token&& token = {}) {
    return detail::async_operation<workflow_handle<R>, detail::started_run>(
        std::forward<Token>(token),
        [c, name = def.name(), payload = detail::to_payload(input), options = std::move(options)](auto cb) mutable {
            detail::async_start_workflow(c, name, std::move(payload), std::move(options), std::move(cb));
        },
        [c](detail::started_run started) { return workflow_handle<R>(c, std::move(started)); });
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
    return detail::async_operation<bool>(std::forward<Token>(token),
                                         [h](auto cb) { detail::async_cancel(h, std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_terminate(const detail::workflow_handle_base& h, std::string reason, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [h, reason = std::move(reason)](auto cb) mutable {
        detail::async_terminate(h, std::move(reason), std::move(cb));
    });
}

/// client::delete_workflow's form: completes once the deletion is committed.
template <class Token = boost::asio::deferred_t>
auto async_delete_workflow(const client& c, std::string workflow_id, std::string run_id, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [c, workflow_id = std::move(workflow_id),
                                                                      run_id = std::move(run_id)](auto cb) mutable {
        detail::async_delete_workflow(c, std::move(workflow_id), std::move(run_id), std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_describe(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<workflow_execution_info>(std::forward<Token>(token),
                                                            [h](auto cb) { detail::async_describe(h, std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_history(const detail::workflow_handle_base& h, Token&& token = {}) {
    return detail::async_operation<std::vector<history_event>>(
        std::forward<Token>(token), [h](auto cb) { detail::async_history(h, std::move(cb)); });
}

// The async_ forms below take every argument of their blocking form explicitly (no defaults),
// then the completion token.

template <class R, class I, class S, class Token = boost::asio::deferred_t>
auto async_signal_with_start(client& c, const workflow_def<R, I>& def, std::type_identity_t<I> input,
                             std::string_view signal, const S& signal_arg, start_workflow_options options,
                             Token&& token = {}) {
    return detail::async_operation<workflow_handle<R>, detail::started_run>(
        std::forward<Token>(token),
        [c, name = def.name(), payload = detail::to_payload(input), signal = std::string(signal),
         arg = detail::to_payload(signal_arg), options = std::move(options)](auto cb) mutable {
            detail::async_signal_with_start(c, name, std::move(payload), std::move(signal), std::move(arg),
                                            std::move(options), std::move(cb));
        },
        [c](detail::started_run started) { return workflow_handle<R>(c, std::move(started)); });
}

template <class Token = boost::asio::deferred_t>
auto async_list(const client& c, std::optional<workflow_status> status, std::size_t limit, std::string after,
                Token&& token = {}) {
    return detail::async_operation<std::vector<workflow_execution_info>>(
        std::forward<Token>(token), [c, status, limit, after = std::move(after)](auto cb) mutable {
            detail::async_list(c, status, limit, std::move(after), std::move(cb));
        });
}

/// Completes once WorkflowExecutionSignaled is committed.
template <class A, class Token = boost::asio::deferred_t>
auto async_signal(const detail::workflow_handle_base& h, std::string name, const A& arg, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token),
                                         [h, name = std::move(name), arg = detail::to_payload(arg)](auto cb) mutable {
                                             detail::async_signal(h, std::move(name), std::move(arg), std::move(cb));
                                         });
}

/// Completes with the query handler's answer as JSON.
template <class A, class Token = boost::asio::deferred_t>
auto async_query(const detail::workflow_handle_base& h, std::string name, const A& arg, Token&& token = {}) {
    return detail::async_operation<boost::json::value>(
        std::forward<Token>(token), [h, name = std::move(name), arg = detail::to_payload(arg)](auto cb) mutable {
            detail::async_query(h, std::move(name), std::move(arg), std::move(cb));
        });
}

/// Completes with the update handler's result as JSON; an empty update id makes a new one.
template <class A, class Token = boost::asio::deferred_t>
auto async_update(const detail::workflow_handle_base& h, std::string name, const A& arg, std::string update_id,
                  Token&& token = {}) {
    return detail::async_operation<boost::json::value>(
        std::forward<Token>(token),
        [h, name = std::move(name), arg = detail::to_payload(arg), id = std::move(update_id)](auto cb) mutable {
            detail::async_update(h, std::move(name), std::move(arg), std::move(id), std::move(cb));
        });
}

// ---- namespaces

template <class Token = boost::asio::deferred_t>
auto async_create(const namespace_registry& r, std::string name, std::string description, Token&& token = {}) {
    return detail::async_operation<namespace_info>(
        std::forward<Token>(token), [r, name = std::move(name), description = std::move(description)](auto cb) mutable {
            detail::async_create(r, std::move(name), std::move(description), false, std::move(cb));
        });
}

template <class Token = boost::asio::deferred_t>
auto async_ensure(const namespace_registry& r, std::string name, std::string description, Token&& token = {}) {
    return detail::async_operation<namespace_info>(
        std::forward<Token>(token), [r, name = std::move(name), description = std::move(description)](auto cb) mutable {
            detail::async_create(r, std::move(name), std::move(description), true, std::move(cb));
        });
}

template <class Token = boost::asio::deferred_t>
auto async_list(const namespace_registry& r, Token&& token = {}) {
    return detail::async_operation<std::vector<namespace_info>>(std::forward<Token>(token),
                                                                [r](auto cb) { detail::async_list(r, std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_describe(const namespace_registry& r, std::string name, Token&& token = {}) {
    return detail::async_operation<namespace_info>(
        std::forward<Token>(token),
        [r, name = std::move(name)](auto cb) mutable { detail::async_describe(r, std::move(name), std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_set_retention(const namespace_registry& r, std::string name, std::chrono::milliseconds retention,
                         Token&& token = {}) {
    return detail::async_operation<namespace_info>(
        std::forward<Token>(token), [r, name = std::move(name), retention](auto cb) mutable {
            detail::async_set_retention(r, std::move(name), retention, std::move(cb));
        });
}

template <class Token = boost::asio::deferred_t>
auto async_remove(const namespace_registry& r, std::string name, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [r, name = std::move(name)](auto cb) mutable {
        detail::async_remove(r, std::move(name), std::move(cb));
    });
}

// ---- Nexus endpoints

template <class Token = boost::asio::deferred_t>
auto async_create(const nexus::endpoint_registry& r, nexus::endpoint_spec spec, Token&& token = {}) {
    return detail::async_operation<nexus::endpoint>(std::forward<Token>(token),
                                                    [r, spec = std::move(spec)](auto cb) mutable {
                                                        detail::async_create(r, std::move(spec), false, std::move(cb));
                                                    });
}

template <class Token = boost::asio::deferred_t>
auto async_ensure(const nexus::endpoint_registry& r, nexus::endpoint_spec spec, Token&& token = {}) {
    return detail::async_operation<nexus::endpoint>(std::forward<Token>(token),
                                                    [r, spec = std::move(spec)](auto cb) mutable {
                                                        detail::async_create(r, std::move(spec), true, std::move(cb));
                                                    });
}

template <class Token = boost::asio::deferred_t>
auto async_list(const nexus::endpoint_registry& r, Token&& token = {}) {
    return detail::async_operation<std::vector<nexus::endpoint>>(
        std::forward<Token>(token), [r](auto cb) { detail::async_list(r, std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_describe(const nexus::endpoint_registry& r, std::string name, Token&& token = {}) {
    return detail::async_operation<nexus::endpoint>(
        std::forward<Token>(token),
        [r, name = std::move(name)](auto cb) mutable { detail::async_describe(r, std::move(name), std::move(cb)); });
}

template <class Token = boost::asio::deferred_t>
auto async_update(const nexus::endpoint_registry& r, std::string name, nexus::endpoint_update change,
                  Token&& token = {}) {
    return detail::async_operation<nexus::endpoint>(
        std::forward<Token>(token), [r, name = std::move(name), change = std::move(change)](auto cb) mutable {
            detail::async_update(r, std::move(name), std::move(change), std::move(cb));
        });
}

template <class Token = boost::asio::deferred_t>
auto async_remove(const nexus::endpoint_registry& r, std::string name, Token&& token = {}) {
    return detail::async_operation<bool>(std::forward<Token>(token), [r, name = std::move(name)](auto cb) mutable {
        detail::async_remove(r, std::move(name), std::move(cb));
    });
}

template <class Token = boost::asio::deferred_t>
auto async_health(const nexus::endpoint_registry& r, std::string name, std::string caller_ns, Token&& token = {}) {
    return detail::async_operation<nexus::endpoint_health>(
        std::forward<Token>(token), [r, name = std::move(name), caller_ns = std::move(caller_ns)](auto cb) mutable {
            detail::async_health(r, std::move(name), std::move(caller_ns), std::move(cb));
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

}   // namespace perdure
