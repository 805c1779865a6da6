// Nexus between namespaces: sync and async operations, handler errors and operation errors,
// handler workflow outcomes, cancellation types, timeouts, endpoints changing mid-flight,
// the circuit breaker, attaching callers, limits.
#include "integration/nexus_support.hpp"

#include "nexus/token.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using namespace perdure::test::nexus_support;

BOOST_AUTO_TEST_SUITE(nexus_operations)

BOOST_AUTO_TEST_CASE(a_sync_operation_completes_without_a_started_event) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "sync", .input = "ok"});
    BOOST_TEST(run.get() == "ok: handled ok in handler-ns");
    const auto h = run.history();
    const auto t = types(h);
    BOOST_TEST(count(t, "NexusOperationScheduled") == 1u);
    BOOST_TEST(count(t, "NexusOperationStarted") == 0u);
    BOOST_TEST(count(t, "NexusOperationCompleted") == 1u);
    const auto& scheduled = h[2].attributes;
    BOOST_TEST(scheduled.at("endpoint").as_string() == "ep");
    BOOST_TEST(scheduled.at("service").as_string() == "svc");
    BOOST_TEST(scheduled.at("operation").as_string() == "sync");
    BOOST_TEST(scheduled.at("endpoint_id").as_string() == f.engine().nexus_endpoints().describe("ep").id);
    BOOST_TEST(scheduled.at("request_id").as_string().size() == 36u);
    BOOST_TEST(h[3].attributes.at("request_id") == scheduled.at("request_id"));
}

BOOST_AUTO_TEST_CASE(an_async_operation_starts_a_handler_workflow_and_completes_when_it_closes) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "run", .input = "complete", .cancel_after_start = false});
    const auto result = run.get();
    BOOST_TEST(result.starts_with("ok: workflow h-"), result);
    const auto h = run.history();
    const auto t = types(h);
    BOOST_TEST(count(t, "NexusOperationStarted") == 1u);
    BOOST_TEST(count(t, "NexusOperationCompleted") == 1u);
    BOOST_TEST(position(t, "NexusOperationScheduled") < position(t, "NexusOperationStarted"));
    BOOST_TEST(position(t, "NexusOperationStarted") < position(t, "NexusOperationCompleted"));
    const auto started =
        std::find_if(h.begin(), h.end(), [](const auto& e) { return e.event_type == "NexusOperationStarted"; });
    const std::string token(started->attributes.at("operation_token").as_string());
    const auto decoded = perdure::detail::decode_token(token);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(decoded->ns == "handler-ns");
    // Links both ways: the handler's start points at the caller's Scheduled event, and the
    // caller's Started at the handler's start.
    const auto handler = f.client("handler-ns").get_handle(decoded->workflow_id).history();
    const auto& link = handler[0].attributes.at("links").as_array()[0].at("url").as_string();
    BOOST_TEST(std::string(link).find("workflows/c/") != std::string::npos, link);
    BOOST_TEST(std::string(link).find("eventType=NexusOperationScheduled") != std::string::npos, link);
    BOOST_TEST(handler[0].attributes.at("completion_callbacks").as_array().size() == 1u);
    const auto& back = started->attributes.at("links").as_array()[0].at("url").as_string();
    BOOST_TEST(std::string(back).find("eventType=WorkflowExecutionStarted") != std::string::npos, back);
}

BOOST_AUTO_TEST_CASE(the_started_future_gives_the_token_of_an_async_operation) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run =
        start(f, "c", {.operation = "run", .input = "wait", .cancellation = "abandon", .cancel_after_start = true});
    const auto r = run.get();
    BOOST_TEST(r.starts_with("nexus_operation_failure(run) caused by canceled_error"), r);
}

BOOST_AUTO_TEST_CASE(retryable_handler_errors_are_retried_with_backoff_until_they_pass) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "sync", .input = "fail:unavailable:2"});
    BOOST_TEST(finish(f, run) == "ok: handled on attempt 3");
}

BOOST_AUTO_TEST_CASE(each_handler_error_type_is_retried_or_not_as_temporal_classifies_it) {
    const std::pair<const char*, bool> cases[] = {
        {"bad_request", false},     {"unauthenticated", false}, {"unauthorized", false},      {"not_found", false},
        {"request_timeout", true},  {"conflict", false},        {"resource_exhausted", true}, {"internal", true},
        {"not_implemented", false}, {"unavailable", true},      {"upstream_timeout", true}};
    for (const auto& [type, retryable] : cases) {
        BOOST_TEST_CONTEXT(type) {
            engine_fixture f;
            f.open([](perdure::engine& e) { setup(e); });
            auto run = start(f, "c", {.operation = "sync", .input = std::string("fail:") + type + ":1"});
            const auto r = finish(f, run, 5);
            if (retryable) {
                BOOST_TEST(r == "ok: handled on attempt 2");
            } else {
                std::string upper = type;
                for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                BOOST_TEST(r ==
                           "nexus_operation_failure(sync) caused by handler_error " + upper + ": failing attempt 1");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_retry_behavior_overrides_the_type) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto a = start(f, "a", {.operation = "sync", .input = "fail:internal:1:non_retryable"});
    BOOST_TEST(finish(f, a, 5) == "nexus_operation_failure(sync) caused by handler_error INTERNAL: failing attempt 1");
    auto b = start(f, "b", {.operation = "sync", .input = "fail:bad_request:1:retryable"});
    BOOST_TEST(finish(f, b, 5) == "ok: handled on attempt 2");
}

BOOST_AUTO_TEST_CASE(operation_errors_and_other_exceptions_reach_the_caller_as_temporal_shapes_them) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto failed = start(f, "failed", {.operation = "sync", .input = "operation:failed"});
    BOOST_TEST(failed.get() ==
               "nexus_operation_failure(sync) caused by application_error OperationError: the operation said no");
    auto canceled = start(f, "canceled", {.operation = "sync", .input = "operation:canceled"});
    BOOST_TEST(canceled.get() == "nexus_operation_failure(sync) caused by canceled_error: the operation said no");
    BOOST_TEST(count(types(canceled.history()), "NexusOperationCanceled") == 1u);
    auto app = start(f, "app", {.operation = "sync", .input = "app"});
    BOOST_TEST(app.get() == "nexus_operation_failure(sync) caused by handler_error INTERNAL: not this one");
    auto plain = start(f, "plain", {.operation = "sync", .input = "std"});
    f.idle();
    BOOST_TEST(plain.describe().status == perdure::workflow_status::running);   // INTERNAL is retried
    plain.terminate();
}

BOOST_AUTO_TEST_CASE(handler_workflow_outcomes_map_to_the_operation_outcome) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto failed = start(f, "f", {.operation = "run", .input = "fail"});
    BOOST_TEST(failed.get() ==
               "nexus_operation_failure(run) caused by application_error HandlerFailed: handler workflow failed");

    auto terminated = start(f, "t", {.operation = "run", .input = "sleep"});
    f.idle();
    for (const auto& info : f.client("handler-ns").list(perdure::workflow_status::running))
        f.client("handler-ns").get_handle(info.workflow_id).terminate("stop");
    BOOST_TEST(terminated.get() == "nexus_operation_failure(run) caused by terminated_error: operation terminated");
    BOOST_TEST(count(types(terminated.history()), "NexusOperationFailed") == 1u);

    auto continued = start(f, "cn", {.operation = "run", .input = "continue"});
    BOOST_TEST(continued.get().starts_with("ok: workflow h-"));   // the callback followed continue-as-new
}

BOOST_AUTO_TEST_CASE(cancellation_types_decide_when_the_caller_hears_of_it) {
    for (const std::string type : {"abandon", "try_cancel", "wait_requested", "wait_completed"}) {
        BOOST_TEST_CONTEXT(type) {
            engine_fixture f;
            f.open([](perdure::engine& e) { setup(e); });
            auto run =
                start(f, "c", {.operation = "run", .input = "wait", .cancellation = type, .cancel_after_start = true});
            const auto r = run.get();
            f.idle();
            const auto t = types(run.history());
            if (type == "wait_completed") {
                // It waited for the handler workflow, which ended canceled.
                BOOST_TEST(r == "nexus_operation_failure(run) caused by canceled_error: operation canceled");
                BOOST_TEST(count(t, "NexusOperationCanceled") == 1u);
            } else {
                BOOST_TEST(r.starts_with("nexus_operation_failure(run) caused by canceled_error"), r);
            }
            BOOST_TEST(count(t, "NexusOperationCancelRequested") == (type == "abandon" ? 0u : 1u));
            if (type == "wait_requested") BOOST_TEST(count(t, "NexusOperationCancelRequestCompleted") == 1u);
            // abandon sends no cancel: the handler workflow still waits.
            const auto handlers = f.client("handler-ns").list();
            BOOST_REQUIRE(handlers.size() == 1u);
            if (type == "abandon")
                BOOST_TEST(handlers[0].status == perdure::workflow_status::running);
            else if (type == "wait_completed")
                BOOST_TEST(handlers[0].status == perdure::workflow_status::canceled);
        }
    }
}

BOOST_AUTO_TEST_CASE(cancelling_before_the_operation_is_scheduled_records_nothing) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    log().workflows_started = 0;
    auto run = start(f, "c", {.operation = "run", .input = "complete", .cancel_before_schedule = true});
    BOOST_TEST(run.get().starts_with("nexus_operation_failure(run) caused by canceled_error"));
    BOOST_TEST(count(types(run.history()), "NexusOperationScheduled") == 0u);
    BOOST_TEST(log().workflows_started == 0);
}

BOOST_AUTO_TEST_CASE(schedule_to_close_bounds_an_operation_whose_target_has_no_worker) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });
    auto run = start(f, "c", {.operation = "sync", .input = "ok", .schedule_to_close_ms = 30'000});
    BOOST_TEST(finish(f, run) == "nexus_operation_failure(sync) caused by timeout_error SCHEDULE_TO_CLOSE");
    BOOST_TEST(count(types(run.history()), "NexusOperationTimedOut") == 1u);
}

BOOST_AUTO_TEST_CASE(a_target_without_a_worker_waits_and_proceeds_once_one_registers) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });
    auto run = start(f, "c", {.operation = "sync", .input = "ok"});
    f.advance(10s);
    BOOST_TEST(run.describe().status == perdure::workflow_status::running);
    register_handler_worker(f.engine());
    BOOST_TEST(run.get() == "ok: handled ok in handler-ns");
}

BOOST_AUTO_TEST_CASE(start_to_close_bounds_an_async_operation_after_it_started) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "run", .input = "sleep", .start_to_close_ms = 60'000});
    BOOST_TEST(finish(f, run) == "nexus_operation_failure(run) caused by timeout_error START_TO_CLOSE");
}

BOOST_AUTO_TEST_CASE(schedule_to_start_bounds_the_wait_for_the_start) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });
    auto run = start(f, "c", {.operation = "run", .input = "complete", .schedule_to_start_ms = 5'000});
    BOOST_TEST(finish(f, run) == "nexus_operation_failure(run) caused by timeout_error SCHEDULE_TO_START");
}

BOOST_AUTO_TEST_CASE(an_unknown_endpoint_fails_the_workflow_task_until_it_is_created) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "sync", .input = "ok", .endpoint = "later"});
    f.idle();
    const auto info = run.describe();
    BOOST_TEST(info.task_failure.find("endpoint \"later\" not found") != std::string::npos, info.task_failure);
    f.engine().nexus_endpoints().create(
        {.name = "later", .target_namespace = "handler-ns", .target_task_queue = "handler-tq"});
    BOOST_TEST(finish(f, run) == "ok: handled ok in handler-ns");
}

BOOST_AUTO_TEST_CASE(a_deleted_endpoint_fails_operations_that_had_not_started_with_not_found) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "sync", .input = "fail:unavailable:1"});
    f.idle();   // the first attempt failed; the next one is a second away
    f.engine().nexus_endpoints().remove("ep");
    BOOST_TEST(finish(f, run, 5) ==
               "nexus_operation_failure(sync) caused by handler_error NOT_FOUND: endpoint not registered");
}

BOOST_AUTO_TEST_CASE(a_deleted_endpoint_fails_operations_waiting_for_a_worker_with_not_found) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });
    auto run = start(f, "c", {.operation = "sync", .input = "ok"});
    f.advance(10s);   // no worker serves the target: the operation waits
    f.engine().nexus_endpoints().remove("ep");
    BOOST_TEST(finish(f, run, 5) ==
               "nexus_operation_failure(sync) caused by handler_error NOT_FOUND: endpoint not registered");
}

BOOST_AUTO_TEST_CASE(a_retargeted_endpoint_routes_new_operations_at_once) {
    engine_fixture f;
    f.open([](perdure::engine& e) {
        setup(e);
        e.namespaces().ensure("other-ns");
        e.add_worker("other-ns", "other-tq")
            .register_nexus_service(
                perdure::nexus::service("svc").add(perdure::nexus::sync_operation<std::string, std::string>{
                    "sync",
                    [](perdure::nexus::operation_context& ctx, std::string) { return "handled in " + ctx.ns; }}));
    });
    auto before = start(f, "a", {.operation = "sync", .input = "ok"});
    BOOST_TEST(before.get() == "ok: handled ok in handler-ns");
    const auto ep = f.engine().nexus_endpoints().update(
        "ep", {.target_namespace = "other-ns", .target_task_queue = "other-tq", .expected_version = 1});
    BOOST_TEST(ep.version == 2);
    auto after = start(f, "b", {.operation = "sync", .input = "ok"});
    BOOST_TEST(after.get() == "ok: handled in other-ns");
}

BOOST_AUTO_TEST_CASE(the_circuit_breaker_opens_after_five_failures_and_recovers_through_one_probe) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c", {.operation = "sync", .input = "fail:unavailable:6"});
    for (int i = 0; i < 64 && f.engine().nexus_endpoints().health("ep").breaker != "open"; ++i) f.advance(1s);
    auto health = f.engine().nexus_endpoints().health("ep", "caller-ns");
    BOOST_TEST(health.breaker == "open");
    BOOST_TEST(health.consecutive_failures == 6);
    f.advance(59s);
    BOOST_TEST(f.engine().nexus_endpoints().health("ep").breaker == "open");
    f.advance(1s);   // half-open: one probe goes through and succeeds
    BOOST_TEST(run.get() == "ok: handled on attempt 7");
    BOOST_TEST(f.engine().nexus_endpoints().health("ep").breaker == "closed");
}

BOOST_AUTO_TEST_CASE(an_endpoints_rate_limit_spaces_out_starts_and_is_persisted) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto& reg = f.engine().nexus_endpoints();
    BOOST_CHECK_THROW(reg.update("ep", {.max_operations_per_second = -1}), perdure::invalid_argument);
    BOOST_CHECK_THROW(reg.update("ep", {.max_operations_per_second = std::nan("")}), perdure::invalid_argument);
    BOOST_TEST(reg.update("ep", {.max_operations_per_second = 1}).spec.max_operations_per_second == 1);
    std::vector<perdure::workflow_handle<std::string>> runs;
    for (const char* id : {"c1", "c2", "c3"}) runs.push_back(start(f, id, {.operation = "sync", .input = "ok"}));
    auto done = [&] {
        f.idle();
        int n = 0;
        for (auto& r : runs) n += r.describe().status == perdure::workflow_status::completed;
        return n;
    };
    BOOST_TEST(done() == 1);   // a second's worth: one start; the others wait their turn
    f.advance(1s);
    BOOST_TEST(done() == 2);
    f.advance(1s);
    BOOST_TEST(done() == 3);
    for (auto& r : runs) BOOST_TEST(r.get() == "ok: handled ok in handler-ns");

    f.close();
    f.open([](perdure::engine& e) {
        e.namespaces().ensure("handler-ns");
        e.namespaces().ensure("caller-ns");
    });
    BOOST_TEST(f.engine().nexus_endpoints().describe("ep").spec.max_operations_per_second == 1);
    f.engine().nexus_endpoints().update("ep", {.max_operations_per_second = 0});   // no limit
    f.close();
    f.open([](perdure::engine& e) { setup(e); });
    runs.clear();
    for (const char* id : {"d1", "d2", "d3"}) runs.push_back(start(f, id, {.operation = "sync", .input = "ok"}));
    BOOST_TEST(done() == 3);
}

BOOST_AUTO_TEST_CASE(callers_attach_to_one_handler_workflow_with_use_existing) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    log().workflows_started = 0;
    auto a = start(f, "a", {.operation = "shared", .input = "wait"});
    auto b = start(f, "b", {.operation = "shared", .input = "wait"});
    f.idle();
    auto handler = f.client("handler-ns").get_handle("shared-wait");
    BOOST_TEST(count(types(handler.history()), "WorkflowExecutionOptionsUpdated") == 1u);
    handler.signal("go", std::string("now"));
    BOOST_TEST(a.get() == "ok: workflow shared-wait did wait");
    BOOST_TEST(b.get() == "ok: workflow shared-wait did wait");
    BOOST_TEST(log().workflows_started == 1);
}

BOOST_AUTO_TEST_CASE(a_start_refused_because_the_workflow_runs_already_fails_without_a_token) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto first = start(f, "a", {.operation = "fixed", .input = "wait"});
    f.idle();
    auto second = start(f, "b", {.operation = "fixed", .input = "wait", .report_failure_fields = true});
    const auto outcome = finish(f, second);
    BOOST_TEST(outcome.find("caused by handler_error INTERNAL") != std::string::npos, outcome);
    BOOST_TEST(outcome.find("is already running") != std::string::npos, outcome);
    BOOST_TEST(outcome.find(", token , scheduled") != std::string::npos, outcome);   // it never started
    f.client("handler-ns").get_handle("fixed-wait").signal("go", std::string("now"));
    BOOST_TEST(first.get() == "ok: workflow fixed-wait did wait");
}

BOOST_AUTO_TEST_CASE(more_than_thirty_pending_operations_fail_the_workflow_task) {
    engine_fixture f;
    const perdure::workflow_def many{
        "Many", +[](perdure::workflow_context& ctx) -> perdure::workflow<int> {
            auto client = ctx.nexus_client("ep", "svc");
            std::vector<perdure::future<std::string>> ops;
            for (int i = 0; i < 31; ++i)
                ops.push_back(client.execute_operation<std::string>("run", std::string("sleep")));
            co_await perdure::all(ops);
            co_return 0;
        }};
    f.open([&](perdure::engine& e) {
        setup(e);
        e.add_worker("caller-ns", "many").register_workflow(many);
    });
    auto run = f.client("caller-ns").start_workflow(many, {.id = "m", .task_queue = "many"});
    f.idle();
    BOOST_TEST(run.describe().task_failure.find("PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nexus_endpoints)

BOOST_AUTO_TEST_CASE(endpoints_are_validated_versioned_and_persisted) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto& reg = f.engine().nexus_endpoints();
    for (const char* bad : {"1starts-with-digit", "ends-with-dash-", "has space", "x", "under_score"})
        BOOST_CHECK_THROW(reg.create({.name = bad, .target_namespace = "handler-ns", .target_task_queue = "q"}),
                          perdure::invalid_argument);
    BOOST_CHECK_THROW(reg.create({.name = "ep", .target_namespace = "handler-ns", .target_task_queue = "q"}),
                      perdure::already_exists);
    BOOST_CHECK_THROW(reg.create({.name = "nowhere", .target_namespace = "missing-ns", .target_task_queue = "q"}),
                      perdure::not_found);
    BOOST_CHECK_THROW(reg.ensure({.name = "ep", .target_namespace = "handler-ns", .target_task_queue = "different"}),
                      perdure::already_exists);
    const auto same = reg.ensure({.name = "ep", .target_namespace = "handler-ns", .target_task_queue = "handler-tq"});
    BOOST_TEST(same.version == 1);
    BOOST_CHECK_THROW(reg.update("ep", {.description = "x", .expected_version = 7}), perdure::failed_precondition);
    const auto renamed = reg.update("ep", {.name = "orders", .description = "the order service"});
    BOOST_TEST(renamed.version == 2);
    BOOST_TEST(renamed.id == same.id);
    f.close();
    f.open([](perdure::engine& e) {
        e.namespaces().ensure("handler-ns");
        e.namespaces().ensure("caller-ns");
    });
    const auto listed = f.engine().nexus_endpoints().list();
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].spec.name == "orders");
    BOOST_TEST(listed[0].spec.description == "the order service");
    BOOST_TEST(listed[0].version == 2);
    f.engine().nexus_endpoints().remove("orders");
    BOOST_CHECK_THROW(f.engine().nexus_endpoints().describe("orders"), perdure::not_found);
}

BOOST_AUTO_TEST_CASE(operation_tokens_are_encoded_as_temporal_encodes_them) {
    const auto token = perdure::detail::encode_token({"handler-ns", "order-1"});
    BOOST_TEST(token == "eyJ0IjoxLCJucyI6ImhhbmRsZXItbnMiLCJ3aWQiOiJvcmRlci0xIn0");
    const auto back = perdure::detail::decode_token(token);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->workflow_id == "order-1");
    BOOST_TEST(!perdure::detail::decode_token("not a token").has_value());
    BOOST_TEST(!perdure::detail::decode_token(perdure::detail::base64url_encode(R"({"t":1,"ns":"a","wid":"b","v":1})"))
                    .has_value());
}

BOOST_AUTO_TEST_SUITE_END()
