// A quick probe: per-step latency of one workflow running sequential activities, next to
// the latency of one fsynced SQLite WAL commit on the same disk.
#include <perdure/perdure.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

static std::vector<steady::time_point> stamps;

int echo(perdure::activity_context&, int i) {
    stamps.push_back(steady::now());
    return i;
}
const perdure::activity_def echo_activity{"Echo", &echo};

perdure::workflow<int> steps(perdure::workflow_context& ctx, int n) {
    int sum = 0;
    for (int i = 0; i < n; ++i) sum += co_await ctx.execute_activity(echo_activity, i, {.start_to_close_timeout = 10s});
    co_return sum;
}
const perdure::workflow_def steps_workflow{"Steps", &steps};

double fsync_commit_us(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x INTEGER, y TEXT);", nullptr, nullptr, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, 'a small row of text')", -1, &s, nullptr);
    const int n = 500;
    const auto t0 = steady::now();
    for (int i = 0; i < n; ++i) {
        sqlite3_bind_int(s, 1, i);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    const auto t1 = steady::now();
    sqlite3_finalize(s);
    sqlite3_close(db);
    return std::chrono::duration<double, std::micro>(t1 - t0).count() / n;
}

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "/tmp";
    const int n = argc > 2 ? std::stoi(argv[2]) : 1000;
    std::filesystem::remove(dir + "/probe-sqlite.db");
    std::filesystem::remove(dir + "/probe.db");
    std::printf("fsync_commit_us %.1f\n", fsync_commit_us(dir + "/probe-sqlite.db"));
    stamps.reserve(static_cast<std::size_t>(n));
    perdure::engine engine({.database = dir + "/probe.db", .activity_threads = 1});
    engine.namespaces().ensure("bench");
    engine.add_worker("bench", "q").register_workflow(steps_workflow).register_activity(echo_activity);
    engine.start();
    auto run = engine.client_for("bench").start_workflow(steps_workflow, n, {.id = "probe", .task_queue = "q"});
    run.get();
    std::vector<double> gaps;
    for (std::size_t i = 1; i < stamps.size(); ++i)
        gaps.push_back(std::chrono::duration<double, std::micro>(stamps[i] - stamps[i - 1]).count());
    std::sort(gaps.begin(), gaps.end());
    double mean = 0;
    for (double g : gaps) mean += g;
    mean /= static_cast<double>(gaps.size());
    std::printf("step mean_us %.1f p50_us %.1f p99_us %.1f\n", mean, gaps[gaps.size() / 2], gaps[gaps.size() * 99 / 100]);
}
