// Activities: retries with Temporal's backoff, non-retryable failures, the timeouts,
// heartbeats carried to the next attempt, cancellation, and awaitable activities.
#include "support/engine_fixture.hpp"

#include "store/store.hpp"

#include <perdure/asio.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

std::atomic<int> flaky_calls{0};
std::string flaky(perdure::activity_context& ctx, int fail_times) {
    ++flaky_calls;
    if (ctx.info().attempt <= fail_times)
        throw std::runtime_error("flaky attempt " + std::to_string(ctx.info().attempt));
    return "ok on attempt " + std::to_string(ctx.info().attempt);
}
const perdure::activity_def flaky_activity{"Flaky", &flaky};

std::string declined(perdure::activity_context&, int) {
    throw perdure::application_error("card declined", "CardDeclined", true, boost::json::object{{"code", 51}});
}
const perdure::activity_def declined_activity{"Declined", &declined};

struct call {
    std::string activity;
    int arg = 0;
    int maximum_attempts = 0;
    std::int64_t start_to_close_ms = 10'000;
    std::int64_t schedule_to_close_ms = 0;
    std::int64_t heartbeat_ms = 0;
};
BOOST_DESCRIBE_STRUCT(call, (),
                      (activity, arg, maximum_attempts, start_to_close_ms, schedule_to_close_ms, heartbeat_ms))

/// Runs one activity by name with the given options; returns its result or "<exception>: message".
perdure::workflow<std::string> call_one(perdure::workflow_context& ctx, call c) {
    perdure::activity_options o{.schedule_to_close_timeout = std::chrono::milliseconds(c.schedule_to_close_ms),
                                .start_to_close_timeout = std::chrono::milliseconds(c.start_to_close_ms),
                                .heartbeat_timeout = std::chrono::milliseconds(c.heartbeat_ms),
                                .retry = perdure::retry_policy{.maximum_attempts = c.maximum_attempts}};
    try {
        co_return co_await ctx.execute_activity<std::string>(c.activity, c.arg, o);
    } catch (const perdure::activity_error& e) {
        std::string cause;
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::timeout_error& t) {
            cause = std::string("timeout ") + perdure::to_string(t.timeout_type());
        } catch (const perdure::application_error& a) {
            cause = a.type() + " " + a.what();
        }
        co_return "activity_error(" + std::string(perdure::to_string(e.retry_state())) + "): " + cause;
    }
}
const perdure::workflow_def call_workflow{"Call", &call_one};

/// Runs a Flaky(0) activity with the given schedule-to-close timeout, then sleeps an hour.
perdure::workflow<std::string> call_then_sleep(perdure::workflow_context& ctx, std::int64_t schedule_to_close_ms) {
    auto r = co_await ctx.execute_activity(
        flaky_activity, 0,
        {.schedule_to_close_timeout = std::chrono::milliseconds(schedule_to_close_ms), .start_to_close_timeout = 10s});
    co_await ctx.sleep(1h);
    co_return r;
}
const perdure::workflow_def call_then_sleep_workflow{"CallThenSleep", &call_then_sleep};

/// The kinds of the deadlines stored in `database` (deadline_kind's numbers), as another process
/// reads them.
std::vector<int> stored_deadlines(const std::string& database) {
    const auto store = perdure::detail::open_store({.database = database}, perdure::detail::open_mode::reader);
    std::vector<int> kinds;
    for (const auto& d : store->snapshot()->deadlines()) kinds.push_back(static_cast<int>(d.kind));
    return kinds;
}

// A blocking activity that waits until the test releases it.
std::mutex gate_mutex;
std::condition_variable gate_cv;
bool gate_open = false;
std::atomic<int> gate_waiting{0};
std::string gated(perdure::activity_context& ctx, int) {
    std::unique_lock lk(gate_mutex);
    ++gate_waiting;
    gate_cv.wait(lk, [] { return gate_open; });
    return "released on attempt " + std::to_string(ctx.info().attempt);
}
const perdure::activity_def gated_activity{"Gated", &gated};
void open_gate() {
    std::lock_guard lk(gate_mutex);
    gate_open = true;
    gate_cv.notify_all();
}

std::string heartbeating(perdure::activity_context& ctx, int) {
    int from = ctx.info().heartbeat_details.is_int64() ? static_cast<int>(ctx.info().heartbeat_details.as_int64()) : 0;
    for (int i = from; i < 5; ++i) {
        ctx.heartbeat(i + 1);
        if (ctx.info().attempt == 1 && i == 2) throw std::runtime_error("lost connection");
    }
    return "resumed from " + std::to_string(from) + " on attempt " + std::to_string(ctx.info().attempt);
}
const perdure::activity_def heartbeat_activity{"Heartbeating", &heartbeating};

/// Heartbeats `bytes` of details, then once more (which hears the cancel), and returns.
std::string heavy_heartbeat(perdure::activity_context& ctx, int bytes) {
    ctx.heartbeat(boost::json::string(static_cast<std::size_t>(bytes), 'h'));
    try {
        ctx.heartbeat(1);
    } catch (const perdure::canceled_error&) {
        return "told to stop";
    }
    return "went on";
}
const perdure::activity_def heavy_heartbeat_activity{"HeavyHeartbeat", &heavy_heartbeat};

boost::asio::awaitable<std::string> async_echo(perdure::activity_context& ctx, int n) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 1ms);
    co_await t.async_wait(boost::asio::use_awaitable);
    co_return "async " + std::to_string(n) + " attempt " + std::to_string(ctx.info().attempt);
}
const perdure::activity_def async_activity{"AsyncEcho", &async_echo};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(call_workflow)
        .register_workflow(call_then_sleep_workflow)
        .register_activity(flaky_activity)
        .register_activity(declined_activity)
        .register_activity(gated_activity)
        .register_activity(heartbeat_activity)
        .register_activity(heavy_heartbeat_activity)
        .register_activity(async_activity);
}

std::string run_call(engine_fixture& f, const std::string& id, call c, std::chrono::milliseconds advance_by = 0ms) {
    auto run = f.client().start_workflow(call_workflow, c, {.id = id, .task_queue = "q"});
    for (int i = 0; i < 40 && run.describe().status == perdure::workflow_status::running; ++i)
        f.advance(advance_by.count() ? advance_by : 1s);
    return run.get();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(activities)

BOOST_AUTO_TEST_CASE(failed_attempts_are_retried_with_backoff_and_only_the_last_attempt_is_recorded) {
    engine_fixture f;
    f.open(setup);
    flaky_calls = 0;
    auto run = f.client().start_workflow(call_workflow, call{"Flaky", 2}, {.id = "r", .task_queue = "q"});
    f.idle();
    BOOST_TEST(flaky_calls == 1);
    f.advance(999ms);   // the first backoff is 1 s
    BOOST_TEST(flaky_calls == 1);
    f.advance(1ms);
    BOOST_TEST(flaky_calls == 2);
    f.advance(1999ms);   // then 2 s
    BOOST_TEST(flaky_calls == 2);
    f.advance(1ms);
    BOOST_TEST(run.get() == "ok on attempt 3");
    const auto h = run.history();
    BOOST_TEST(h.size() == 7u);   // retries write no events
    BOOST_TEST(h[3].event_type == "ActivityTaskStarted");
    BOOST_TEST(h[3].attributes.at("attempt").as_int64() == 3);
    BOOST_TEST(h[3].attributes.at("last_failure").at("message").as_string() == "flaky attempt 2");
}

BOOST_AUTO_TEST_CASE(maximum_attempts_ends_retries_with_the_last_failure) {
    engine_fixture f;
    f.open(setup);
    BOOST_TEST(run_call(f, "m", call{"Flaky", 5, 2}) ==
               "activity_error(MAXIMUM_ATTEMPTS_REACHED): std::runtime_error flaky attempt 2");
}

BOOST_AUTO_TEST_CASE(a_non_retryable_application_error_fails_at_once_with_its_type_and_details) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(call_workflow, call{"Declined", 0}, {.id = "d", .task_queue = "q"});
    BOOST_TEST(run.get() == "activity_error(NON_RETRYABLE_FAILURE): CardDeclined card declined");
    const auto h = run.history();
    BOOST_TEST(h[4].event_type == "ActivityTaskFailed");
    const auto& info = h[4].attributes.at("failure").at("application_failure_info");
    BOOST_TEST(info.at("details").at("code").as_int64() == 51);
    BOOST_TEST(info.at("non_retryable").as_bool());
}

BOOST_AUTO_TEST_CASE(start_to_close_timeout_retries_and_drops_the_late_result) {
    engine_fixture f;
    f.open(setup);
    gate_open = false;
    gate_waiting = 0;
    auto run = f.client().start_workflow(call_workflow, call{"Gated", 0, 2, 5'000}, {.id = "t", .task_queue = "q"});
    while (gate_waiting < 1) std::this_thread::yield();
    f.clock->advance(5s);   // attempt 1 times out, backs off 1 s
    f.settle();
    f.clock->advance(1s);   // attempt 2 starts
    while (gate_waiting < 2) std::this_thread::yield();
    f.settle();
    f.clock->advance(5s);   // attempt 2 times out: maximum attempts reached
    const auto result = run.get();
    open_gate();
    f.idle();
    BOOST_TEST(result == "activity_error(MAXIMUM_ATTEMPTS_REACHED): timeout START_TO_CLOSE");
    const auto h = run.history();
    BOOST_TEST(h[4].event_type == "ActivityTaskTimedOut");
}

BOOST_AUTO_TEST_CASE(schedule_to_close_timeout_is_not_retried) {
    engine_fixture f;
    f.open(setup);
    BOOST_TEST(run_call(f, "s2c", call{"Flaky", 100, 0, 1'000, 10'000}, 1s) ==
               "activity_error(TIMEOUT): std::runtime_error flaky attempt 4");
}

BOOST_AUTO_TEST_CASE(a_completed_activity_leaves_no_schedule_to_close_deadline_behind) {
    const std::vector<int> only_the_timer{static_cast<int>(perdure::detail::deadline_kind::timer)};
    for (const std::int64_t schedule_to_close_ms : {0, 60'000}) {
        BOOST_TEST_CONTEXT("schedule_to_close_timeout " << schedule_to_close_ms << " ms") {
            engine_fixture f;
            f.open(setup);
            auto run = f.client().start_workflow(call_then_sleep_workflow, schedule_to_close_ms,
                                                 {.id = "sleeps", .task_queue = "q"});
            f.idle();   // the activity completed and the timer started: the run is open
            BOOST_TEST(stored_deadlines(f.database()) == only_the_timer, boost::test_tools::per_element());
            f.advance(1h);
            BOOST_TEST(run.get() == "ok on attempt 1");
        }
    }
}

BOOST_AUTO_TEST_CASE(heartbeat_details_reach_the_next_attempt) {
    engine_fixture f;
    f.open(setup);
    BOOST_TEST(run_call(f, "hb", call{"Heartbeating", 0}) == "resumed from 3 on attempt 2");
}

BOOST_AUTO_TEST_CASE(awaitable_activities_run_on_the_engine_executor) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(call_workflow, call{"AsyncEcho", 7}, {.id = "a", .task_queue = "q"});
    BOOST_TEST(run.get() == "async 7 attempt 1");
}

BOOST_AUTO_TEST_CASE(an_unregistered_activity_type_fails_attempts_with_a_message_naming_the_registered_ones) {
    engine_fixture f;
    f.open(setup);
    const auto r = run_call(f, "u", call{"Missing", 0, 1});
    BOOST_TEST(r.find("ActivityTypeNotRegistered activity type Missing is not registered on task queue q") !=
                   std::string::npos,
               r);
    BOOST_TEST(r.find("Flaky") != std::string::npos, r);
}

BOOST_AUTO_TEST_CASE(an_activity_without_timeouts_fails_the_workflow_task_and_says_which_to_set) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(call_workflow, call{"Flaky", 0, 0, 0}, {.id = "n", .task_queue = "q"});
    f.idle();
    const auto info = run.describe();
    BOOST_TEST(info.status == perdure::workflow_status::running);
    BOOST_TEST(info.task_failure.find("set start_to_close_timeout or schedule_to_close_timeout") != std::string::npos,
               info.task_failure);
}

BOOST_AUTO_TEST_CASE(heartbeat_details_over_the_payload_limit_fail_the_activity_whatever_it_returns) {
    engine_fixture f({.limits = {.max_payload_bytes = 1000}});
    f.open(setup);
    // As Temporal's server: the heartbeat is refused, the attempt hears a cancel request, and the
    // activity fails without a retry, its earlier details kept.
    const auto r = run_call(f, "heavy", call{"HeavyHeartbeat", 5000, 3});
    BOOST_TEST(r.find("PayloadTooLarge heartbeat details are larger than the payload limit of 1000 bytes") !=
                   std::string::npos,
               r);
    BOOST_TEST(run_call(f, "light", call{"HeavyHeartbeat", 100, 3}) == "went on");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct pair_plan {
    std::int64_t schedule_to_start_ms = 5'000;
};
BOOST_DESCRIBE_STRUCT(pair_plan, (), (schedule_to_start_ms))

/// Holds the only activity thread with Gated, then asks for a second activity that must start
/// within its schedule-to-start timeout; returns what became of the second.
perdure::workflow<std::string> busy_pool(perdure::workflow_context& ctx, pair_plan p) {
    auto holder = ctx.execute_activity(gated_activity, 0, {.start_to_close_timeout = 1h});
    std::string second;
    try {
        second = co_await ctx.execute_activity(
            flaky_activity, 0,
            {.schedule_to_start_timeout = std::chrono::milliseconds(p.schedule_to_start_ms),
             .start_to_close_timeout = 10s});
    } catch (const perdure::activity_error& e) {
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::timeout_error& t) {
            second = std::string("timeout ") + perdure::to_string(t.timeout_type());
        }
    }
    co_return second + ", then " + co_await holder;
}
const perdure::workflow_def busy_pool_workflow{"BusyPool", &busy_pool};

}   // namespace

BOOST_AUTO_TEST_SUITE(activity_threads)

/// One activity thread, held by Gated while the second activity waits for it.
struct one_busy_thread {
    engine_fixture f{{.activity_threads = 1}};
    perdure::workflow_handle<std::string> run{start(f)};

    static perdure::workflow_handle<std::string> start(engine_fixture& f) {
        f.open([](perdure::engine& e) {
            setup(e);
            e.add_worker("default", "q").register_workflow(busy_pool_workflow);
        });
        gate_open = false;
        gate_waiting = 0;
        flaky_calls = 0;
        auto run = f.client().start_workflow(busy_pool_workflow, pair_plan{}, {.id = "busy", .task_queue = "q"});
        while (gate_waiting < 1) std::this_thread::yield();
        f.settle();
        return run;
    }
};

BOOST_FIXTURE_TEST_CASE(schedule_to_start_bounds_the_wait_for_a_free_activity_thread, one_busy_thread) {
    f.clock->advance(4999ms);
    f.settle();
    BOOST_TEST((run.describe().status == perdure::workflow_status::running));
    f.clock->advance(1ms);   // 5 s queued behind the busy thread
    f.settle();
    open_gate();
    BOOST_TEST(run.get() == "timeout SCHEDULE_TO_START, then released on attempt 1");
    BOOST_TEST(flaky_calls == 0);   // it never ran
}

BOOST_FIXTURE_TEST_CASE(an_activity_queued_for_a_thread_runs_once_one_is_free, one_busy_thread) {
    f.clock->advance(4s);
    f.settle();
    BOOST_TEST(flaky_calls == 0);
    open_gate();
    BOOST_TEST(run.get() == "ok on attempt 1, then released on attempt 1");
}

BOOST_AUTO_TEST_SUITE_END()
