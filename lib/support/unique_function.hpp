// A move-only std::function for callbacks that own handlers and promises.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace perdure::detail {

template <class Signature>
class unique_function;

template <class R, class... A>
class unique_function<R(A...)> {
public:
    unique_function() = default;
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, unique_function> && std::is_invocable_r_v<R, F&, A...>)
        unique_function(F&& f)
        : impl_(std::make_unique<model<std::decay_t<F>>>(std::forward<F>(f))) {}

    R operator()(A... args) { return impl_->call(std::forward<A>(args)...); }
    explicit operator bool() const noexcept { return static_cast<bool>(impl_); }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual R call(A... args) = 0;
    };
    template <class F>
    struct model final : concept_t {
        explicit model(F&& f) : fn(std::move(f)) {}
        explicit model(const F& f) : fn(f) {}
        R call(A... args) override { return fn(std::forward<A>(args)...); }
        F fn;
    };
    std::unique_ptr<concept_t> impl_;
};

}   // namespace perdure::detail
