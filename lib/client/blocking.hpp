// Blocking forms of the engine's callback operations: wait for the callback on a promise.
#pragma once

#include "runtime/core.hpp"

#include <perdure/error.hpp>

#include <future>

namespace perdure::detail {

/// Whether a blocking call lets the test environment's virtual time pass while it waits
/// (only waits for workflow progress do: get and update).
enum class waiting { instant, for_progress };

/// Starts `op(callback)` and waits for the callback; rethrows its error.
template <class T, class Op>
T wait_for(engine_core& core, const char* call, Op&& op, waiting kind = waiting::instant) {
    core.check_blocking_allowed(call);
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    // The client stops waiting when its answer is delivered, not when its thread wakes up:
    // the test environment must not let time pass in between.
    const int weight = kind == waiting::for_progress ? 1 : 0;
    core.waiting().add(weight);
    op(callback<T>([p, weight, &gate = core.waiting()](std::exception_ptr e, T v) {
        gate.add(-weight);
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
