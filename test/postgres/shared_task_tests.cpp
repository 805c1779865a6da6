// The shared task table: an activity whose task queue no worker of the owner serves runs on
// another engine sharing the database that serves it, as a Temporal worker polls a queue: its
// result, failures, heartbeats and cancellation go between the engines, and an attempt whose
// engine is killed times out and runs again elsewhere.
#include "beside_engines.hpp"

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"
#include "support/postgres_cluster.hpp"

#include <perdure/perdure.hpp>

#include <boost/asio/ip/host_name.hpp>
#include <boost/describe.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using namespace perdure::detail;
using perdure::test::first;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
using perdure::test::read_line;
using perdure::test::soon;

namespace {

struct job {
    std::string activity;
    int arg = 0;
    std::int64_t start_to_close_ms = 10'000;
    std::int64_t heartbeat_ms = 0;
};
BOOST_DESCRIBE_STRUCT(job, (), (activity, arg, start_to_close_ms, heartbeat_ms))

/// Runs one activity on the queue "beside" (which the owner's worker does not serve); returns
/// its result. Cancelled, the run waits for the activity's cancellation to complete.
perdure::workflow<std::string> call_beside(perdure::workflow_context& ctx, job j) {
    perdure::activity_options o{.start_to_close_timeout = std::chrono::milliseconds(j.start_to_close_ms),
                                .heartbeat_timeout = std::chrono::milliseconds(j.heartbeat_ms),
                                .retry = perdure::retry_policy{.initial_interval = 10ms},
                                .task_queue = "beside",
                                .cancellation = perdure::cancellation_type::wait_completed};
    co_return co_await ctx.execute_activity<std::string>(j.activity, j.arg, o);
}
const perdure::workflow_def call_workflow{"CallBeside", &call_beside};

std::atomic<int> shouts{0};
std::string shout(perdure::activity_context& ctx, int n) {
    ++shouts;
    return "shout " + std::to_string(n) + " in " + ctx.info().ns + " for " + ctx.info().workflow_id;
}
const perdure::activity_def shout_activity{"Shout", &shout};

/// Heartbeats 1, 2, 3 and fails on its first attempt; the next resumes from the last details.
std::string resume(perdure::activity_context& ctx, int) {
    const int from =
        ctx.info().heartbeat_details.is_int64() ? static_cast<int>(ctx.info().heartbeat_details.as_int64()) : 0;
    for (int i = from; i < 5; ++i) {
        ctx.heartbeat(i + 1);
        if (ctx.info().attempt == 1 && i == 2) throw std::runtime_error("lost connection");
    }
    return "resumed from " + std::to_string(from) + " on attempt " + std::to_string(ctx.info().attempt);
}
const perdure::activity_def resume_activity{"Resume", &resume};

/// Heartbeats until its cancellation reaches it, then says so.
std::promise<void> patient_canceled;
std::string patient(perdure::activity_context& ctx, int) {
    try {
        for (;;) {
            ctx.heartbeat();
            std::this_thread::sleep_for(5ms);   // the work between two heartbeats
        }
    } catch (const perdure::canceled_error&) {
        patient_canceled.set_value();
        throw;
    }
}
const perdure::activity_def patient_activity{"Patient", &patient};

/// Says it runs, then never finishes.
std::string stuck(perdure::activity_context&, int) { perdure::test::run_stuck(); }
const perdure::activity_def stuck_activity{"Shout", &stuck};

perdure::engine_options on(const std::string& uri) { return {.database = uri, .durability = perdure::durability::off}; }

/// An engine owning the database at `uri`, whose worker runs the workflow but no activity.
std::unique_ptr<perdure::engine> started_owner(const std::string& uri) {
    auto owner = std::make_unique<perdure::engine>(on(uri));
    owner->namespaces().ensure("default");
    owner->add_worker("default", "workflows").register_workflow(call_workflow);
    owner->start();
    return owner;
}

/// An engine beside the owner serving the activities on "beside", started: it stands by.
std::unique_ptr<perdure::engine> started_beside(const std::string& uri) {
    auto beside = std::make_unique<perdure::engine>(on(uri));
    beside->add_worker("default", "beside")
        .register_activity(shout_activity)
        .register_activity(resume_activity)
        .register_activity(patient_activity);
    beside->start();
    return beside;
}

perdure::workflow_handle<std::string> call(perdure::engine& e, const std::string& id, job j) {
    return e.client_for("default").start_workflow(call_workflow, j, {.id = id, .task_queue = "workflows"});
}

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_shared_tasks, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(an_activity_on_a_queue_the_owner_does_not_serve_runs_on_the_engine_that_serves_it) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    shouts = 0;
    for (int i = 0; i < 3; ++i) {
        auto run = call(*owner, "shout-" + std::to_string(i), {"Shout", i});
        BOOST_TEST(run.get() == "shout " + std::to_string(i) + " in default for shout-" + std::to_string(i));
        const auto h = run.history();
        BOOST_TEST(first(h, "ActivityTaskStarted").attributes.at("attempt").as_int64() == 1);
        // As Temporal records the worker that took the task: the engine that ran it.
        BOOST_TEST(first(h, "ActivityTaskStarted").attributes.at("identity").as_string() ==
                   boost::asio::ip::host_name() + ":" + std::to_string(::getpid()));
        BOOST_TEST(first(h, "ActivityTaskCompleted").attributes.at("result").as_string() ==
                   "shout " + std::to_string(i) + " in default for shout-" + std::to_string(i));
    }
    BOOST_TEST(shouts == 3);
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_beside_is_retried_and_its_last_heartbeat_reaches_the_next) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    // Heartbeats are throttled (the first is sent, 2 and 3 are held): the failure carries 3.
    auto run = call(*owner, "resume", {"Resume", 0});
    BOOST_TEST(run.get() == "resumed from 3 on attempt 2");
    const auto h = run.history();
    const auto& started = first(h, "ActivityTaskStarted").attributes;
    BOOST_TEST(started.at("attempt").as_int64() == 2);
    BOOST_TEST(started.at("last_failure").at("message").as_string() == "lost connection");
}

BOOST_AUTO_TEST_CASE(cancelling_reaches_an_activity_running_beside_through_its_heartbeats) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    patient_canceled = {};
    auto canceled = patient_canceled.get_future();
    auto run = call(*owner, "patient", {"Patient", 0, 60'000, 1'000});
    // Running beside, it is described as started by the owner.
    for (int i = 0;
         i < 2000 && run.describe().pending_activities.at(0).state != perdure::pending_activity_state::started; ++i)
        std::this_thread::sleep_for(5ms);
    BOOST_REQUIRE(run.describe().pending_activities.at(0).state == perdure::pending_activity_state::started);
    // Its heartbeats reach the owner (the first at once, then one per 0.8 s throttle interval).
    BOOST_TEST(soon([&] {
        return run.describe().pending_activities.at(0).last_heartbeat_time != std::chrono::system_clock::time_point{};
    }));
    run.cancel();
    BOOST_REQUIRE(canceled.wait_for(10s) == std::future_status::ready);
    BOOST_CHECK_THROW(run.get(), perdure::workflow_failed_error);
    BOOST_TEST((run.describe().status == perdure::workflow_status::canceled));
    const auto h = run.history();
    BOOST_TEST(first(h, "ActivityTaskCanceled").attributes.at("scheduled_event_id").as_int64() ==
               first(h, "ActivityTaskScheduled").event_id);
}

BOOST_AUTO_TEST_CASE(an_attempt_whose_engine_is_killed_times_out_and_runs_again_on_another) {
    const auto uri = postgres_cluster::instance().create_database();
    perdure::test::stuck_process stuck_beside(uri, [](const std::string& at) {
        auto beside = std::make_unique<perdure::engine>(on(at));
        beside->add_worker("default", "beside").register_activity(stuck_activity);
        beside->start();
        return beside;
    });
    const auto owner = started_owner(uri);
    stuck_beside.go();
    shouts = 0;
    auto run = call(*owner, "killed", {"Shout", 7, 1'000});
    BOOST_REQUIRE(stuck_beside.kill_once_running());

    // The owner's start-to-close timeout ends the lost attempt; the next runs here.
    const auto beside = started_beside(uri);
    BOOST_TEST(run.get() == "shout 7 in default for killed");
    BOOST_TEST(shouts == 1);
    const auto h = run.history();
    const auto& started = first(h, "ActivityTaskStarted").attributes;
    BOOST_TEST(started.at("attempt").as_int64() == 2);
    BOOST_TEST(started.at("last_failure").at("timeout_failure_info").at("timeout_type").as_string() ==
               "START_TO_CLOSE");
}

BOOST_AUTO_TEST_CASE(an_attempt_whose_claimer_died_before_its_start_runs_after_its_start_to_close_timeout) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    auto run = call(*owner, "lost-claim", {"Shout", 8, 1'000});
    // An engine that dies right after its claim: the claim is all it did.
    const auto ns_id = pg::connection(uri, "perdure tests")
                           .exec("SELECT ns_id FROM perdure.namespaces WHERE name = 'default'")
                           .int64(0, 0);
    const auto lost = open_store({.database = uri}, open_mode::reader);
    BOOST_REQUIRE(soon(
        [&] { return !lost->claim_tasks(task_kind::activity, ns_id, "beside", {"Shout"}, "lost", 30s, 1).empty(); }));
    const auto claimed = std::chrono::steady_clock::now();

    // As Temporal loses a task whose worker died after polling it: for its start-to-close
    // timeout (1 s), not for the claim's own 30 s.
    shouts = 0;
    const auto beside = started_beside(uri);
    BOOST_TEST(run.get() == "shout 8 in default for lost-claim");
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - claimed);
    BOOST_TEST(waited.count() < 15'000);
    BOOST_TEST(shouts == 1);
    BOOST_TEST(first(run.history(), "ActivityTaskStarted").attributes.at("attempt").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(an_engine_that_runs_only_activities_keeps_the_data_until_an_engine_that_runs_workflows_asks) {
    const auto uri = postgres_cluster::instance().create_database();
    int up[2];
    BOOST_REQUIRE(::pipe(up) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {   // the owner, which runs the workflows, until it is killed
        ::close(up[0]);
        const auto owner = started_owner(uri);
        (void)!::write(up[1], "owner\n", 6);
        for (;;) ::pause();
    }
    ::close(up[1]);
    BOOST_REQUIRE(read_line(up[0]) == "owner");
    ::close(up[0]);
    const auto beside = started_beside(uri);
    BOOST_TEST(call(*beside, "before", {"Shout", 1}).get() == "shout 1 in default for before");

    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Alone, it takes the data after 2 s without an owner, so its client's start is answered;
    // the run waits for an engine that runs workflows.
    auto alone = call(*beside, "alone", {"Shout", 2});
    BOOST_TEST((alone.describe().status == perdure::workflow_status::running));
    // That engine, started beside it, asks for the data and gets it: both runs complete, their
    // activities still served by the first engine.
    const auto next = started_owner(uri);
    auto after = call(*next, "after", {"Shout", 3});
    BOOST_REQUIRE(soon([&] { return after.describe().status == perdure::workflow_status::completed; }));
    BOOST_TEST(after.get() == "shout 3 in default for after");
    BOOST_TEST(alone.get() == "shout 2 in default for alone");
}

BOOST_AUTO_TEST_CASE(an_engine_told_to_stand_by_and_opened_first_leaves_the_data_to_the_engine_that_runs_workflows) {
    const auto uri = postgres_cluster::instance().create_database();
    perdure::engine workers({.database = uri, .durability = perdure::durability::off, .stand_by = true});
    // Nobody owns the fresh database, and it still does not take it: the next engine does.
    const auto owner = started_owner(uri);
    workers.namespaces().ensure("default");   // through the owner
    workers.add_worker("default", "beside").register_activity(shout_activity);
    workers.start();
    shouts = 0;
    auto run = call(*owner, "first", {"Shout", 5});
    BOOST_REQUIRE(soon([&] { return run.describe().status == perdure::workflow_status::completed; }));
    BOOST_TEST(run.get() == "shout 5 in default for first");
    BOOST_TEST(shouts == 1);
}

BOOST_AUTO_TEST_SUITE_END()
