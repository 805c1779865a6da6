// Workflow tasks shared between engines: a workflow whose type only an engine beside the owner
// registers runs there, as on Temporal a workflow runs on whichever worker polls its task queue.
// The owner records its history and keeps its timers; the engine beside runs its code, task by
// task, replaying the history each time, and answers its queries and updates; signals, timers,
// activities and continue-as-new go through.
#include "beside_engines.hpp"

#include "client/core_access.hpp"
#include "runtime/core.hpp"
#include "support/error_text.hpp"
#include "support/postgres_cluster.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using perdure::test::first;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;

namespace {

std::string greet(perdure::activity_context& ctx, std::string name) {
    return "hello " + name + " from " + ctx.info().task_queue;
}
const perdure::activity_def greet_activity{"Greet", &greet};

/// Greets the name its signal brings, after a timer, through an activity. With rounds left, it
/// continues as new first, and the signal, unread, goes on to the next run.
/// Its query "phase" says what it waits for; its update "suffix" adds to the greeting (never
/// an empty one) and gives the phase it came in.
perdure::workflow<std::string> greeter(perdure::workflow_context& ctx, int rounds) {
    auto names = ctx.signal_channel<std::string>("name");
    std::string phase = "sleeping", suffix;
    ctx.set_query_handler("phase", [&] { return phase; });
    ctx.set_update_handler(
        "suffix",
        [&](std::string s) -> perdure::workflow<std::string> {
            suffix += s;
            co_return phase;
        },
        [](const std::string& s) {
            if (s.empty()) throw std::invalid_argument("an empty suffix");
        });
    co_await ctx.sleep(rounds > 0 ? 10ms : 300ms);
    if (rounds > 0) {
        co_await ctx.continue_as_new(rounds - 1);
        co_return "";
    }
    phase = "waiting for a name";
    const auto name = co_await names.receive();
    phase = "greeting " + name;
    co_return co_await ctx.execute_activity(greet_activity, name, {.start_to_close_timeout = 10s}) + suffix;
}
const perdure::workflow_def greeter_workflow{"Greeter", &greeter};

/// Sleeps `steps` times, a workflow task each, waits for "go", then sleeps `steps` times more.
perdure::workflow<int> stepper(perdure::workflow_context& ctx, int steps) {
    for (int i = 0; i < steps; ++i) co_await ctx.sleep(1ms);
    co_await ctx.signal_channel<bool>("go").receive();
    for (int i = 0; i < steps; ++i) co_await ctx.sleep(1ms);
    co_return 2 * steps;
}
const perdure::workflow_def stepper_workflow{"Stepper", &stepper};

/// Stepper as a process that never finishes its task registers it.
perdure::workflow<int> stuck_stepper(perdure::workflow_context&, int) {
    perdure::test::run_stuck();
    co_return 0;
}
const perdure::workflow_def stuck_stepper_workflow{"Stepper", &stuck_stepper};

perdure::workflow<int> other(perdure::workflow_context&, int n) { co_return n; }
const perdure::workflow_def other_workflow{"Other", &other};

perdure::engine_options on(const std::string& uri) { return {.database = uri, .durability = perdure::durability::off}; }

/// An owner that runs workflows of its own, so it keeps the data, and a started engine beside it
/// whose worker alone registers Greeter and its activity.
struct owner_and_beside {
    owner_and_beside() {
        owner.namespaces().ensure("default");
        owner.add_worker("default", "workflows").register_workflow(other_workflow);
        owner.start();
        // Opened once the namespace exists, which it loads as it opens.
        start_beside();
    }
    void start_beside() {
        beside.emplace(on(uri));
        beside->add_worker("default", "greeters")
            .register_workflow(greeter_workflow)
            .register_workflow(stepper_workflow)
            .register_activity(greet_activity);
        beside->start();
    }
    /// How many times the engine beside rebuilt an instance from a history that had run before.
    std::uint64_t replays_beside() { return perdure::detail::core_access::core(*beside)->replays(); }
    /// Greeter started from the owner's client.
    perdure::workflow_handle<std::string> greet(const std::string& id, int rounds) {
        return owner.client_for("default").start_workflow(greeter_workflow, rounds,
                                                          {.id = id, .task_queue = "greeters"});
    }

    const std::string uri = postgres_cluster::instance().create_database();
    perdure::engine owner{on(uri)};
    std::optional<perdure::engine> beside;
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(postgres_shared_workflows, owner_and_beside,
                         *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_workflow_only_an_engine_beside_registers_runs_there_and_its_history_stays_with_the_owner) {
    auto run = greet("greet-1", 1);
    run.signal("name", std::string("Ada"));
    BOOST_TEST(run.get() == "hello Ada from greeters");
    BOOST_TEST(owner.client_for("default")
                   .start_workflow(other_workflow, 7, {.id = "other-1", .task_queue = "workflows"})
                   .get() == 7);

    // Both runs of the chain were recorded by the owner, the signal carried to the second.
    BOOST_TEST(owner.client_for("default").count("WorkflowId = 'greet-1'") == 2);
    const auto h = run.history();
    BOOST_TEST(first(h, "WorkflowExecutionSignaled").attributes.at("signal_name").as_string() == "name");
    BOOST_TEST(first(h, "ActivityTaskCompleted").attributes.at("result").as_string() == "hello Ada from greeters");
    for (std::size_t i = 0; i < h.size(); ++i) BOOST_TEST(h[i].event_id == static_cast<std::int64_t>(i + 1));
}

BOOST_AUTO_TEST_CASE(queries_and_updates_of_a_workflow_run_by_an_engine_beside_are_answered_there_in_order) {
    auto run = greet("greet-2", 0);
    BOOST_TEST(run.query<std::string>("phase") == "sleeping");   // asked from the owner's client
    BOOST_TEST(perdure::test::soon([&] { return run.describe().history_length >= 5; }));   // waits for its signal
    BOOST_TEST(run.query<std::string>("phase") == "waiting for a name");
    BOOST_TEST(perdure::test::contains(
        perdure::test::message_of<perdure::query_failed_error>([&] { run.query<std::string>("mood"); }),
        "no query handler named 'mood'"));
    // Updates go with the workflow task there: validated, then run, once per update id.
    BOOST_TEST(run.update<std::string>("suffix", std::string("!"), "first") == "waiting for a name");
    BOOST_TEST(run.update<std::string>("suffix", std::string("!"), "first") == "waiting for a name");
    BOOST_TEST(perdure::test::contains(perdure::test::message_of<perdure::update_rejected_error>(
                                           [&] { run.update<std::string>("suffix", std::string()); }),
                                       "an empty suffix"));
    // Asked right after the signal, the query sees it, as the workflow task that follows will.
    run.signal("name", std::string("Grace"));
    BOOST_TEST(run.query<std::string>("phase") == "greeting Grace");
    BOOST_TEST(run.get() == "hello Grace from greeters!");
    // Closed, it is still asked there, as it closed; from the engine beside's own client too.
    BOOST_TEST(run.query<std::string>("phase") == "greeting Grace");
    BOOST_TEST(beside->client_for("default").get_handle<std::string>("greet-2").query<std::string>("phase") ==
               "greeting Grace");

    // The tasks the engine beside ran say so in the history the owner recorded.
    const auto completed = first(run.history(), "WorkflowTaskCompleted").attributes;
    BOOST_TEST(!completed.at("identity").as_string().empty());
}

BOOST_AUTO_TEST_CASE(the_engine_beside_goes_on_from_the_instance_it_kept_and_replays_only_when_it_lost_it) {
    auto run =
        owner.client_for("default").start_workflow(stepper_workflow, 10, {.id = "stepper-1", .task_queue = "greeters"});
    BOOST_TEST(perdure::test::soon([&] { return run.describe().history_length >= 31; }));   // waits for "go"
    BOOST_TEST(replays_beside() == 0u);   // ten tasks, each from the instance the one before left

    start_beside();   // a new process: nothing kept
    run.signal("go", true);
    BOOST_TEST(run.get() == 20);
    BOOST_TEST(replays_beside() == 1u);   // the first task after it replayed; the others went on
    const auto h = run.history();
    for (std::size_t i = 0; i < h.size(); ++i) BOOST_TEST(h[i].event_id == static_cast<std::int64_t>(i + 1));
}

BOOST_AUTO_TEST_CASE(two_engines_beside_sharing_a_queue_run_one_workflow_task_by_task_whichever_claims) {
    perdure::engine second{on(uri)};
    second.add_worker("default", "greeters").register_workflow(stepper_workflow);
    second.start();
    // Each engine goes on from its instance only when no task of the other came between.
    std::vector<perdure::workflow_handle<int>> runs;
    for (int i = 0; i < 4; ++i)
        runs.push_back(owner.client_for("default").start_workflow(
            stepper_workflow, 10, {.id = "shared-" + std::to_string(i), .task_queue = "greeters"}));
    for (auto& run : runs) {
        BOOST_REQUIRE(perdure::test::soon([&] { return run.describe().history_length >= 32; }));
        run.signal("go", true);
    }
    for (auto& run : runs) {
        BOOST_TEST(run.get() == 20);
        const auto h = run.history();
        for (std::size_t i = 0; i < h.size(); ++i) BOOST_TEST(h[i].event_id == static_cast<std::int64_t>(i + 1));
    }
}

BOOST_AUTO_TEST_CASE(an_engine_beside_that_takes_the_data_over_drops_the_instances_it_kept_for_the_owner) {
    const auto database = postgres_cluster::instance().create_database();
    std::optional<perdure::engine> first{on(database)};
    first->namespaces().ensure("default");
    first->add_worker("default", "workflows").register_workflow(other_workflow);
    first->start();
    perdure::engine second{on(database)};
    second.add_worker("default", "greeters").register_workflow(stepper_workflow);
    second.start();
    auto run =
        second.client_for("default").start_workflow(stepper_workflow, 3, {.id = "kept", .task_queue = "greeters"});
    BOOST_REQUIRE(perdure::test::soon([&] { return run.describe().history_length >= 11; }));   // waits for "go"
    const auto core = perdure::detail::core_access::core(second);
    BOOST_TEST(core->live_instances() == 1u);   // kept for the run's next task

    first.reset();
    BOOST_REQUIRE(perdure::test::soon([&] { return !core->standing_by(); }));
    BOOST_TEST(core->live_instances() == 0u);   // the run is its own now, parked until its signal
    run.signal("go", true);
    BOOST_TEST(run.get() == 6);
    const auto h = run.history();
    for (std::size_t i = 0; i < h.size(); ++i) BOOST_TEST(h[i].event_id == static_cast<std::int64_t>(i + 1));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(postgres_shared_workflow_kills, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_workflow_task_whose_engine_is_killed_runs_on_another_once_its_claim_expires) {
    const auto uri = postgres_cluster::instance().create_database();
    perdure::test::stuck_process stuck(uri, [](const std::string& at) {
        auto engine = std::make_unique<perdure::engine>(on(at));
        engine->add_worker("default", "greeters").register_workflow(stuck_stepper_workflow);
        engine->start();
        return engine;
    });
    perdure::engine owner{on(uri)};
    owner.namespaces().ensure("default");
    owner.add_worker("default", "workflows").register_workflow(other_workflow);
    owner.start();
    stuck.go();
    auto run = owner.client_for("default").start_workflow(stepper_workflow, 2,
                                                          {.id = "stepper-killed", .task_queue = "greeters"});
    BOOST_REQUIRE(stuck.kill_once_running());   // mid-task, its claim held
    const auto pending = run.describe().pending_workflow_task;
    BOOST_REQUIRE(pending.has_value());
    BOOST_TEST(pending->offered_to == "engines whose worker registers workflow type Stepper on task queue greeters");

    perdure::engine beside{on(uri)};
    beside.add_worker("default", "greeters").register_workflow(stepper_workflow);
    beside.start();
    // As a Temporal workflow task whose worker died: claimed again once its 10 s timeout passes.
    BOOST_TEST(perdure::test::soon([&] { return run.describe().history_length >= 8; }));   // waits for "go"
    run.signal("go", true);
    BOOST_TEST(run.get() == 4);
    const auto h = run.history();
    const auto waited = first(h, "WorkflowTaskCompleted").event_time - h.front().event_time;
    BOOST_TEST(waited >= 9s);
    BOOST_TEST(waited < 20s);
    for (std::size_t i = 0; i < h.size(); ++i) BOOST_TEST(h[i].event_id == static_cast<std::int64_t>(i + 1));
}

BOOST_AUTO_TEST_SUITE_END()
