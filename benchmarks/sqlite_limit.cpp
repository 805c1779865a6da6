// sqlite_limit: what raw SQLite does on this disk in this run, the ceiling every other number
// is judged against: one fsynced commit, one synchronous=NORMAL commit, one step's rows, batched
// history inserts, and the engine's own writes for the throughput shape with no engine around them.
#include "common.hpp"
#include "scenarios.hpp"
#include "writer_mix.hpp"

// The one scenario below the store interface: raw SQLite is the floor of every ratio by definition.
#include "store/sqlite/database.hpp"
#include "store/sqlite/writes.hpp"

#include <stdexcept>
#include <string>

namespace perdure::bench {
namespace {

using namespace perdure::detail;

struct commit_latencies {
    std::vector<double> growing_wal_us;   ///< each commit extends the WAL file (its size changes)
    std::vector<double> reused_wal_us;    ///< after a checkpoint: commits overwrite the WAL from its start
};

/// Per-commit latencies of single-row autocommit inserts into a WAL database, first while the
/// WAL grows, then, after a checkpoint, while it is rewritten in place: the steady state of a
/// long-running writer, and the cheaper of the two (no file-size change to journal).
commit_latencies measure_commits(const std::string& path, const char* synchronous, std::size_t commits) {
    commit_latencies out;
    {
        sql::connection c(path, false, false);
        c.exec("PRAGMA journal_mode=WAL");
        c.exec(std::string("PRAGMA synchronous=") + synchronous);
        c.exec("PRAGMA wal_autocheckpoint=0");
        c.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        auto& insert = c.cached("INSERT INTO t(v) VALUES(?)");
        const std::string small = R"({"result":1,"scheduled_event_id":3,"started_event_id":4})";
        auto commit_all = [&](std::vector<double>& into) {
            for (std::size_t i = 0; i < commits; ++i) {
                const auto t0 = steady::now();
                insert.bind(1, small).run();
                into.push_back(elapsed_us(t0));
            }
        };
        commit_all(out.growing_wal_us);
        c.exec("PRAGMA wal_checkpoint(PASSIVE)");
        commit_all(out.reused_wal_us);
    }
    remove_database(path);
    return out;
}

/// Per-commit latencies of the rows one step of step_latency writes (an activity's close with
/// its ActivityTaskStarted, and the next ActivityTaskScheduled), with the engine's schema and
/// statements, one fsynced commit per step and the writer's checkpoint rule: the disk's share
/// of a step.
std::vector<double> measure_step_commits(const settings& s, std::size_t steps) {
    const std::string path = fresh_database(s, "sqlite-steps");
    std::vector<double> out;
    {
        database db(path, perdure::durability::full);
        auto c = db.connect();
        c->exec("PRAGMA wal_autocheckpoint=1024");
        std::vector<write_op> ops;
        start_writes(ops, 1, system_now_us());
        for (int k = 0; k <= static_cast<int>(steps); ++k) {
            if (k > 0) step_writes(ops, 1, k, false, system_now_us());
            const auto t0 = steady::now();
            sql::transaction tx(*c);
            for (const auto& op : ops) apply_write(*c, op);
            tx.commit();
            if (k > 0) out.push_back(elapsed_us(t0));
            ops.clear();
        }
    }
    remove_database(path);
    return out;
}

/// Rows per second of history rows (the mean size of the throughput shape's) inserted with the
/// engine's prepared statement in transactions of `per_tx`.
double batch_rows_per_second(const settings& s, std::size_t rows, std::size_t per_tx) {
    const std::string path = fresh_database(s, "sqlite-batch");
    double seconds = 0;
    {
        database db(path, s.durability);
        auto c = db.connect();
        // The stored attributes are 128 bytes of text, as they reach the writer.
        insert_event row{0, event{0, event_type::activity_task_completed, 0, {}}};
        row.attrs.assign(128, 'x');
        const auto start = system_now_us();
        for (std::size_t done = 0; done < rows;) {
            const auto t0 = steady::now();
            sql::transaction tx(*c);
            for (std::size_t i = 0; i < per_tx && done < rows; ++i, ++done) {
                const auto n = static_cast<std::int64_t>(done);
                row.run_key = 1 + n / 15;
                row.event_id = 1 + n % 15;
                row.time_us = start + n;
                apply_write(*c, row);
            }
            tx.commit();
            seconds += elapsed_us(t0) / 1e6;
        }
    }
    remove_database(path);
    return static_cast<double>(rows) / seconds;
}

struct mix_result {
    double workflows_per_second = 0;
    std::size_t ops = 0;
};

/// The writer-mix ceiling: the throughput scenario's writes, applied by apply_write in one
/// transaction per `per_tx` workflows. Only applying and committing is timed, as the engine's
/// writer receives its operations ready-made.
mix_result writer_mix(const settings& s, std::size_t workflows, std::size_t per_tx) {
    const std::string path = fresh_database(s, "sqlite-writer-mix");
    mix_result out;
    double seconds = 0;
    {
        database db(path, s.durability);
        auto c = db.connect();
        // The engine's writer runs a passive checkpoint once the WAL passes 1024 pages.
        c->exec("PRAGMA wal_autocheckpoint=1024");
        for (std::size_t done = 0; done < workflows; done += per_tx) {
            const auto n = std::min(per_tx, workflows - done);
            const auto ops = throughput_writes(1 + static_cast<std::int64_t>(done), n, 3, system_now_us());
            out.ops += ops.size();
            const auto t0 = steady::now();
            sql::transaction tx(*c);
            for (const auto& op : ops) apply_write(*c, op);
            tx.commit();
            seconds += elapsed_us(t0) / 1e6;
        }
    }
    remove_database(path);
    out.workflows_per_second = static_cast<double>(workflows) / seconds;
    return out;
}

void measure_limits(const settings& s) {
    const auto commits = s.size(500, 20);
    const auto fsync_runs = measure_commits(fresh_database(s, "sqlite-fsync"), "FULL", commits);
    const auto normal_runs = measure_commits(fresh_database(s, "sqlite-normal"), "NORMAL", commits);
    const auto fsynced = summarize(fsync_runs.reused_wal_us);
    const auto fsynced_growing = summarize(fsync_runs.growing_wal_us);
    const auto normal = summarize(normal_runs.reused_wal_us);
    const auto step_commit = summarize(measure_step_commits(s, s.size(1000, 20)));
    const auto rows = batch_rows_per_second(s, s.size(200'000, 2'000), 5'000);
    const std::size_t workflows = s.size(20'000, 1'000);
    const auto mix = writer_mix(s, workflows, 500);
    emit({{"scenario", "sqlite_limit"},
          {"fsync_commit_us", fsynced.mean},
          {"normal_commit_us", normal.mean},
          {"batch_rows_per_second", rows},
          {"writer_mix_workflows_per_second", mix.workflows_per_second},
          {"durability", to_string(s.durability)},
          {"fsync_commit_p50_us", fsynced.p50},
          {"fsync_commit_p99_us", fsynced.p99},
          {"fsync_commit_growing_wal_us", fsynced_growing.mean},
          {"fsync_step_commit_us", step_commit.mean},
          {"fsync_step_commit_p50_us", step_commit.p50},
          {"normal_commit_p50_us", normal.p50},
          {"writer_mix_rows_per_workflow", static_cast<double>(mix.ops) / static_cast<double>(workflows)},
          {"writer_mix_rows_per_second",
           mix.workflows_per_second * static_cast<double>(mix.ops) / static_cast<double>(workflows)}});
}

}   // namespace

void run_sqlite_limit(const settings& s) {
    try {
        measure_limits(s);
    } catch (const sql::sqlite_failure& f) {
        // The SQL wrapper's failures are no std::exception; the driver reports only those.
        throw std::runtime_error("SQLite error " + std::to_string(f.code) + ": " + f.message);
    }
}

}   // namespace perdure::bench
