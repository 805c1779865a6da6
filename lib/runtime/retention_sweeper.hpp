// Retention: closed runs older than their namespace's retention (7 days by default) are
// deleted without costing the running workflows a commit of their own. While the writer is
// busy, one batch every 100 ms carries the deletion of a few expired runs: under 1% of the
// workflows' commits grow, so their p99 does not move, and about 80 runs a second go. Once the
// writer has been idle for 50 ms, larger units delete the rest and give the freed pages back
// to the file system. The runs of deleted namespaces go the same way.
//
// Every rule holds in wall time and in engine time, so virtual time in tests deletes as a day
// would. The sweeper decides; the engine commits what it returns. Strand only.
#pragma once

#include "runtime/namespace_table.hpp"
#include "runtime/run_table.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace perdure::detail {

class retention_sweeper {
public:
    /// The moment as both clocks see it.
    struct moment {
        std::chrono::steady_clock::time_point wall;
        std::int64_t engine_us = 0;
    };

    /// A unit is about to be committed at `now`: adds the deletion of a few queued expired runs
    /// to its `ops` when a carry is due.
    void carry(std::vector<write_op>& ops, moment now, const run_table& runs);
    /// Looks for expired runs when a look is due, and once the writer has been idle long enough
    /// returns a unit of deletions (ending with giving pages back) for the engine to commit;
    /// call `deletion_settled` when it has committed or failed.
    std::optional<std::vector<write_op>> sweep(moment now, bool writer_idle, store_reads& reads,
                                               const namespace_table& namespaces, const run_table& runs);
    void deletion_settled() noexcept { deletion_in_flight_ = false; }
    /// A run was deleted on request: its freed pages are given back with the next idle unit.
    void deleted_on_request() noexcept { vacuum_owed_ = true; }

    /// After a retention change: the next chance to sweep looks, whenever the last look was.
    void look_soon() noexcept;
    /// After a namespace was deleted (or at open, when one was): its runs are looked for next.
    void purge_deleted_namespaces_soon() noexcept;

private:
    void look(moment now, store_reads& reads, const namespace_table& namespaces);
    void take(std::vector<write_op>& ops, std::size_t at_most, const run_table& runs);

    std::deque<std::int64_t> expired_;   // run keys queued for deletion
    std::chrono::steady_clock::time_point next_look_{}, last_commit_request_{}, next_carry_{};
    std::int64_t last_look_engine_us_ = 0, last_commit_request_engine_us_ = 0, next_carry_engine_us_ = 0;
    bool deletion_in_flight_ = false;           // a unit of deletions alone is in flight
    bool vacuum_owed_ = false;                  // runs were deleted since the last incremental_vacuum
    bool deleted_namespace_runs_left_ = true;   // deleted namespaces may still have runs
};

}   // namespace perdure::detail
