// A run's life beyond the happy path: cancellation with cleanup, termination, workflow task
// failures retried with backoff, and nondeterminism after a code change across a restart.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

std::atomic<int> cleanups{0};
std::string cleanup(perdure::activity_context&, std::string what) {
    ++cleanups;
    return "cleaned " + what;
}
const perdure::activity_def cleanup_activity{"Cleanup", &cleanup};

perdure::workflow<std::string> cancellable(perdure::workflow_context& ctx, std::string what) {
    bool canceled = false;
    try {
        co_await ctx.sleep(24h);
    } catch (const perdure::canceled_error&) {
        canceled = true;
    }
    if (!canceled) co_return "slept";
    // Cleanup after cancellation may still schedule and await activities.
    co_await ctx.execute_activity(cleanup_activity, what, {.start_to_close_timeout = 10s});
    BOOST_TEST(ctx.cancel_requested());
    throw perdure::canceled_error("canceled after cleanup");
}
const perdure::workflow_def cancellable_workflow{"Cancellable", &cancellable};

perdure::workflow<std::string> ignores_cancel(perdure::workflow_context& ctx, std::string) {
    try {
        co_await ctx.sleep(24h);
    } catch (const perdure::canceled_error&) {
    }
    co_return "finished anyway";
}
const perdure::workflow_def ignores_cancel_workflow{"IgnoresCancel", &ignores_cancel};

std::atomic<int> buggy_attempts{0};
perdure::workflow<int> buggy(perdure::workflow_context& ctx, int fail_times) {
    if (buggy_attempts++ < fail_times) throw std::logic_error("bug number " + std::to_string(buggy_attempts.load()));
    co_await ctx.sleep(1s);
    co_return buggy_attempts.load();
}
const perdure::workflow_def buggy_workflow{"Buggy", &buggy};

const perdure::activity_def<std::string, std::string> charge{
    "Charge", [](perdure::activity_context&, std::string s) { return "charged " + s; }};
const perdure::activity_def<std::string, std::string> refund{
    "Refund", [](perdure::activity_context&, std::string s) { return "refunded " + s; }};

perdure::workflow<std::string> pay_v1(perdure::workflow_context& ctx, std::string who) {
    auto r = co_await ctx.execute_activity(charge, who, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(1h);
    co_return r;
}
perdure::workflow<std::string> pay_v2(perdure::workflow_context& ctx, std::string who) {
    auto r = co_await ctx.execute_activity(refund, who, {.start_to_close_timeout = 10s});   // changed
    co_await ctx.sleep(1h);
    co_return r;
}
const perdure::workflow_def pay_v1_def{"Pay", &pay_v1};
const perdure::workflow_def pay_v2_def{"Pay", &pay_v2};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(cancellable_workflow)
        .register_workflow(ignores_cancel_workflow)
        .register_workflow(buggy_workflow)
        .register_activity(cleanup_activity);
}

// Waits on signals, answers a query, and holds every update open until the run ends.
perdure::workflow<int> parked(perdure::workflow_context& ctx, int) {
    int bumps = 0;
    ctx.set_query_handler("bumps", [&] { return bumps; });
    ctx.set_update_handler("bump", [&](int by) -> perdure::workflow<int> {
        bumps += by;
        co_await ctx.wait_condition([] { return false; });
        co_return bumps;
    });
    co_await ctx.sleep(24h);
    co_return bumps;
}
const perdure::workflow_def parked_workflow{"Parked", &parked};

/// What a blocking call ended with: its answer ("ok") or the error's type.
template <class Call>
std::future<std::string> call_in_thread(std::promise<void>& calling, Call call) {
    return std::async(std::launch::async, [&calling, call]() mutable {
        calling.set_value();
        try {
            call();
            return std::string("ok");
        } catch (const perdure::engine_stopped&) {
            return std::string("engine_stopped");
        } catch (const std::exception& e) {
            return std::string("other: ") + e.what();
        }
    });
}

}   // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(cancel_delivers_canceled_error_and_the_run_ends_canceled_after_cleanup) {
    engine_fixture f;
    f.open(setup);
    cleanups = 0;
    auto run = f.client().start_workflow(cancellable_workflow, std::string("order-9"), {.id = "c", .task_queue = "q"});
    f.idle();
    run.cancel();
    f.idle();
    BOOST_TEST(cleanups == 1);
    BOOST_TEST(run.describe().status == perdure::workflow_status::canceled);
    try {
        run.get();
        BOOST_FAIL("expected workflow_failed_error");
    } catch (const perdure::workflow_failed_error& e) {
        BOOST_CHECK_THROW(std::rethrow_exception(e.cause()), perdure::canceled_error);
    }
    std::vector<std::string> types;
    for (const auto& e : run.history()) types.push_back(e.event_type);
    BOOST_TEST(std::count(types.begin(), types.end(), "WorkflowExecutionCancelRequested") == 1);
    BOOST_TEST(std::count(types.begin(), types.end(), "TimerCanceled") == 1);
    BOOST_TEST(types.back() == "WorkflowExecutionCanceled");
}

BOOST_AUTO_TEST_CASE(a_workflow_that_swallows_cancellation_completes_normally) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(ignores_cancel_workflow, std::string(), {.id = "i", .task_queue = "q"});
    f.idle();
    run.cancel();
    BOOST_TEST(run.get() == "finished anyway");
}

BOOST_AUTO_TEST_CASE(terminate_ends_the_run_at_once_with_the_reason) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cancellable_workflow, std::string("x"), {.id = "t", .task_queue = "q"});
    f.idle();
    run.terminate("operator said so");
    BOOST_TEST(run.describe().status == perdure::workflow_status::terminated);
    const auto h = run.history();
    BOOST_TEST(h.back().event_type == "WorkflowExecutionTerminated");
    BOOST_TEST(h.back().attributes.at("reason").as_string() == "operator said so");
    BOOST_CHECK_THROW(run.terminate(), perdure::not_found);
    f.advance(25h);   // its timer never fires into a closed run
    BOOST_TEST(run.history().size() == h.size());
}

BOOST_AUTO_TEST_CASE(a_workflow_task_failure_is_shown_and_retried_with_backoff_until_it_passes) {
    engine_fixture f;
    f.open(setup);
    buggy_attempts = 0;
    auto run = f.client().start_workflow(buggy_workflow, 2, {.id = "b", .task_queue = "q"});
    f.idle();
    auto info = run.describe();
    BOOST_TEST(info.status == perdure::workflow_status::running);
    BOOST_TEST(info.task_failure.find("std::logic_error: bug number 1") != std::string::npos, info.task_failure);
    f.advance(1s);   // first retry after 1 s
    BOOST_TEST(run.describe().task_failure.find("bug number 2") != std::string::npos);
    f.advance(2s);   // then after 2 s it passes
    BOOST_TEST(run.describe().task_failure.empty());
    f.advance(1s);
    BOOST_TEST(run.get() == 3);
    // The failing task is recorded once, as Temporal records it; its retry's failure is not.
    const auto h = run.history();
    BOOST_TEST(h.size() == 7u);
    BOOST_TEST(h[1].event_type == "WorkflowTaskFailed");
    BOOST_TEST(h[1].attributes.at("cause").as_string() ==
               "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE");
    BOOST_TEST(h[1].attributes.at("failure").at("message").as_string().find("bug number 1") != std::string::npos);
    BOOST_TEST(h[2].event_type == "WorkflowTaskCompleted");
}

BOOST_AUTO_TEST_CASE(changed_code_after_a_restart_blocks_the_run_on_nondeterminism_until_restored) {
    engine_fixture f;
    auto with = [](const perdure::workflow_def<std::string, std::string>& def) {
        return [&def](perdure::engine& e) {
            e.add_worker("default", "pay").register_workflow(def).register_activity(charge).register_activity(refund);
        };
    };
    f.open(with(pay_v1_def));
    auto run = f.client().start_workflow(pay_v1_def, std::string("ann"), {.id = "pay", .task_queue = "pay"});
    f.idle();
    const auto before = run.history().size();
    f.close();

    f.open(with(pay_v2_def));
    f.advance(1h);   // the timer fires; the replay with the new code does not match
    auto info = f.client().get_handle("pay").describe();
    BOOST_TEST(info.status == perdure::workflow_status::running);
    BOOST_TEST(info.task_failure.find("nondeterminism") != std::string::npos, info.task_failure);
    BOOST_TEST(info.task_failure.find("ActivityTaskScheduled(activity_type=Charge") != std::string::npos,
               info.task_failure);
    BOOST_TEST(info.task_failure.find("ScheduleActivityTask(activity_type=Refund") != std::string::npos,
               info.task_failure);
    const auto h = f.client().get_handle("pay").history();
    BOOST_TEST(h.size() == before + 2);   // the TimerFired is kept, and the task's failure recorded
    BOOST_TEST(h.back().event_type == "WorkflowTaskFailed");
    BOOST_TEST(h.back().attributes.at("cause").as_string() == "WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR");
    BOOST_TEST(h.back().attributes.at("failure").at("message").as_string().find(
                   "ScheduleActivityTask(activity_type=Refund") != std::string::npos);
    f.close();

    f.open(with(pay_v2_def));   // the same failing task again: nothing more is recorded
    f.advance(1h);
    BOOST_TEST(f.client().get_handle("pay").history().size() == before + 2);
    f.close();

    f.open(with(pay_v1_def));
    BOOST_TEST(f.client().get_handle<std::string>("pay").get() == "charged ann");
}

BOOST_AUTO_TEST_CASE(calls_waiting_on_a_run_when_the_engine_shuts_down_hear_that_it_stopped) {
    engine_fixture f({.workflow_cache_size = 0});   // a query waits for the instance to be rebuilt
    f.open([](perdure::engine& e) { e.add_worker("default", "q").register_workflow(parked_workflow); });
    auto run = f.client().start_workflow(parked_workflow, 0, {.id = "parked", .task_queue = "q"});
    f.idle();
    std::promise<void> updating, getting, querying;
    auto update = call_in_thread(updating, [run]() mutable { run.update<int>("bump", 2); });
    updating.get_future().wait();
    const auto accepted = [&] {
        const auto h = run.history();
        return std::any_of(h.begin(), h.end(),
                           [](const auto& e) { return e.event_type == "WorkflowExecutionUpdateAccepted"; });
    };
    for (int looks = 0; !accepted(); ++looks) {
        BOOST_REQUIRE_MESSAGE(looks < 10'000, "the update was never accepted");
        f.idle();
    }
    auto result = call_in_thread(getting, [run]() mutable { run.get(); });
    auto query = call_in_thread(querying, [run]() mutable { run.query<int>("bumps"); });
    getting.get_future().wait();
    querying.get_future().wait();
    f.close();
    // None waits for good: each hears that the engine stopped (or, the query, its answer).
    for (auto* call : {&update, &result, &query}) BOOST_REQUIRE(call->wait_for(10s) == std::future_status::ready);
    BOOST_TEST(update.get() == "engine_stopped");
    BOOST_TEST(result.get() == "engine_stopped");
    const auto queried = query.get();
    BOOST_TEST((queried == "engine_stopped" || queried == "ok"), queried);
}

BOOST_AUTO_TEST_SUITE_END()
