// One visitor from several lambdas, for std::visit over a variant.
#pragma once

namespace perdure::detail {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}   // namespace perdure::detail
