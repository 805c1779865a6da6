// Retention wired to the strand: the sweeper (retention_sweeper.hpp) decides what to delete
// and when; the engine asks it after commits, ticks and inbox polls, and commits its units. A
// run deleted on request (delete_workflow.cpp) goes through the same store operation.
#include "runtime/core.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

retention_sweeper::moment engine_core::retention_moment() const { return {std::chrono::steady_clock::now(), now_us()}; }

void engine_core::maybe_sweep_retention() {
    if (!started_ || stopping_.load()) return;
    std::optional<std::vector<write_op>> ops;
    try {
        ops = retention_.sweep(retention_moment(), pipeline_.idle(), store_->reads(), namespaces_, lifecycle_.runs());
    } catch (const storage_error&) {
        // The store is out of reach for now (a PostgreSQL server restarting): retention waits
        // for a later sweep, the engine goes on; what needs the store reports its own error.
        return;
    }
    if (!ops) return;
    write_unit unit;
    unit.ops = std::move(*ops);
    unit.effects.emplace_back([this](std::exception_ptr) { retention_.deletion_settled(); });
    commit(std::move(unit));
}

void engine_core::delete_closed_run(std::int64_t run_key, callback<bool> cb) {
    write_unit unit;
    unit.ops.emplace_back(delete_run{run_key});
    unit.effects.emplace_back([this, cb = std::move(cb)](std::exception_ptr e) mutable {
        if (!e) retention_.deleted_on_request();
        cb(e, e == nullptr);
    });
    commit(std::move(unit));
}

}   // namespace perdure::detail
