// Blocking forms of the engine's callback operations: wait for the callback on a promise.
#pragma once

#include "runtime/core.hpp"

#include <perdure/error.hpp>

#include <chrono>
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
    // A call that reached the engine as it shut down (its job queued after the last one the
    // engine ran) would otherwise wait for good: once the engine has closed, it hears so.
    constexpr std::chrono::milliseconds look_every{100};
    const auto limit = core.blocking_timeout();
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (f.wait_for(look_every) != std::future_status::ready) {
        if (core.closed() && f.wait_for(look_every) != std::future_status::ready)
            throw engine_stopped(std::string(call) +
                                 " had no answer when the engine shut down; check its outcome (describe, history) "
                                 "before making it again");
        if (limit.count() > 0 && std::chrono::steady_clock::now() >= give_up)
            throw failed_precondition(
                std::string(call) + " waited " + std::to_string(limit.count()) +
                " ms of wall time (test_options::wall_timeout) and nothing moved it on: " + core.hold_reason());
    }
    return f.get();
}

}   // namespace perdure::detail
