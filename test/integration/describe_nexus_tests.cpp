// describe() of what waits on someone else: a Nexus operation held back says why (no handler
// worker, the circuit breaker, the endpoint's rate limit), a handler workflow lists the callback
// it owes its caller, and a running activity shows its last heartbeat.
#include "integration/nexus_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using namespace perdure::test::nexus_support;

namespace {

/// The one pending Nexus operation of a caller, once the engine has acted on it.
perdure::pending_nexus_operation_info pending_operation(engine_fixture& f, perdure::workflow_handle<std::string>& run) {
    f.settle();
    const auto info = run.describe();
    BOOST_REQUIRE_EQUAL(info.pending_nexus_operations.size(), 1u);
    return info.pending_nexus_operations[0];
}

gate heartbeat_gate;

std::string beat_then_wait(perdure::activity_context& ctx, std::string s) {
    ctx.heartbeat(boost::json::value{{"progress", 40}});
    heartbeat_gate.pass();
    return s;
}
const perdure::activity_def beating_activity{"BeatThenWait", &beat_then_wait};

perdure::workflow<std::string> beating(perdure::workflow_context& ctx, std::string s) {
    co_return co_await ctx.execute_activity(beating_activity, s,
                                            {.start_to_close_timeout = 1h, .heartbeat_timeout = 10min});
}
const perdure::workflow_def beating_workflow{"Beating", &beating};

}   // namespace

BOOST_AUTO_TEST_SUITE(describe_waiting_on_others)

BOOST_AUTO_TEST_CASE(an_operation_whose_endpoint_has_no_handler_worker_says_so) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });
    auto run = start(f, "lonely", {.operation = "sync", .input = "ok"});
    const auto op = pending_operation(f, run);
    BOOST_TEST(op.endpoint == "ep");
    BOOST_TEST(op.service == "svc");
    BOOST_TEST(op.operation == "sync");
    // On a shared database the attempt is also offered to the other engines, and says so.
    BOOST_TEST(op.blocked_reason.starts_with("no worker"));
    BOOST_TEST(op.blocked_reason.find("serves the endpoint's target task queue") != std::string::npos);
    BOOST_TEST(op.operation_token.empty());
}

BOOST_AUTO_TEST_CASE(an_operation_held_by_the_open_circuit_breaker_says_so_with_its_last_failure) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "tripped", {.operation = "sync", .input = "fail:unavailable:6"});
    for (int i = 0; i < 64 && f.engine().nexus_endpoints().health("ep").breaker != "open"; ++i) f.advance(1s);
    // Opened by the sixth failure: the operation backs off, and its next attempt meets the breaker.
    const auto backing_off = pending_operation(f, run);
    BOOST_TEST(perdure::to_string(backing_off.state) == std::string("backing_off"));
    const auto opened_at = f.clock->now();
    f.advance(std::chrono::ceil<std::chrono::milliseconds>(backing_off.next_attempt_schedule_time - opened_at));
    const auto op = pending_operation(f, run);
    BOOST_TEST(perdure::to_string(op.state) == std::string("blocked"));
    BOOST_TEST(op.blocked_reason == "The circuit breaker is open.");
    BOOST_TEST(op.attempt >= 6);
    BOOST_REQUIRE(op.last_attempt_failure.has_value());
    BOOST_TEST(op.last_attempt_failure->message.find("failing attempt") != std::string::npos,
               op.last_attempt_failure->message);
    f.advance(std::chrono::ceil<std::chrono::milliseconds>(60s - (f.clock->now() - opened_at)));   // half-open
    BOOST_TEST(run.get() == "ok: handled on attempt 7");
    BOOST_TEST(run.describe().pending_nexus_operations.empty());
}

BOOST_AUTO_TEST_CASE(an_operation_waiting_for_the_rate_limit_says_so) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    f.engine().nexus_endpoints().update("ep", {.max_operations_per_second = 1});
    auto first = start(f, "first", {.operation = "sync", .input = "ok"});
    auto second = start(f, "second", {.operation = "sync", .input = "ok"});
    f.idle();
    auto& waiting = first.describe().status == perdure::workflow_status::completed ? second : first;
    const auto op = pending_operation(f, waiting);
    BOOST_TEST(op.blocked_reason == "the endpoint's rate limit (max_operations_per_second)");
    f.advance(1s);
    BOOST_TEST(waiting.get() == "ok: handled ok in handler-ns");
}

BOOST_AUTO_TEST_CASE(a_handler_workflow_shows_the_callback_it_owes_its_caller_until_it_closes) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto caller = start(f, "asker", {.operation = "shared", .input = "wait"});
    f.idle();   // the start handler has returned: settling alone does not wait for a running handler
    const auto op = pending_operation(f, caller);
    BOOST_TEST(perdure::to_string(op.state) == std::string("started"));
    BOOST_TEST(!op.operation_token.empty());

    auto handler = f.client("handler-ns").get_handle<std::string>("shared-wait");
    const auto info = handler.describe();
    BOOST_REQUIRE_EQUAL(info.callbacks.size(), 1u);
    const auto& cb = info.callbacks[0];
    BOOST_TEST(cb.endpoint == "ep");
    BOOST_TEST(cb.service == "svc");
    BOOST_TEST(cb.operation == "shared");
    BOOST_TEST(cb.operation_token == op.operation_token);
    BOOST_TEST(!cb.request_id.empty());
    BOOST_TEST(cb.caller_workflow_id == "asker");
    BOOST_TEST(cb.caller_run_id == caller.run_id());
    BOOST_TEST(cb.state == "STANDBY");

    handler.signal("go", std::string("now"));
    BOOST_TEST(finish(f, caller).find("did wait") != std::string::npos);
    BOOST_TEST(handler.describe().callbacks.empty());
}

BOOST_AUTO_TEST_CASE(a_running_activity_shows_its_last_heartbeat_time_and_details) {
    engine_fixture f;
    f.open([](perdure::engine& e) {
        e.add_worker("default", "q").register_workflow(beating_workflow).register_activity(beating_activity);
    });
    const auto start_time = f.clock->now();
    auto run = f.client().start_workflow(beating_workflow, std::string("x"), {.id = "beating", .task_queue = "q"});
    BOOST_REQUIRE(heartbeat_gate.wait_entered());
    const auto info = run.describe();
    BOOST_REQUIRE_EQUAL(info.pending_activities.size(), 1u);
    const auto& a = info.pending_activities[0];
    BOOST_TEST(perdure::to_string(a.state) == std::string("started"));
    BOOST_TEST((a.last_started_time == start_time));
    BOOST_TEST((a.last_heartbeat_time == start_time));
    BOOST_TEST(a.heartbeat_details == (boost::json::value{{"progress", 40}}));
    heartbeat_gate.release();
    BOOST_TEST(run.get() == "x");
}

BOOST_AUTO_TEST_SUITE_END()
