// The test environment: time skips only while the test waits and nothing can run; running
// activities hold the clock; mocks and real registrations side by side; the replayer.
#include "support/test_store.hpp"

#include <perdure/asio.hpp>
#include <perdure/testing.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <thread>

using namespace std::chrono_literals;
using perdure::testing::test_environment;

namespace {

perdure::workflow<std::string> month_long(perdure::workflow_context& ctx) {
    co_await ctx.sleep(24h * 30);
    co_return "a month later";
}
const perdure::workflow_def month_workflow{"MonthLong", &month_long};

const perdure::activity_def<std::string, std::string> charge{
    "Charge", [](perdure::activity_context&, std::string who) { return "really charged " + who; }};
perdure::workflow<std::string> charge_with_retries(perdure::workflow_context& ctx, std::string who) {
    co_return co_await ctx.execute_activity(
        charge, who,
        {.start_to_close_timeout = 1min,
         .retry = perdure::retry_policy{.initial_interval = 1h, .maximum_attempts = 5}});
}
const perdure::workflow_def charge_workflow{"ChargeWithRetries", &charge_with_retries};

perdure::workflow<std::vector<std::string>> ordered_timeouts(perdure::workflow_context& ctx) {
    std::vector<std::string> order;
    auto a = ctx.spawn([&]() -> perdure::workflow<void> {
        co_await ctx.sleep(3h);
        order.push_back("3h");
    });
    auto b = ctx.spawn([&]() -> perdure::workflow<void> {
        co_await ctx.sleep(1h);
        order.push_back("1h");
    });
    auto c = ctx.wait_condition([] { return false; }, 2h);
    order.push_back(co_await c ? "condition" : "2h timeout");
    co_await perdure::all(a, b);
    co_return order;
}
const perdure::workflow_def ordered_workflow{"Ordered", &ordered_timeouts};

perdure::workflow<std::string> waits_for_signal(perdure::workflow_context& ctx) {
    co_return co_await ctx.signal_channel<std::string>("go").receive();
}
const perdure::workflow_def signal_workflow{"WaitsForSignal", &waits_for_signal};

std::mutex gate_mutex;
std::condition_variable gate_cv;
bool gate_open = false;
std::atomic<bool> activity_running{false};
const perdure::activity_def<int, int> slow{"Slow", [](perdure::activity_context&, int n) {
                                               activity_running = true;
                                               std::unique_lock lk(gate_mutex);
                                               gate_cv.wait(lk, [] { return gate_open; });
                                               return n;
                                           }};
perdure::workflow<std::string> race(perdure::workflow_context& ctx) {
    auto act = ctx.execute_activity(slow, 1, {.start_to_close_timeout = 24h});
    auto timer = ctx.sleep(1h);
    co_return co_await perdure::any(act, timer) == 0 ? "activity first" : "timer first";
}
const perdure::workflow_def race_workflow{"Race", &race};

}   // namespace

// The test environment has its own in-memory store: nothing here depends on the suite's store.
BOOST_AUTO_TEST_SUITE(test_environment_suite, *boost::unit_test::precondition(perdure::test::sqlite_store_only{}))

BOOST_AUTO_TEST_CASE(a_month_of_sleeping_passes_while_the_test_waits) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(month_workflow);
    const auto start = env.now();
    auto run = env.client().start_workflow(month_workflow, {.id = "m", .task_queue = "q"});
    BOOST_TEST(run.get() == "a month later");
    BOOST_TEST((env.now() - start == 24h * 30));
}

BOOST_AUTO_TEST_CASE(virtual_time_stands_still_while_the_test_does_not_wait) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(month_workflow);
    const auto start = env.now();
    env.client().start_workflow(month_workflow, {.id = "m", .task_queue = "q"});
    env.wait_idle();
    BOOST_TEST((env.now() == start));
}

BOOST_AUTO_TEST_CASE(hour_long_retry_backoffs_pass_in_virtual_time_and_mocks_replace_activities) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(charge_workflow).register_activity(charge);
    int attempts = 0;
    env.mock_activity("Charge", [&](perdure::activity_context& ctx, std::string who) -> std::string {
        ++attempts;
        if (ctx.info().attempt < 3) throw perdure::application_error("card network down", "Unavailable");
        return "mock charged " + who;
    });
    const auto start = env.now();
    auto run = env.client().start_workflow(charge_workflow, std::string("ann"), {.id = "c", .task_queue = "q"});
    BOOST_TEST(run.get() == "mock charged ann");
    BOOST_TEST(attempts == 3);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(env.now() - start).count() ==
               3 * 3600);   // backoffs of 1 h and 2 h
    const auto calls = env.activity_calls("Charge");
    BOOST_TEST(calls.size() == 3u);
    BOOST_TEST(calls[0].as_string() == "ann");
}

BOOST_AUTO_TEST_CASE(timeouts_fire_in_virtual_time_in_their_order) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(ordered_workflow);
    auto run = env.client().start_workflow(ordered_workflow, {.id = "o", .task_queue = "q"});
    BOOST_TEST(run.get() == (std::vector<std::string>{"1h", "2h timeout", "3h"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_running_activity_holds_the_clock) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(race_workflow).register_activity(slow);
    gate_open = false;
    activity_running = false;
    const auto start = env.now();
    auto run = env.client().start_workflow(race_workflow, {.id = "r", .task_queue = "q"});
    std::atomic<bool> clock_held{false};   // checked on this thread: Boost.Test is not thread-safe
    std::thread releaser([&] {
        while (!activity_running) std::this_thread::yield();
        std::this_thread::sleep_for(50ms);   // the test waits in get(); the clock must not move meanwhile
        clock_held = env.now() == start;
        std::lock_guard lk(gate_mutex);
        gate_open = true;
        gate_cv.notify_all();
    });
    BOOST_TEST(run.get() == "activity first");
    releaser.join();
    BOOST_TEST(clock_held.load());
}

BOOST_AUTO_TEST_CASE(sleep_moves_time_by_hand_to_send_a_signal_on_day_three) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(signal_workflow);
    auto run = env.client().start_workflow(signal_workflow, {.id = "s", .task_queue = "q"});
    const auto start = env.now();
    env.sleep(72h);
    BOOST_TEST((env.now() - start == 72h));
    run.signal("go", std::string("day three"));
    BOOST_TEST(run.get() == "day three");
}

BOOST_AUTO_TEST_CASE(a_wait_that_cannot_end_fails_after_the_wall_timeout_saying_why) {
    test_environment env({.wall_timeout = 300ms});
    env.engine().add_worker("default", "q").register_workflow(signal_workflow);
    auto run = env.client().start_workflow(signal_workflow, {.id = "s", .task_queue = "q"});
    try {
        run.get();
        BOOST_FAIL("expected the wait to time out");
    } catch (const perdure::failed_precondition& e) {
        BOOST_TEST(std::string(e.what()).find("no timer is pending") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(nexus_operations_are_mocked_sync_or_async_with_a_virtual_delay) {
    test_environment env;
    const perdure::workflow_def caller{"Caller", +[](perdure::workflow_context& ctx) -> perdure::workflow<std::string> {
                                           auto svc = ctx.nexus_client("ep", "billing");
                                           auto quick = co_await svc.execute_operation<std::string>("quote", 3);
                                           auto slow = co_await svc.execute_operation<std::string>(
                                               "settle", 3, {.schedule_to_close_timeout = 24h * 7});
                                           co_return quick + " / " + slow;
                                       }};
    env.engine().namespaces().ensure("billing-ns");
    env.engine().nexus_endpoints().ensure(
        {.name = "ep", .target_namespace = "billing-ns", .target_task_queue = "billing"});
    env.engine().add_worker("default", "q").register_workflow(caller);
    env.mock_nexus_operation("billing", "quote",
                             [](perdure::nexus::operation_context&, int n) { return "quote " + std::to_string(n); });
    env.mock_nexus_operation("billing", "settle", 72h,
                             [](perdure::nexus::operation_context&, int n) { return "settled " + std::to_string(n); });
    const auto start = env.now();
    auto run = env.client().start_workflow(caller, {.id = "n", .task_queue = "q"});
    BOOST_TEST(run.get() == "quote 3 / settled 3");
    BOOST_TEST((env.now() - start == 72h));
    BOOST_TEST(env.nexus_calls("billing", "settle").size() == 1u);
    std::vector<std::string> types;
    for (const auto& e : run.history()) types.push_back(e.event_type);
    BOOST_TEST(std::count(types.begin(), types.end(), "NexusOperationStarted") == 1);   // the async one
}

BOOST_AUTO_TEST_CASE(environments_in_parallel_threads_do_not_interfere) {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            test_environment env;
            env.engine().add_worker("default", "q").register_workflow(month_workflow);
            if (env.client().start_workflow(month_workflow, {.id = "m", .task_queue = "q"}).get() == "a month later")
                ++ok;
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(ok == 4);
}

BOOST_AUTO_TEST_CASE(awaiting_a_result_from_an_asio_coroutine_also_lets_time_pass) {
    boost::asio::io_context io;   // outlives the engine, which posts the result into it
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(month_workflow);
    auto run = env.client().start_workflow(month_workflow, {.id = "m", .task_queue = "q"});
    auto result = boost::asio::co_spawn(io, run.async_get(), boost::asio::use_future);
    io.run();
    BOOST_TEST(result.get() == "a month later");
}

BOOST_AUTO_TEST_CASE(the_replayer_passes_a_compatible_history_and_names_both_sides_of_a_mismatch) {
    test_environment env;
    env.engine().add_worker("default", "q").register_workflow(charge_workflow).register_activity(charge);
    auto run = env.client().start_workflow(charge_workflow, std::string("bo"), {.id = "c", .task_queue = "q"});
    run.get();
    const auto saved = perdure::testing::history_to_json(run.history());

    perdure::testing::replayer same;
    same.register_workflow(charge_workflow);
    BOOST_CHECK_NO_THROW(same.replay(saved));

    const perdure::activity_def<std::string, std::string> refund{
        "Refund", [](perdure::activity_context&, std::string s) { return s; }};
    const perdure::workflow_def changed{
        "ChargeWithRetries", +[](perdure::workflow_context& ctx, std::string who) -> perdure::workflow<std::string> {
            co_return co_await ctx.execute_activity<std::string>("Refund", who, {.start_to_close_timeout = 1min});
        }};
    perdure::testing::replayer other;
    other.register_workflow(changed);
    try {
        other.replay(saved);
        BOOST_FAIL("expected nondeterminism_error");
    } catch (const perdure::nondeterminism_error& e) {
        BOOST_TEST(std::string(e.what()).find("ActivityTaskScheduled(activity_type=Charge") != std::string::npos,
                   e.what());
        BOOST_TEST(std::string(e.what()).find("ScheduleActivityTask(activity_type=Refund") != std::string::npos,
                   e.what());
    }
    BOOST_CHECK_THROW(perdure::testing::replayer{}.replay(saved), perdure::not_found);
    BOOST_CHECK_THROW(same.replay(boost::json::parse(R"([{"event_id":1,"event_type":"Bogus"}])")),
                      perdure::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
