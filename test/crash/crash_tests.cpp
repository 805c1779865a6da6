// Durability under SIGKILL: a child process runs many workflows and is killed at random
// moments, again and again; then it runs to the end. Every workflow must complete with the
// results that were recorded, every recorded result must have been produced by a finished
// activity, no event may be lost or duplicated, and SQLite must find the file intact. The
// checks read through the store's interface, so the suite runs on each store (PERDURE_TEST_STORE).
#define BOOST_TEST_MODULE perdure crash
#include "crash_support.hpp"

#include "store/store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_store.hpp"

#include <boost/json/parse.hpp>
#include <filesystem>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using perdure::test::check_invariants;
using perdure::test::check_sqlite_file;
using perdure::test::fresh_database;
using perdure::test::read_lines;
using perdure::test::run_torture;
using perdure::test::slower_by;
using perdure::test::stored;

std::string worker_path() { return CRASH_WORKER; }

/// Runs the worker; kills it after `kill_after` unless it is null. Returns its exit status,
/// or -1 when it was killed.
int run_worker(const std::string& db, const std::string& side, int batches, int per_batch,
               std::optional<std::chrono::milliseconds> kill_after) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string b = std::to_string(batches), n = std::to_string(per_batch);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::execl(worker_path().c_str(), "crash-worker", db.c_str(), side.c_str(), b.c_str(), n.c_str(), nullptr);
        ::_exit(127);
    }
    if (kill_after) {
        // A real process killed at a random moment: this wait is the kill point, not a timing check.
        std::this_thread::sleep_for(*kill_after);
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return -1;
    return WEXITSTATUS(status);
}

}   // namespace

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_loses_nothing_and_repeats_no_recorded_step) {
    perdure::test::temp_dir dir;
    const auto db = fresh_database(dir);
    const auto side = dir.file("side.log");
    // Each round adds a batch, so every kill lands while workflows are in flight.
    constexpr int rounds = 24, per_batch = 25, workflows = rounds * per_batch;
    std::mt19937 rng(12345);
    int kills = 0;
    for (int round = 0; round < rounds; ++round) {
        const auto after = std::chrono::milliseconds(5 + rng() % 60) * slower_by();
        if (run_worker(db, side, round + 1, per_batch, after) == -1) ++kills;
    }
    BOOST_TEST(kills >= 20);
    BOOST_REQUIRE_EQUAL(run_worker(db, side, rounds, per_batch, std::nullopt), 0);

    std::set<std::string> produced;
    {
        std::ifstream in(side);
        for (std::string line; std::getline(in, line);) produced.insert(line);
    }

    check_sqlite_file(db);
    const stored reads(db);
    const auto runs = reads->list_runs(0, std::nullopt, 1000, 0);
    BOOST_TEST(runs.size() == static_cast<std::size_t>(workflows));
    for (const auto& run : runs) {
        BOOST_TEST_CONTEXT("workflow " << run.workflow_id) {
            BOOST_TEST((run.status == perdure::detail::run_status::completed));
            const auto history = reads->history(run.run_key);
            std::map<std::int64_t, std::string> results;   // scheduled event id -> recorded result
            std::map<std::int64_t, int> closes;
            int timers_started = 0, timers_fired = 0;
            for (std::size_t i = 0; i < history.size(); ++i) {
                const auto& e = history[i];
                BOOST_TEST(e.id == static_cast<std::int64_t>(i) + 1);   // no gap, no duplicate
                using perdure::detail::event_type;
                if (e.type == event_type::activity_task_completed) {
                    const auto sched = e.attrs.at("scheduled_event_id").as_int64();
                    results[sched] = e.attrs.at("result").as_string().c_str();
                    ++closes[sched];
                }
                if (e.type == event_type::activity_task_scheduled) closes.try_emplace(e.id, 0);
                timers_started += e.type == event_type::timer_started;
                timers_fired += e.type == event_type::timer_fired;
            }
            BOOST_TEST(results.size() == 5u);
            for (const auto& [sched, n] : closes) BOOST_TEST(n == 1);
            BOOST_TEST(timers_started == 1);
            BOOST_TEST(timers_fired == 1);
            std::string joined;
            for (const auto& [sched, r] : results) {
                BOOST_TEST(produced.contains(r), "recorded result " << r << " was never produced");
                joined += (joined.empty() ? "" : "|") + r;
            }
            const auto& close = history.back();
            BOOST_TEST(close.attrs.at("result").as_string().c_str() == joined);
        }
    }
}

namespace {

/// Runs the Nexus worker with a crash point armed (or none); returns its exit status, -1 when killed.
int run_nexus_worker(const std::string& db, const char* failpoint) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (failpoint) ::setenv("PERDURE_FAILPOINT", failpoint, 1);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::execl(NEXUS_CRASH_WORKER, "nexus-crash-worker", db.c_str(), nullptr);
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
}

}   // namespace

BOOST_AUTO_TEST_CASE(a_nexus_operation_completes_exactly_once_across_a_kill_at_each_delivery_point) {
    for (const char* point :
         {"nexus-scheduled-not-delivered", "nexus-started-not-recorded", "nexus-completed-not-recorded"}) {
        BOOST_TEST_CONTEXT(point) {
            perdure::test::temp_dir dir;
            const auto db = fresh_database(dir);
            BOOST_TEST(run_nexus_worker(db, point) == -1);   // it reached the point and died there
            BOOST_REQUIRE_EQUAL(run_nexus_worker(db, nullptr), 0);

            const stored reads(db);
            std::map<std::string, int> runs_by_type;
            std::int64_t caller = 0;
            for (const auto& run : reads->list_runs(0, std::nullopt, 100, 0)) {
                ++runs_by_type[run.workflow_type];
                BOOST_TEST((run.status == perdure::detail::run_status::completed));
                if (run.workflow_type == "Order") caller = run.run_key;
            }
            BOOST_TEST(runs_by_type["Fulfil"] == 1);   // the handler workflow was started once
            BOOST_TEST(runs_by_type["Order"] == 1);
            std::map<std::string, int> events;
            for (const auto& e : reads->history(caller)) ++events[perdure::detail::event_type_name(e.type)];
            BOOST_TEST(events["NexusOperationScheduled"] == 1);
            BOOST_TEST(events["NexusOperationStarted"] == 1);
            BOOST_TEST(events["NexusOperationCompleted"] == 1);
            const auto close = reads->last_event(caller);
            BOOST_TEST(close->attrs.at("result").as_string() == "packed o-1");
        }
    }
}

BOOST_AUTO_TEST_CASE(torture_a_mixed_workload_with_hundreds_of_kills) {
    const char* env = std::getenv("PERDURE_TORTURE_KILLS");
    const int kills_wanted = env ? std::atoi(env) : 200;
    perdure::test::temp_dir dir;
    auto db = fresh_database(dir);
    const auto side = dir.file("side.log");
    constexpr int workflows = 12;
    std::mt19937 rng(777);
    int kills = 0, completions = 0;
    for (int round = 0; kills < kills_wanted && round < kills_wanted * 3; ++round) {
        // A whole workload takes ~100 ms on SQLite.
        const auto after = std::chrono::microseconds(2000 + rng() % 120'000) * slower_by();
        const int status = run_torture(db, side, workflows, after);
        BOOST_TEST(status <= 0, "the worker failed with exit status " << status);
        if (status == -1) ++kills;
        // What the next life will reopen; a finished file is checked in full before it goes.
        const bool finished = status == 0;
        const int completed = check_invariants(db, side, finished);
        if (finished) {   // everything finished in this life: start over on a new database
            BOOST_TEST(completed == workflows);
            ++completions;
            std::filesystem::remove(db);
            std::filesystem::remove(db + "-wal");
            std::filesystem::remove(db + "-shm");
            db = fresh_database(dir);
        }
    }
    BOOST_TEST(kills >= kills_wanted);
    BOOST_TEST_MESSAGE(kills << " kills, " << completions << " workloads finished between kills");
    BOOST_REQUIRE_EQUAL(run_torture(db, side, workflows, std::nullopt), 0);
    BOOST_TEST(check_invariants(db, side, true) == workflows);
}

namespace {

struct life {
    int status = 0;       ///< exit status, -1 when killed
    std::string output;   ///< what it printed
};

/// Runs the cancel-crash worker. With `kill_on` it is killed as soon as it printed that line;
/// with `failpoint` it kills itself there.
life run_cancel_worker(const std::string& db, const std::string& side, const char* mode,
                       const char* failpoint = nullptr, const char* kill_on = nullptr) {
    int out[2];
    BOOST_REQUIRE(::pipe(out) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (failpoint) ::setenv("PERDURE_FAILPOINT", failpoint, 1);
        if (kill_on) ::setenv("FIRST_LIFE", "1", 1);
        ::alarm(60);   // a life that never ends fails the test instead of hanging it
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::execl(CANCEL_CRASH_WORKER, "cancel-crash-worker", db.c_str(), side.c_str(), mode, nullptr);
        ::_exit(127);
    }
    ::close(out[1]);
    life l;
    char buf[256];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
        l.output.append(buf, static_cast<std::size_t>(n));
        if (kill_on && l.output.find(kill_on) != std::string::npos) ::kill(pid, SIGKILL);
    }
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    l.status = WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
    return l;
}

std::map<std::string, int> event_counts(const stored& reads, std::int64_t run_key) {
    std::map<std::string, int> n;
    for (const auto& e : reads->history(run_key)) ++n[perdure::detail::event_type_name(e.type)];
    return n;
}

std::map<std::string, perdure::detail::execution_row> runs_by_type(const stored& reads) {
    std::map<std::string, perdure::detail::execution_row> out;
    for (auto& r : reads->list_runs(0, std::nullopt, 100, 0)) out[r.workflow_type] = r;
    return out;
}

}   // namespace

BOOST_AUTO_TEST_CASE(an_activity_that_only_waited_for_a_thread_is_not_counted_as_run_after_a_kill) {
    perdure::test::temp_dir dir;
    const auto db = fresh_database(dir), side = dir.file("side.log");
    BOOST_TEST(run_cancel_worker(db, side, "queued", nullptr, "hold started").status == -1);
    const auto second = run_cancel_worker(db, side, "queued");
    BOOST_REQUIRE_EQUAL(second.status, 0);
    // Hold was running: its one attempt counts as timed out and never runs again. Queued was
    // only waiting for the thread: it runs, on its first attempt.
    BOOST_TEST(second.output == "timeout START_TO_CLOSE;ok;\n");
    const auto lines = read_lines(side);
    BOOST_TEST(lines.size() == 2u);
    BOOST_TEST(lines.contains("hold ran"));
    BOOST_TEST(lines.contains("queued ran on attempt 1"));
}

BOOST_AUTO_TEST_CASE(an_activity_cancel_request_committed_before_a_kill_reaches_the_activity_after_reopening) {
    perdure::test::temp_dir dir;
    const auto db = fresh_database(dir), side = dir.file("side.log");
    BOOST_TEST(run_cancel_worker(db, side, "activity-cancel", "activity-cancel-requested").status == -1);
    BOOST_REQUIRE(read_lines(side).empty());   // killed before the attempt could hear of it
    const auto second = run_cancel_worker(db, side, "activity-cancel");
    BOOST_REQUIRE_EQUAL(second.status, 0);
    BOOST_TEST(second.output == "activity canceled\n");
    BOOST_TEST(read_lines(side).contains("waiter saw the cancel on attempt 2"));
    const stored reads(db);
    auto events = event_counts(reads, runs_by_type(reads).at("CancelActivity").run_key);
    BOOST_TEST(events["ActivityTaskCancelRequested"] == 1);
    BOOST_TEST(events["ActivityTaskCanceled"] == 1);
    BOOST_TEST(events["ActivityTaskCompleted"] + events["ActivityTaskFailed"] + events["ActivityTaskTimedOut"] == 0);
}

BOOST_AUTO_TEST_CASE(a_nexus_cancel_request_committed_before_a_kill_cancels_the_handler_after_reopening) {
    perdure::test::temp_dir dir;
    const auto db = fresh_database(dir), side = dir.file("side.log");
    BOOST_TEST(run_cancel_worker(db, side, "nexus-cancel", "nexus-cancel-requested").status == -1);
    const auto second = run_cancel_worker(db, side, "nexus-cancel");
    BOOST_REQUIRE_EQUAL(second.status, 0);
    BOOST_TEST(second.output == "operation canceled\n");
    const stored reads(db);
    const auto runs = runs_by_type(reads);
    BOOST_TEST((runs.at("LongJob").status == perdure::detail::run_status::canceled));
    auto caller = event_counts(reads, runs.at("CancelNexus").run_key);
    BOOST_TEST(caller["NexusOperationCancelRequested"] == 1);
    BOOST_TEST(caller["NexusOperationCancelRequestCompleted"] == 1);
    BOOST_TEST(caller["NexusOperationCanceled"] == 1);
    auto handler = event_counts(reads, runs.at("LongJob").run_key);
    BOOST_TEST(handler["WorkflowExecutionCancelRequested"] == 1);
}
