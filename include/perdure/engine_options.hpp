// How an engine is opened: the database file, how hard each commit is made durable, pools,
// the workflow cache, the clock and Temporal's default limits.
#pragma once

#include <perdure/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace perdure {

/// How a commit is made durable.
enum class durability {
    full,     ///< WAL + fsync per commit: every acknowledged step survives power loss (default)
    normal,   ///< WAL without fsync per commit: survives a process crash, not a power loss
    memory,   ///< no file at all; ":memory:" implies it
    off,      ///< a file that is never fsynced: for tests; a machine crash may corrupt it
};

/// Temporal's defaults.
struct engine_limits {
    std::size_t max_payload_bytes = 2 << 20;    ///< per input, result or signal argument
    std::int64_t max_history_events = 51'200;   ///< a run past this is terminated
    int max_pending_nexus_operations = 30;
};

struct engine_options {
    std::string database = ":memory:";   ///< a file path, or ":memory:" (implies durability::memory)
    perdure::durability durability = durability::full;
    std::size_t activity_threads = 2;           ///< pool for blocking activities
    std::size_t nexus_handler_threads = 2;      ///< pool for blocking sync Nexus handlers
    std::size_t workflow_cache_size = 10'000;   ///< live instances kept; others replay on demand (0: replay always)
    std::size_t workflow_cache_bytes = 256 << 20;
    std::shared_ptr<perdure::clock> clock{};   ///< null: the system clock
    engine_limits limits{};
    /// A cap on the database file (0: none), for devices with a fixed storage budget; on
    /// PostgreSQL, on perdure's tables and indexes. A commit that would pass it fails like a full
    /// disk: the engine stops with storage_error, nothing committed is lost, and a reopen with a
    /// larger cap (or after retention) carries on.
    std::uint64_t max_database_bytes = 0;
    /// Operator access to an existing database (the CLI with no engine running): it is never
    /// created or migrated, and start() is refused, so nothing is dispatched and no timer fires.
    bool maintenance = false;
    /// On a database shared by several engines (PostgreSQL): never own the data, even when no
    /// engine does. The process runs activities (claimed from the owner's offers) and clients,
    /// whose calls go to the engine that owns it; started in any order, it never holds the data
    /// away from the process that runs the workflows. A SQLite file has one engine: refused.
    bool stand_by = false;
};

}   // namespace perdure
