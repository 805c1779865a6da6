// Blocking forms of the engine's callback operations: wait for the callback on a promise.
#pragma once

#include "runtime/core.hpp"

#include <perdure/error.hpp>

#include <future>

namespace perdure::detail {

/// Starts `op(callback)` and waits for the callback; rethrows its error.
template <class T, class Op>
T wait_for(engine_core& core, const char* call, Op&& op) {
    core.check_blocking_allowed(call);
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    // The client stops waiting when its answer is delivered, not when its thread wakes up:
    // the test environment must not let time pass in between.
    core.waiting_clients().fetch_add(1);
    op(callback<T>([p, &waiting = core.waiting_clients()](std::exception_ptr e, T v) {
        waiting.fetch_sub(1);
        if (e)
            p->set_exception(e);
        else
            p->set_value(std::move(v));
    }));
    if (const auto limit = core.blocking_timeout(); limit.count() > 0 && f.wait_for(limit) != std::future_status::ready)
        throw failed_precondition(std::string(call) + " waited " + std::to_string(limit.count()) +
                                  " ms of wall time (test_options::wall_timeout) and nothing moved it on: " +
                                  core.hold_reason());
    return f.get();
}

}  // namespace perdure::detail
