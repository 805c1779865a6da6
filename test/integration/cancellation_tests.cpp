// Cancelling one operation (future::request_cancel) and a whole run, per cancellation type.
#include "support/engine_fixture.hpp"

#include <perdure/testing.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

std::atomic<bool> stop_heartbeating{false};

/// Heartbeats until cancelled (heartbeat() then throws canceled_error) or told to stop.
std::string patient(perdure::activity_context& ctx, int) {
    while (!stop_heartbeating) {
        ctx.heartbeat();
        std::this_thread::sleep_for(1ms);
    }
    return "finished";
}
const perdure::activity_def patient_activity{"Patient", &patient};

struct plan {
    std::string cancellation;
};
BOOST_DESCRIBE_STRUCT(plan, (), (cancellation))

perdure::cancellation_type type_of(const std::string& s) {
    if (s == "abandon") return perdure::cancellation_type::abandon;
    if (s == "wait_requested") return perdure::cancellation_type::wait_requested;
    if (s == "wait_completed") return perdure::cancellation_type::wait_completed;
    return perdure::cancellation_type::try_cancel;
}

/// Starts the activity, lets it run until a signal, cancels it and reports how the future ended.
perdure::workflow<std::string> cancel_activity(perdure::workflow_context& ctx, plan p) {
    auto act = ctx.execute_activity(
        patient_activity, 0,
        {.start_to_close_timeout = 1h, .heartbeat_timeout = 1h, .cancellation = type_of(p.cancellation)});
    co_await ctx.signal_channel<int>("go").receive();
    act.request_cancel();
    try {
        co_return "completed: " + co_await act;
    } catch (const perdure::canceled_error&) {
        co_return "canceled";
    }
}
const perdure::workflow_def cancel_activity_workflow{"CancelActivity", &cancel_activity};

/// Heartbeats until canceled, then reports its progress with the cancel.
std::string tidy(perdure::activity_context& ctx, int) {
    try {
        for (;;) {
            ctx.heartbeat();
            std::this_thread::sleep_for(1ms);
        }
    } catch (const perdure::canceled_error&) {
        throw perdure::canceled_error("cleaned up", boost::json::object{{"progress", 38}});
    }
}
const perdure::activity_def tidy_activity{"Tidy", &tidy};

/// Cancels a wait_completed activity and returns the details its cancel carried.
perdure::workflow<std::string> cancel_tidy(perdure::workflow_context& ctx) {
    auto act = ctx.execute_activity(tidy_activity, 0,
                                    {.start_to_close_timeout = 1h,
                                     .heartbeat_timeout = 1h,
                                     .cancellation = perdure::cancellation_type::wait_completed});
    co_await ctx.signal_channel<int>("go").receive();
    act.request_cancel();
    try {
        co_return "completed: " + co_await act;
    } catch (const perdure::canceled_error& e) {
        co_return boost::json::serialize(e.failure().info.at("details"));
    }
}
const perdure::workflow_def cancel_tidy_workflow{"CancelTidy", &cancel_tidy};

perdure::workflow<void> sleepy_child(perdure::workflow_context& ctx) { co_await ctx.sleep(24h); }
const perdure::workflow_def sleepy_child_workflow{"SleepyChild", &sleepy_child};

perdure::workflow<std::string> cancel_child(perdure::workflow_context& ctx, plan p) {
    auto child =
        ctx.execute_child_workflow(sleepy_child_workflow, {.id = "child", .cancellation = type_of(p.cancellation)});
    co_await ctx.sleep(1s);
    child.request_cancel();
    try {
        co_await child;
        co_return "completed";
    } catch (const perdure::canceled_error&) {
        co_return "canceled";
    }
}
const perdure::workflow_def cancel_child_workflow{"CancelChild", &cancel_child};

perdure::workflow<std::string> cancel_everything(perdure::workflow_context& ctx) {
    auto timer = ctx.sleep(24h);
    auto act = ctx.execute_activity(patient_activity, 0, {.start_to_close_timeout = 1h});
    auto cond = ctx.wait_condition([] { return false; });
    auto msg = ctx.signal_channel<int>("never").receive();
    int canceled = 0;
    try {
        co_await timer;
    } catch (const perdure::canceled_error&) {
        ++canceled;
    }
    try {
        co_await cond;
    } catch (const perdure::canceled_error&) {
        ++canceled;
    }
    try {
        co_await act;
    } catch (const perdure::canceled_error&) {
        ++canceled;
    }
    try {
        co_await msg;
    } catch (const perdure::canceled_error&) {
        ++canceled;
    }
    co_return std::to_string(canceled) + " awaits canceled";
}
const perdure::workflow_def cancel_everything_workflow{"CancelEverything", &cancel_everything};

/// Sixteen timers, all pending when the run is canceled; then one more, whose firing replays
/// the run's history in a new instance when the engine keeps none.
perdure::workflow<int> many_timers(perdure::workflow_context& ctx) {
    std::vector<perdure::future<void>> timers;
    for (int hours = 1; hours <= 16; ++hours) timers.push_back(ctx.sleep(std::chrono::hours(hours)));
    int canceled = 0;
    for (auto& timer : timers) {
        try {
            co_await timer;
        } catch (const perdure::canceled_error&) {
            ++canceled;
        }
    }
    co_await ctx.sleep(1h);
    co_return canceled;
}
const perdure::workflow_def many_timers_workflow{"ManyTimers", &many_timers};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(cancel_activity_workflow)
        .register_workflow(sleepy_child_workflow)
        .register_workflow(cancel_child_workflow)
        .register_workflow(cancel_everything_workflow)
        .register_workflow(many_timers_workflow)
        .register_workflow(cancel_tidy_workflow)
        .register_activity(patient_activity)
        .register_activity(tidy_activity);
}

std::vector<std::string> types(const std::vector<perdure::history_event>& h) {
    std::vector<std::string> out;
    for (const auto& e : h) out.push_back(e.event_type);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(cancellation)

BOOST_AUTO_TEST_CASE(activity_cancellation_types_decide_when_the_future_resolves) {
    for (const std::string type : {"abandon", "try_cancel", "wait_requested", "wait_completed"}) {
        BOOST_TEST_CONTEXT(type) {
            engine_fixture f;
            f.open(setup);
            stop_heartbeating = false;
            auto run = f.client().start_workflow(cancel_activity_workflow, plan{type}, {.id = "a", .task_queue = "q"});
            f.settle();
            run.signal("go", 1);
            const auto result = run.get();
            stop_heartbeating = true;   // an abandoned activity keeps running until told
            f.idle();
            BOOST_TEST(result == "canceled");
            const auto t = types(run.history());
            const bool requested = std::count(t.begin(), t.end(), "ActivityTaskCancelRequested") == 1;
            BOOST_TEST(requested == (type != "abandon"));
            // Only wait_completed waited for the activity to report ActivityTaskCanceled first.
            if (type == "wait_completed") {
                const auto canceled_at = std::find(t.begin(), t.end(), "ActivityTaskCanceled");
                BOOST_TEST((canceled_at != t.end()));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_wait_completed_activity_hands_its_cancel_details_to_the_workflow) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cancel_tidy_workflow, {.id = "tidy", .task_queue = "q"});
    f.settle();
    run.signal("go", 1);
    BOOST_TEST(run.get() == R"({"progress":38})");
    std::int64_t requested = 0;
    for (const auto& e : run.history()) {
        if (e.event_type == "ActivityTaskCancelRequested") requested = e.event_id;
        if (e.event_type == "ActivityTaskCanceled") {
            BOOST_TEST(e.attributes.at("latest_cancel_requested_event_id").as_int64() == requested);
            BOOST_TEST(e.attributes.at("details") == (boost::json::object{{"progress", 38}}));
        }
    }
    BOOST_TEST(requested > 0);
}

BOOST_AUTO_TEST_CASE(child_cancellation_types_decide_when_the_future_resolves) {
    for (const std::string type : {"abandon", "try_cancel", "wait_completed"}) {
        BOOST_TEST_CONTEXT(type) {
            engine_fixture f;
            f.open(setup);
            auto run = f.client().start_workflow(cancel_child_workflow, plan{type}, {.id = "p", .task_queue = "q"});
            f.advance(1s);
            BOOST_TEST(run.get() == "canceled");
            f.idle();
            const auto child = f.client().get_handle("child").describe().status;
            if (type == "wait_completed") {
                BOOST_TEST(child == perdure::workflow_status::canceled);   // the parent waited for it
            } else {
                // The parent did not wait: it closed first and its close policy (terminate) ended the child.
                BOOST_TEST(child == perdure::workflow_status::terminated);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(cancelling_a_run_delivers_canceled_error_into_every_pending_await_once) {
    engine_fixture f;
    f.open(setup);
    stop_heartbeating = false;
    auto run = f.client().start_workflow(cancel_everything_workflow, {.id = "e", .task_queue = "q"});
    f.settle();
    run.cancel();
    BOOST_TEST(run.get() == "4 awaits canceled");
    stop_heartbeating = true;
    f.idle();
}

BOOST_AUTO_TEST_CASE(a_canceled_run_cancels_its_timers_in_the_order_it_started_them_and_replays_the_same) {
    engine_fixture f({.workflow_cache_size = 0});   // every activation rebuilds the run by replay
    f.open(setup);
    auto run = f.client().start_workflow(many_timers_workflow, {.id = "t", .task_queue = "q"});
    f.settle();
    run.cancel();
    f.settle();
    f.advance(1h);
    const auto info = run.describe();
    BOOST_REQUIRE_MESSAGE(!info.pending_workflow_task,
                          "the replay failed: " +
                              (info.pending_workflow_task ? info.pending_workflow_task->last_failure : std::string()));
    BOOST_TEST(run.get() == 16);
    std::vector<std::string> started, canceled;
    for (const auto& e : run.history()) {
        if (e.event_type == "TimerStarted") started.push_back(e.attributes.at("timer_id").as_string().c_str());
        if (e.event_type == "TimerCanceled") canceled.push_back(e.attributes.at("timer_id").as_string().c_str());
    }
    BOOST_REQUIRE(started.size() == 17u);
    started.pop_back();   // the timer started after the cancellation
    BOOST_TEST(canceled == started, "canceled in start order");
    perdure::testing::replayer replayer;
    replayer.register_workflow(many_timers_workflow);
    BOOST_CHECK_NO_THROW(replayer.replay(perdure::testing::history_to_json(run.history())));
}

BOOST_AUTO_TEST_CASE(a_cancel_request_is_recorded_once_and_cancelling_a_closed_run_succeeds) {
    for (const std::size_t cache : {std::size_t{10'000}, std::size_t{0}}) {
        BOOST_TEST_CONTEXT("workflow_cache_size " << cache) {
            engine_fixture f({.workflow_cache_size = cache});
            f.open(setup);
            auto run = f.client().start_workflow(many_timers_workflow, {.id = "twice", .task_queue = "q"});
            f.settle();
            run.cancel();   // the workflow catches it and cleans up for an hour
            f.settle();
            const auto length = run.history().size();
            run.cancel();   // as Temporal: asked already, nothing more is recorded
            f.settle();
            BOOST_TEST(run.history().size() == length);
            f.close();
            f.open(setup);
            auto again = f.client().get_handle<int>("twice");
            again.cancel();   // after a reopen too, with the run not yet replayed
            f.settle();
            BOOST_TEST(again.history().size() == length);
            const auto count_requests = [&] {
                int n = 0;
                for (const auto& e : again.history()) n += e.event_type == "WorkflowExecutionCancelRequested";
                return n;
            };
            BOOST_TEST(count_requests() == 1);
            f.advance(1h);
            BOOST_TEST(again.get() == 16);
            const auto closed_length = again.history().size();
            BOOST_CHECK_NO_THROW(again.cancel());   // closed: a success that changes nothing
            BOOST_CHECK_NO_THROW(f.client().get_handle("twice", run.run_id()).cancel());
            BOOST_TEST(again.history().size() == closed_length);
            BOOST_CHECK_THROW(f.client().get_handle("never-ran").cancel(), perdure::not_found);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
