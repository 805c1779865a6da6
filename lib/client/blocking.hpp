// Blocking forms of the engine's callback operations: wait for the callback on a promise.
#pragma once

#include "runtime/core.hpp"

#include <perdure/error.hpp>

#include <future>

namespace perdure::detail {

/// Starts `op(callback)` and waits for the callback; rethrows its error. Calls that wait for
/// workflow progress (get, update) let the test environment's clock skip through their async
/// entry points, which both forms share.
template <class T, class Op>
T wait_for(engine_core& core, const char* call, Op&& op) {
    core.check_blocking_allowed(call);
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    // A copyable callback, so `op` may hand it to the core or to an async entry point.
    op([p](std::exception_ptr e, T v) {
        if (e)
            p->set_exception(e);
        else
            p->set_value(std::move(v));
    });
    if (const auto limit = core.blocking_timeout(); limit.count() > 0 && f.wait_for(limit) != std::future_status::ready)
        throw failed_precondition(
            std::string(call) + " waited " + std::to_string(limit.count()) +
            " ms of wall time (test_options::wall_timeout) and nothing moved it on: " + core.hold_reason());
    return f.get();
}

}   // namespace perdure::detail
