// What the crash suites share: how the suite's store slows a life down, reading a database as
// the next life would, SQLite's own check of its file, and the torture workload's process and
// invariants (every history without gap or duplicate, one close per scheduled activity, every
// recorded result produced, one handler workflow per Nexus operation).
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>

namespace perdure::test {

/// How much longer a life takes on the suite's store: a PostgreSQL engine connects, checks its
/// schema and takes its leases before it runs anything, so kill moments spread over more time.
int slower_by();

/// What the next life reads, as another process reads it, through the store's interface.
class stored {
public:
    explicit stored(const std::string& db);
    perdure::detail::store_reads* operator->() const { return reads_.get(); }

private:
    std::unique_ptr<perdure::detail::store> store_;
    std::unique_ptr<perdure::detail::store_reads> reads_;
};

/// SQLite's own check of the file, opened as the next life opens it (the owner recovers the WAL,
/// and sets up a file killed before its schema committed). PostgreSQL checks its own pages.
void check_sqlite_file(const std::string& db);

/// Starts the torture worker (test/crash/torture_worker.cpp) on `db`; its output goes nowhere.
pid_t start_torture(const std::string& db, const std::string& side, int workflows, const char* role = "full");
/// Runs the torture worker; kills it after `kill_after` unless null. -1 when killed.
int run_torture(const std::string& db, const std::string& side, int workflows,
                std::optional<std::chrono::microseconds> kill_after);
/// The invariants above, after any life and beside engines still running, against what the
/// activities wrote to the side file `side`; with `all_done`, no run may still be running.
/// Returns how many mixed workflows have completed.
int check_invariants(const std::string& db, const std::string& side, bool all_done);
/// Each run still open, with the last events of its history: what a failed life left waiting.
std::string describe_open_runs(const std::string& db);
/// The lines of a side file: what activities really produced.
std::set<std::string> read_lines(const std::string& path);

}   // namespace perdure::test
