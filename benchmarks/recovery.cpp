// recovery: a child process starts many workflows that each run one activity and then wait on
// a durable timer; once every timer is recorded the child is killed with SIGKILL, and this
// process reopens the same database and times until its engine is open (on PostgreSQL: the dead
// engine's shards taken over), until the first workflow completes, and until every one has.
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

void run_recovery(const settings& s) {
    const std::size_t workflows = s.size(100'000, 50);
    const int sleep_ms = static_cast<int>(s.size(1000, 200));
    const perdure::workflow_def<int, int> def{"Parked", parked{sleep_ms}};
    const std::string path = fresh_database(s, "recovery");

    // Forked before this process starts any thread, so the child is an ordinary process.
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) run_child(s, path, def, workflows);

    // A workflow is parked once its timer is committed; with the child's clock standing still,
    // none goes further. Every timer is due sleep_ms after the child's frozen clock.
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
    const auto completed_before = count_runs(path, perdure::detail::run_status::completed);
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
        r = drive(engine.client_for("bench"), def,
                  {.count = workflows,
                   .in_flight = workflows,   // every result awaited from the start, none read back after its close
                   .id_prefix = "rec-",
                   .task_queue = "bench",
                   .what = drive_options::mode::wait_only});
    }
    const auto completed = count_runs(path, perdure::detail::run_status::completed);
    remove_database(s, path);
    if (completed != static_cast<std::int64_t>(workflows)) throw std::runtime_error("not every workflow completed");
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

}   // namespace perdure::bench
