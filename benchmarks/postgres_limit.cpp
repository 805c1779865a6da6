// postgres_limit: what the PostgreSQL server of --store does in this run, the floor the engine
// scenarios on it are judged against: one round trip, one single-row commit with
// synchronous_commit on, and the writer mix (the throughput shape's writes, 500 workflows a
// transaction, as writer_mix does on SQLite) through the PostgreSQL store's own writer.
#include "common.hpp"
#include "postgres_databases.hpp"
#include "scenarios.hpp"
#include "writer_mix.hpp"

#if PERDURE_BENCH_POSTGRESQL
// The floor sits below the engine: the store's connection wrapper and the store itself.
#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <iostream>
#include <mutex>
#endif

#include <stdexcept>
#include <string>

namespace perdure::bench {

#if PERDURE_BENCH_POSTGRESQL
namespace {

using namespace perdure::detail;

struct server_floor {
    std::vector<double> round_trip_us;
    std::vector<double> commit_us;
    std::string fsync, synchronous_commit;
};

/// Round trips (SELECT 1) and single-row autocommit inserts, each commit waiting for the
/// server's WAL flush (synchronous_commit on, whatever the server's default).
server_floor measure_server(const std::string& uri, std::size_t commits) {
    server_floor out;
    pg::connection c(uri, "perdure-bench");
    c.run("SET synchronous_commit = on");
    out.fsync = std::string(c.exec("SHOW fsync").text(0, 0));
    out.synchronous_commit = std::string(c.exec("SHOW synchronous_commit").text(0, 0));
    // The store's connections look only in schema perdure; this table is not perdure's.
    c.run("CREATE TABLE public.commit_floor(id bigserial PRIMARY KEY, v text NOT NULL)");
    const std::string small = R"({"result":1,"scheduled_event_id":3,"started_event_id":4})";
    const auto insert = [&] { c.exec("INSERT INTO public.commit_floor(v) VALUES($1)", pg::params(small)); };
    // The first of each prepares its statement: not part of the floor.
    c.exec("SELECT 1");
    insert();
    for (std::size_t i = 0; i < commits; ++i) {
        const auto t0 = steady::now();
        c.exec("SELECT 1");
        out.round_trip_us.push_back(elapsed_us(t0));
    }
    for (std::size_t i = 0; i < commits; ++i) {
        const auto t0 = steady::now();
        insert();
        out.commit_us.push_back(elapsed_us(t0));
    }
    return out;
}

struct mix_result {
    double workflows_per_second = 0;
    std::size_t ops = 0;
    std::uint64_t batches = 0;
};

/// The throughput scenario's writes, appended to the PostgreSQL store `per_tx` workflows at a
/// time, each unit waited for: one writer transaction per unit (BEGIN, the shard fence, every
/// statement, the progress row and COMMIT pipelined), as the engine's writer commits. Only
/// appending and committing is timed, as the engine's writer receives its operations ready-made.
mix_result writer_mix(const settings& s, const std::string& uri, std::size_t workflows, std::size_t per_tx) {
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t committed = 0;
    std::string failure;
    commit_callbacks callbacks{.committed =
                                   [&](std::uint64_t last) {
                                       const std::lock_guard lock(m);
                                       committed = last;
                                       cv.notify_all();
                                   },
                               .failed =
                                   [&](std::uint64_t, commit_failure f) {
                                       const std::lock_guard lock(m);
                                       failure = f.message;
                                       cv.notify_all();
                                   }};
    auto db = open_store({.database = uri, .durability = s.durability}, open_mode::owner, std::move(callbacks));
    mix_result out;
    double seconds = 0;
    for (std::size_t done = 0; done < workflows; done += per_tx) {
        const auto n = std::min(per_tx, workflows - done);
        auto ops = throughput_writes(1 + static_cast<std::int64_t>(done), n, 3, system_now_us());
        out.ops += ops.size();
        const auto t0 = steady::now();
        const auto seq = db->append(std::move(ops));
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return committed >= seq || !failure.empty(); });
        if (!failure.empty()) throw std::runtime_error(failure);
        seconds += elapsed_us(t0) / 1e6;
    }
    out.batches = db->batches();
    db->close();
    out.workflows_per_second = static_cast<double>(workflows) / seconds;
    return out;
}

}   // namespace

void run_postgres_limit(const settings& s) {
    if (!s.on_postgres())
        throw std::invalid_argument("postgres_limit measures a server: give --store postgresql://...");
    const auto commits = s.size(500, 20);
    const std::string floor_uri = fresh_database(s, "postgres_limit");
    server_floor server;
    try {
        server = measure_server(floor_uri, commits);
    } catch (const pg::failure& f) {
        remove_database(s, floor_uri);
        throw std::runtime_error("PostgreSQL: " + f.message);
    }
    remove_database(s, floor_uri);
    if (server.fsync != "on")
        std::cerr << "perdure-bench: warning: the server runs with fsync " << server.fsync
                  << ", so its commits never reach the disk; start it with fsync on to measure\n";

    const std::size_t workflows = s.size(20'000, 1'000);
    const std::string mix_uri = fresh_database(s, "postgres_writer_mix");
    mix_result mix;
    try {
        mix = writer_mix(s, mix_uri, workflows, 500);
    } catch (...) {
        remove_database(s, mix_uri);
        throw;
    }
    remove_database(s, mix_uri);
    const auto commit = summarize(server.commit_us);
    const auto round_trip = summarize(server.round_trip_us);
    emit({{"scenario", "postgres_limit"},
          {"pg_commit_us", commit.mean},
          {"pg_writer_mix_workflows_per_second", mix.workflows_per_second},
          {"durability", to_string(s.durability)},
          {"pg_commit_p50_us", commit.p50},
          {"pg_commit_p99_us", commit.p99},
          {"pg_round_trip_us", round_trip.mean},
          {"pg_round_trip_p50_us", round_trip.p50},
          {"pg_writer_mix_rows_per_workflow", static_cast<double>(mix.ops) / static_cast<double>(workflows)},
          {"pg_writer_mix_commits", mix.batches},
          {"server_fsync", server.fsync}});
}

#else

void run_postgres_limit(const settings&) {
    throw std::runtime_error("this perdure-bench was built without libpq (the postgresql feature)");
}

#endif

}   // namespace perdure::bench
