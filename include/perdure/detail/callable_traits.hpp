// The argument and result types of a handler given as a lambda or a function pointer.
#pragma once

#include <perdure/workflow.hpp>

#include <tuple>
#include <type_traits>

namespace perdure::detail {

template <class F>
struct callable_traits : callable_traits<decltype(&std::remove_cvref_t<F>::operator())> {};

template <class R, class... A>
struct callable_traits<R (*)(A...)> {
    using result = R;
    static constexpr std::size_t arity = sizeof...(A);
    using args = std::tuple<std::remove_cvref_t<A>...>;
};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : callable_traits<R (*)(A...)> {};
template <class R, class... A>
struct callable_traits<R (*)(A...) noexcept> : callable_traits<R (*)(A...)> {};

/// The single argument type of a handler (void when it takes none).
template <class F>
using handler_arg_t =
    std::conditional_t<callable_traits<F>::arity == 0, void,
                       std::tuple_element_t<0, std::conditional_t<callable_traits<F>::arity == 0, std::tuple<void>,
                                                                  typename callable_traits<F>::args>>>;

template <class T>
struct workflow_result;
template <class T>
struct workflow_result<workflow<T>> {
    using type = T;
};

}   // namespace perdure::detail
