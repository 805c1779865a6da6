// What every scenario shares: the run's settings, one JSON object per line on stdout,
// latency summaries, the process's memory from /proc, and database files in the run's directory.
#pragma once

#include <perdure/engine_options.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::bench {

using steady = std::chrono::steady_clock;

struct settings {
    perdure::durability durability = perdure::durability::full;
    std::string db_dir;   ///< where every database of the run lives (one disk for all numbers)
    bool smoke = false;   ///< tiny sizes: checks that each scenario works, measures nothing
    /// A PostgreSQL server (postgresql://...) the engine scenarios run on, each in a database of
    /// its own made on it; empty: SQLite files in db_dir.
    std::string store;

    bool on_postgres() const noexcept { return !store.empty(); }

    /// `full` normally, `smoke` in a smoke run.
    std::size_t size(std::size_t full, std::size_t smoke_size) const { return smoke ? smoke_size : full; }
};

const char* to_string(perdure::durability) noexcept;

/// Prints `line` as one JSON object on one line of stdout and flushes. Numbers keep the
/// object's order and print as plain decimals (at most two places), not in exponent form.
/// After set_store_label, the line ends with "store": that label.
void emit(const boost::json::object& line);
/// Marks every line this process emits as measured on `label` ("postgresql"), so a saved run
/// is never compared with one on another store; SQLite runs carry no label, as before.
void set_store_label(std::string label);

struct latency {
    double mean = 0, p50 = 0, p99 = 0;
};
/// Mean and nearest-rank percentiles of `samples` (any unit); zeros when empty.
latency summarize(std::vector<double> samples);
double mean(const std::vector<double>& samples, std::size_t first, std::size_t last);

/// Microseconds since the Unix epoch, as the engine stamps its rows.
std::int64_t system_now_us();

double elapsed_us(steady::time_point from, steady::time_point to = steady::now());
double elapsed_ms(steady::time_point from, steady::time_point to = steady::now());

/// Resident set size now and its peak (VmRSS, VmHWM), in KiB.
std::int64_t rss_kib();
std::int64_t peak_rss_kib();

/// A fresh path for database `name` in the run's directory: leftovers of an earlier run are removed.
/// On PostgreSQL, a new empty database on the run's server instead; returns its URI.
std::string fresh_database(const settings& s, std::string_view name);
/// Removes a database file with its -wal, -shm and lock files.
void remove_database(const std::string& path);
/// Removes what fresh_database made: the file, or the PostgreSQL database.
void remove_database(const settings& s, const std::string& path);

/// Engine options for a scenario's database with the run's durability.
perdure::engine_options engine_options_for(const settings& s, const std::string& path);

/// A directory made with mkdtemp under $TMPDIR (or /tmp), removed with its files on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// A warning on stderr when `dir` is on tmpfs, where fsync costs nothing and the numbers say little.
void warn_if_memory_backed(const std::string& dir);

}   // namespace perdure::bench
