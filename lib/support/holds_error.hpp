// Whether an exception_ptr holds an exception of a given type (or of one derived from it).
#pragma once

#include <exception>

namespace perdure::detail {

template <class E>
bool holds_error(const std::exception_ptr& e) noexcept {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

}   // namespace perdure::detail
