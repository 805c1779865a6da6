// Typed references to workflow and activity functions: a name plus the function, deduced from
// the function's signature. Workers register them; clients and workflows start them.
#pragma once

#include <perdure/activity_context.hpp>
#include <perdure/payload.hpp>
#include <perdure/workflow.hpp>

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

namespace boost::asio {
template <typename T, typename Executor>
class awaitable;
}   // namespace boost::asio

namespace perdure {

class workflow_context;

namespace detail {

/// A workflow function with its payloads type-erased to JSON.
using workflow_function = std::function<workflow<boost::json::value>(workflow_context&, boost::json::value)>;

/// An awaitable activity, type-erased; built by perdure/asio.hpp (include it to define
/// asio::awaitable activities).
struct async_activity_function;

/// A blocking activity with its payloads type-erased to JSON.
using blocking_activity_function = std::function<boost::json::value(activity_context&, const boost::json::value&)>;

struct activity_function {
    blocking_activity_function blocking{};
    std::shared_ptr<const async_activity_function> async{};
};

template <class R, class I, class F>
workflow<boost::json::value> run_workflow(F f, workflow_context& ctx, boost::json::value input) {
    auto main = [&] {
        if constexpr (std::is_void_v<I>)
            return f(ctx);
        else
            return f(ctx, from_payload<I>(input));
    }();
    main.handle().promise().is_main = true;
    if constexpr (std::is_void_v<R>) {
        co_await std::move(main);
        co_return boost::json::value{};
    } else {
        co_return to_payload<R>(co_await std::move(main));
    }
}

template <class A>
struct activity_return {
    using type = A;
    static constexpr bool async = false;
};
template <class T, class E>
struct activity_return<boost::asio::awaitable<T, E>> {
    using type = T;
    static constexpr bool async = true;
};

/// Defined by perdure/asio.hpp: include it to use asio::awaitable activities.
template <class R, class I, class F>
struct include_perdure_asio_hpp_to_define_awaitable_activities;

template <class R, class I, class F>
blocking_activity_function make_blocking_activity(F f) {
    return [f = std::move(f)](activity_context& ctx, const boost::json::value& input) -> boost::json::value {
        if constexpr (std::is_void_v<I>) {
            if constexpr (std::is_void_v<R>) {
                std::invoke(f, ctx);
                return {};
            } else {
                return to_payload<R>(std::invoke(f, ctx));
            }
        } else {
            if constexpr (std::is_void_v<R>) {
                std::invoke(f, ctx, from_payload<I>(input));
                return {};
            } else {
                return to_payload<R>(std::invoke(f, ctx, from_payload<I>(input)));
            }
        }
    };
}

template <class F, class I>
using activity_result_of = std::conditional_t<std::is_void_v<I>, std::invoke_result<F, activity_context&>,
                                              std::invoke_result<F, activity_context&, I>>;

}   // namespace detail

/// A named workflow function: `perdure::workflow<R> f(workflow_context&, I)` or without input
/// (then I is void).
template <class R, class I>
class workflow_def {
public:
    using result_type = R;
    using input_type = I;

    template <class F>
    workflow_def(std::string name, F f)
        : name_(std::move(name)), function_([f](workflow_context& ctx, boost::json::value input) {
              return detail::run_workflow<R, I>(f, ctx, std::move(input));
          }) {}

    const std::string& name() const noexcept { return name_; }
    const detail::workflow_function& function() const noexcept { return function_; }

private:
    std::string name_;
    detail::workflow_function function_;
};

template <class R, class I>
workflow_def(std::string, workflow<R> (*)(workflow_context&, I)) -> workflow_def<R, std::remove_cvref_t<I>>;
template <class R>
workflow_def(std::string, workflow<R> (*)(workflow_context&)) -> workflow_def<R, void>;

/// A named activity: `R f(activity_context&, I)` runs on the activity thread pool;
/// `boost::asio::awaitable<R> f(activity_context&, I)` runs on the engine's executor.
template <class R, class I>
class activity_def {
public:
    using result_type = R;
    using input_type = I;

    template <class F>
    activity_def(std::string name, F f) : name_(std::move(name)) {
        using ret = typename detail::activity_result_of<F, I>::type;
        if constexpr (detail::activity_return<ret>::async) {
            function_.async =
                detail::include_perdure_asio_hpp_to_define_awaitable_activities<R, I, F>::make(std::move(f));
        } else {
            static_assert(std::is_same_v<ret, R> || std::is_convertible_v<ret, R>,
                          "perdure: the activity function's result does not match activity_def<R, I>");
            function_.blocking = detail::make_blocking_activity<R, I>(std::move(f));
        }
    }

    const std::string& name() const noexcept { return name_; }
    const detail::activity_function& function() const noexcept { return function_; }

private:
    std::string name_;
    detail::activity_function function_;
};

template <class A, class I>
activity_def(std::string, A (*)(activity_context&, I))
    -> activity_def<typename detail::activity_return<A>::type, std::remove_cvref_t<I>>;
template <class A>
activity_def(std::string, A (*)(activity_context&)) -> activity_def<typename detail::activity_return<A>::type, void>;

}   // namespace perdure
