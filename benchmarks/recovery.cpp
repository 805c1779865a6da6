// recovery: a child process starts many workflows that each run one activity and then wait on
// a durable timer; once every timer is recorded the child is killed with SIGKILL, and this
// process reopens the same database and times until its engine is open (on PostgreSQL: the dead
// engine's shards taken over), until the first workflow completes, and until every one has.
// failover (PostgreSQL): the same, but this process's engine was already open and started beside
// the child's, standing by, and takes over by itself; timed from the kill.
#include "common.hpp"
#include "driver.hpp"
#include "scenarios.hpp"
#include "store_counts.hpp"

#include <perdure/perdure.hpp>

#include <csignal>
#include <iostream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;

namespace perdure::bench {
namespace {

int prepare(perdure::activity_context&, int i) { return i; }
const perdure::activity_def prepare_activity{"Prepare", &prepare};

perdure::workflow<int> parked_impl(perdure::workflow_context& ctx, int i, int sleep_ms) {
    const int prepared = co_await ctx.execute_activity(prepare_activity, i, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(std::chrono::milliseconds(sleep_ms));
    co_return prepared;
}

/// The timer's length is fixed by the run's size, and the same in both processes.
struct parked {
    int sleep_ms;
    perdure::workflow<int> operator()(perdure::workflow_context& ctx, int i) const {
        return parked_impl(ctx, i, sleep_ms);
    }
};

[[noreturn]] void run_child(const settings& s, const std::string& path, const perdure::workflow_def<int, int>& def,
                            std::size_t workflows) {
    try {
        // Time stands still in the child, so no timer fires before the kill: every workflow is
        // parked when it dies, and their timers come due within a second of the start, as
        // measured by the system clock after the reopen.
        auto options = engine_options_for(s, path);
        options.clock = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now());
        perdure::engine engine(options);
        engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(def).register_activity(prepare_activity);
        engine.start();
        drive(
            engine.client_for("bench"), def,
            {.count = workflows, .id_prefix = "rec-", .task_queue = "bench", .what = drive_options::mode::start_only});
        for (;;) ::pause();   // runs on until killed
    } catch (const std::exception& e) {
        std::cerr << "perdure-bench: recovery child: " << e.what() << std::endl;
    }
    ::_exit(1);
}

}   // namespace

namespace {

/// Runs the child until every workflow is parked, then kills it. Returns how many had completed.
std::int64_t park_and_kill(const std::string& path, pid_t child, std::size_t workflows) {
    // A workflow is parked once its timer is committed; with the child's clock standing still,
    // none goes further.
    const auto deadline = steady::now() + 240s;
    for (;;) {
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) throw std::runtime_error("the recovery child exited early");
        if (steady::now() > deadline) {
            ::kill(child, SIGKILL);
            ::waitpid(child, &status, 0);
            throw std::runtime_error("the recovery child did not park its workflows in time");
        }
        const auto timers = read_pending_timers(path);
        if (timers && timers->count == static_cast<std::int64_t>(workflows)) break;
        std::this_thread::sleep_for(20ms);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    return count_runs(path, perdure::detail::run_status::completed);
}

/// Every workflow's result, awaited from the start (none read back after its close).
drive_result await_all(perdure::engine& engine, const perdure::workflow_def<int, int>& def, std::size_t workflows) {
    return drive(engine.client_for("bench"), def,
                 {.count = workflows,
                  .in_flight = workflows,
                  .id_prefix = "rec-",
                  .task_queue = "bench",
                  .what = drive_options::mode::wait_only});
}

void check_all_completed(const std::string& path, std::size_t workflows) {
    if (count_runs(path, perdure::detail::run_status::completed) != static_cast<std::int64_t>(workflows))
        throw std::runtime_error("not every workflow completed");
}

}   // namespace

void run_recovery(const settings& s) {
    const std::size_t workflows = s.size(100'000, 50);
    const int sleep_ms = static_cast<int>(s.size(1000, 200));
    const perdure::workflow_def<int, int> def{"Parked", parked{sleep_ms}};
    const std::string path = fresh_database(s, "recovery");

    // Forked before this process starts any thread, so the child is an ordinary process.
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) run_child(s, path, def, workflows);
    const auto completed_before = park_and_kill(path, child, workflows);
    // Every timer is due sleep_ms after the child's frozen clock.
    const auto last_timer_due_us = read_pending_timers(path).value_or(pending_timers{}).last_due_us;

    const auto reopen = steady::now();
    const auto reopen_us = system_now_us();
    drive_result r;
    steady::time_point opened;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.add_worker("bench", "bench").register_workflow(def).register_activity(prepare_activity);
        engine.start();
        opened = steady::now();
        r = await_all(engine, def, workflows);
    }
    check_all_completed(path, workflows);
    remove_database(s, path);
    emit({{"scenario", "recovery"},
          {"workflows", workflows},
          {"complete_after_reopen_ms", elapsed_ms(reopen, r.last_closed)},
          {"reopen_ms", elapsed_ms(reopen, opened)},
          {"first_complete_after_reopen_ms", elapsed_ms(reopen, r.first_closed)},
          {"sleep_ms", sleep_ms},
          {"last_timer_due_after_reopen_ms",
           std::max<double>(0, static_cast<double>(last_timer_due_us - reopen_us) / 1000)},
          {"completed_before_kill", completed_before},
          {"durability", to_string(s.durability)}});
}

void run_failover(const settings& s) {
    const std::size_t workflows = s.size(10'000, 50);
    // Short timers: due by the time the standby has taken over, so what is timed is the takeover.
    const perdure::workflow_def<int, int> def{"Parked", parked{1}};
    const std::string path = fresh_database(s, "failover");
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) run_child(s, path, def, workflows);
    // Opened once the child owns the database (a first timer is recorded), so this one stands by.
    const auto deadline = steady::now() + 60s;
    for (auto t = read_pending_timers(path); (!t || t->count == 0) && steady::now() < deadline;
         t = read_pending_timers(path))
        std::this_thread::sleep_for(20ms);
    perdure::engine standby(engine_options_for(s, path));
    standby.add_worker("bench", "bench").register_workflow(def).register_activity(prepare_activity);
    standby.start();
    const auto completed_before = park_and_kill(path, child, workflows);
    const auto killed = steady::now();
    const auto r = await_all(standby, def, workflows);
    check_all_completed(path, workflows);
    standby.shutdown();
    remove_database(s, path);
    emit({{"scenario", "failover"},
          {"workflows", workflows},
          {"first_complete_after_kill_ms", elapsed_ms(killed, r.first_closed)},
          {"complete_after_kill_ms", elapsed_ms(killed, r.last_closed)},
          {"completed_before_kill", completed_before},
          {"durability", to_string(s.durability)}});
}

}   // namespace perdure::bench
