// Blocking forms of the engine's callback operations: wait for the callback on a promise.
#pragma once

#include "runtime/core.hpp"

#include <future>

namespace perdure::detail {

/// Starts `op(callback)` and waits for the callback; rethrows its error.
template <class T, class Op>
T wait_for(engine_core& core, const char* call, Op&& op) {
    core.check_blocking_allowed(call);
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    op(callback<T>([p](std::exception_ptr e, T v) {
        if (e)
            p->set_exception(e);
        else
            p->set_value(std::move(v));
    }));
    return f.get();
}

}  // namespace perdure::detail
