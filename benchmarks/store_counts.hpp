// What the scenarios count in a database after (or beside) an engine: read through the store
// interface as a reader, as the CLI reads, so no scenario but the SQLite ceilings names SQL.
#pragma once

#include "store/rows.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace perdure::bench {

/// Runs in the file at `path` with `status` (all when nullopt), in namespace `ns` (every
/// namespace when empty; 0 when `ns` does not exist).
std::int64_t count_runs(const std::string& path, std::optional<perdure::detail::run_status> status,
                        const std::string& ns = "");
/// History events of every run in the file.
std::int64_t count_events(const std::string& path);

/// Durable timers pending in a file, and when the last of them comes due.
struct pending_timers {
    std::int64_t count = 0;
    std::int64_t last_due_us = 0;
};
/// Reads them beside the engine that writes the file; nullopt while the file is not yet a
/// database a reader can open.
std::optional<pending_timers> read_pending_timers(const std::string& path);

}   // namespace perdure::bench
