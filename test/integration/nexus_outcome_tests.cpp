// Nexus operations as the caller records them: Started before the outcome and carrying the
// token, nothing after the outcome (late completions, deadlines, restarts), cancellations as
// Temporal's nexus operation failures, undecodable input as BAD_REQUEST, handler code off
// the engine strand, the links a handler returns.
#include "integration/nexus_support.hpp"
#include "client/core_access.hpp"

#include "runtime/core.hpp"

#include <boost/test/unit_test.hpp>

#include <future>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using namespace perdure::test::nexus_support;

namespace {

gate* the_gate = nullptr;

perdure::workflow<std::string> gated_flow(perdure::workflow_context&, std::string in) { co_return "gated " + in; }
const perdure::workflow_def gated_workflow{"GatedFlow", &gated_flow};
const perdure::nexus::workflow_run_operation gated_op{
    "gated", gated_workflow, [](perdure::nexus::operation_context& ctx, const std::string&) {
        the_gate->pass();
        return perdure::start_workflow_options{.id = "g-" + ctx.request_id};
    }};

perdure::workflow<std::string> quick_flow(perdure::workflow_context&) { co_return "quick"; }
const perdure::workflow_def quick_workflow{"Quick", &quick_flow};

void setup_gated(perdure::engine& e) {
    setup(e);
    e.add_worker("handler-ns", "gated-tq")
        .register_workflow(gated_workflow)
        .register_nexus_service(perdure::nexus::service("svc").add(gated_op));
    e.nexus_endpoints().ensure({.name = "gated-ep", .target_namespace = "handler-ns", .target_task_queue = "gated-tq"});
    e.add_worker("default", "quick-tq").register_workflow(quick_workflow);
}

/// Operations whose handler code returns links to the caller.
const perdure::nexus::sync_operation<std::string, std::string> linked_sync{
    "linked-sync", [](perdure::nexus::operation_context& ctx, std::string in) {
        ctx.handler_links.push_back({"https://orders.example.com/" + in, "com.example.Order"});
        return "linked " + in;
    }};
const perdure::nexus::workflow_run_operation linked_run{
    "linked-run", gated_workflow, [](perdure::nexus::operation_context& ctx, const std::string& in) {
        ctx.handler_links.push_back({"https://orders.example.com/" + in, "com.example.Order"});
        return perdure::start_workflow_options{.id = "l-" + in};
    }};
const perdure::nexus::sync_operation<std::string, std::string> bad_link{
    "bad-link", [](perdure::nexus::operation_context& ctx, std::string in) {
        ctx.handler_links.push_back({"https://orders.example.com/" + in, ""});
        return in;
    }};
/// An options callback that ends the operation itself.
const perdure::nexus::workflow_run_operation refusing{
    "refusing", gated_workflow,
    [](perdure::nexus::operation_context&, const std::string&) -> perdure::start_workflow_options {
        throw perdure::nexus::operation_error(perdure::nexus::operation_state::canceled, "not today");
    }};

/// Operations whose handler workflow gets search attributes, registered ("tagged") or not.
const perdure::nexus::workflow_run_operation tagged{
    "tagged", gated_workflow, [](perdure::nexus::operation_context&, const std::string& in) {
        return perdure::start_workflow_options{.id = "t-" + in, .search_attributes = {{"Customer", in}}};
    }};
const perdure::nexus::workflow_run_operation mistagged{
    "mistagged", gated_workflow, [](perdure::nexus::operation_context&, const std::string& in) {
        return perdure::start_workflow_options{.id = "m-" + in, .search_attributes = {{"Custmer", in}}};
    }};

void setup_linked(perdure::engine& e) {
    setup(e);
    e.add_worker("handler-ns", "linked-tq")
        .register_workflow(gated_workflow)
        .register_nexus_service(perdure::nexus::service("svc")
                                    .add(linked_sync)
                                    .add(linked_run)
                                    .add(refusing)
                                    .add(bad_link)
                                    .add(tagged)
                                    .add(mistagged));
    e.nexus_endpoints().ensure(
        {.name = "linked-ep", .target_namespace = "handler-ns", .target_task_queue = "linked-tq"});
}

/// Runs `fn` on another thread; empty if it did not finish within 10 s (the engine was stuck).
template <class F>
std::optional<std::string> within_10s(std::future<std::string>& pending, F&& fn) {
    pending = std::async(std::launch::async, std::forward<F>(fn));
    if (pending.wait_for(10s) != std::future_status::ready) return std::nullopt;
    return pending.get();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_outcomes)

BOOST_AUTO_TEST_CASE(a_handler_workflow_that_closes_at_once_gives_started_with_its_token_before_the_outcome) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c",
                     {.operation = "run",
                      .input = "complete",
                      .schedule_to_close_ms = 30'000,
                      .start_to_close_ms = 20'000,
                      .await_started = true,
                      .linger_ms = 60'000});
    const auto result = finish(f, run);
    const auto h = run.history();
    const auto t = types(h);
    std::string order;
    for (const auto& type : t) order += type + " ";
    BOOST_TEST_INFO_SCOPE(order);
    const auto started = position(t, "NexusOperationStarted");
    BOOST_REQUIRE(started != std::string::npos);
    BOOST_TEST(position(t, "NexusOperationScheduled") < started);
    BOOST_TEST(started < position(t, "NexusOperationCompleted"));
    BOOST_TEST(count(t, "NexusOperationStarted") == 1u);
    BOOST_TEST(count(t, "NexusOperationCompleted") == 1u);
    BOOST_TEST(count(t, "NexusOperationTimedOut") == 0u);   // its deadlines passed while the caller lingered
    const std::string token(h[started].attributes.at("operation_token").as_string());
    BOOST_TEST(!token.empty());
    BOOST_TEST(result.ends_with(" token " + token), result);   // started() gave the token
}

BOOST_AUTO_TEST_CASE(nothing_happens_to_an_operation_after_its_outcome_even_after_a_restart) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e); });
    auto run = start(f, "c",
                     {.operation = "run",
                      .input = "complete",
                      .schedule_to_close_ms = 30'000,
                      .start_to_close_ms = 20'000,
                      .linger_ms = 60'000});
    f.idle();
    BOOST_TEST(count(types(run.history()), "NexusOperationCompleted") == 1u);
    f.close();
    f.open([](perdure::engine& e) { setup(e); });   // the deadlines come back from the file
    auto reopened = f.client("caller-ns").get_handle<std::string>("c");
    BOOST_TEST(finish(f, reopened).starts_with("ok: workflow h-"));
    const auto t = types(reopened.history());
    BOOST_TEST(count(t, "NexusOperationTimedOut") == 0u);
    BOOST_TEST(count(t, "NexusOperationCompleted") == 1u);
}

BOOST_AUTO_TEST_CASE(a_handler_workflow_that_closes_after_the_operation_timed_out_adds_nothing_to_the_caller) {
    for (const bool restart : {false, true}) {
        BOOST_TEST_CONTEXT("restart " << restart) {
            engine_fixture f;
            f.open([](perdure::engine& e) { setup(e); });
            auto run = start(
                f, "c", {.operation = "run", .input = "wait", .schedule_to_close_ms = 30'000, .linger_ms = 120'000});
            for (int i = 0; i < 40 && count(types(run.history()), "NexusOperationTimedOut") == 0; ++i) f.advance(1s);
            BOOST_TEST(count(types(run.history()), "NexusOperationTimedOut") == 1u);
            if (restart) {
                f.close();
                f.open([](perdure::engine& e) { setup(e); });
            }
            auto handlers = f.client("handler-ns").list(perdure::workflow_status::running);
            BOOST_REQUIRE(handlers.size() == 1u);
            auto handler = f.client("handler-ns").get_handle(handlers[0].workflow_id);
            handler.signal("go", std::string("now"));   // its completion reaches a caller that no longer waits
            f.idle();
            BOOST_TEST(handler.describe().status == perdure::workflow_status::completed);
            auto caller = f.client("caller-ns").get_handle<std::string>("c");
            BOOST_TEST(finish(f, caller, 200) ==
                       "nexus_operation_failure(run) caused by timeout_error SCHEDULE_TO_CLOSE");
            const auto t = types(caller.history());
            BOOST_TEST(count(t, "NexusOperationTimedOut") == 1u);
            BOOST_TEST(count(t, "NexusOperationCompleted") == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_cancellation_type_reaches_the_caller_as_a_nexus_operation_failure_caused_by_canceled_error) {
    for (const std::string type : {"abandon", "try_cancel", "wait_requested", "wait_completed"}) {
        BOOST_TEST_CONTEXT(type) {
            engine_fixture f;
            f.open([](perdure::engine& e) { setup(e); });
            auto run = start(f, "c",
                             {.operation = "run",
                              .input = "wait",
                              .cancellation = type,
                              .cancel_after_start = true,
                              .report_failure_fields = true});
            const auto r = run.get();
            const auto h = run.history();
            const auto t = types(h);
            const auto started = position(t, "NexusOperationStarted");
            BOOST_REQUIRE(started != std::string::npos);
            const std::string token(h[started].attributes.at("operation_token").as_string());
            BOOST_TEST(r.starts_with("nexus_operation_failure(run) caused by canceled_error: "), r);
            BOOST_TEST(r.ends_with("[endpoint ep, service svc, operation run, token " + token + ", scheduled " +
                                   std::to_string(h[position(t, "NexusOperationScheduled")].event_id) + "]"),
                       r);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_cancel_before_the_operation_is_scheduled_or_started_gives_the_same_failure) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup(e, false); });   // no handler worker: nothing starts
    auto before =
        start(f, "before",
              {.operation = "run", .input = "wait", .cancel_before_schedule = true, .report_failure_fields = true});
    const auto r = before.get();
    BOOST_TEST(r.starts_with("nexus_operation_failure(run) caused by canceled_error: "), r);
    BOOST_TEST(r.ends_with("[endpoint ep, service svc, operation run, token , scheduled 0]"), r);
    for (const std::string type : {"abandon", "try_cancel"}) {
        BOOST_TEST_CONTEXT(type) {
            auto run = start(f, "unstarted-" + type,
                             {.operation = "run",
                              .input = "wait",
                              .cancellation = type,
                              .report_failure_fields = true,
                              .cancel_after_scheduled = true});
            const auto outcome = finish(f, run, 5);
            BOOST_TEST(outcome.starts_with("nexus_operation_failure(run) caused by canceled_error: "), outcome);
            BOOST_TEST(outcome.ends_with(", token , scheduled 3]"), outcome);
        }
    }
}

const perdure::workflow_def propagating{
    "Propagating", +[](perdure::workflow_context& ctx) -> perdure::workflow<std::string> {
        auto op = ctx.nexus_client("ep", "svc")
                      .start_operation<std::string>("run", std::string("wait"),
                                                    {.cancellation = perdure::cancellation_type::try_cancel});
        co_await op.started();
        co_return co_await op.result();   // the cancellation leaves the workflow
    }};

BOOST_AUTO_TEST_CASE(a_canceled_caller_that_lets_the_operations_cancellation_escape_ends_canceled) {
    engine_fixture f;
    f.open([](perdure::engine& e) {
        setup(e);
        e.add_worker("caller-ns", "propagating").register_workflow(propagating);
    });
    auto run = f.client("caller-ns").start_workflow(propagating, {.id = "p", .task_queue = "propagating"});
    f.idle();
    run.cancel();
    f.idle();
    BOOST_TEST(run.describe().status == perdure::workflow_status::canceled);
}

BOOST_AUTO_TEST_CASE(input_the_handler_cannot_decode_fails_the_operation_at_once_with_bad_request) {
    for (const std::string operation : {"sync", "run"}) {
        BOOST_TEST_CONTEXT(operation) {
            engine_fixture f;
            f.open([](perdure::engine& e) { setup(e); });
            log().workflows_started = 0;
            auto run = start(f, "c", {.operation = operation, .schedule_to_close_ms = 30'000, .bad_input = true});
            const auto r = finish(f, run, 60);
            BOOST_TEST(r.starts_with("nexus_operation_failure(" + operation +
                                     ") caused by handler_error BAD_REQUEST: invalid input"),
                       r);
            BOOST_TEST(count(types(run.history()), "NexusOperationFailed") == 1u);
            // The caller's mistake says nothing about the endpoint's health.
            const auto health = f.engine().nexus_endpoints().health("ep", "caller-ns");
            BOOST_TEST(health.breaker == "closed");
            BOOST_TEST(health.consecutive_failures == 0);
            BOOST_TEST(log().workflows_started == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_options_callback_that_blocks_stalls_no_other_namespace) {
    gate g;
    the_gate = &g;
    engine_fixture f;
    f.open(setup_gated);
    auto starting = std::async(std::launch::async, [&] {
        return start(f, "c", {.operation = "gated", .input = "x", .endpoint = "gated-ep"});
    });
    BOOST_REQUIRE(g.wait_entered());
    std::future<std::string> other;
    const auto quick = within_10s(other, [&] {
        return f.client("default").start_workflow(quick_workflow, {.id = "q", .task_queue = "quick-tq"}).get();
    });
    BOOST_TEST(quick.value_or("stuck") == "quick");
    // The callback counts as running handler code: the test environment lets no time pass.
    BOOST_TEST(!perdure::detail::core_access::core(f.engine())->work().idle());
    BOOST_TEST(perdure::detail::core_access::core(f.engine())->work().holders().find("handler") != std::string::npos,
               perdure::detail::core_access::core(f.engine())->work().holders());
    g.release();
    auto run = starting.get();
    BOOST_TEST(run.get().starts_with("ok: gated x"));
}

BOOST_AUTO_TEST_CASE(an_options_callback_that_returns_after_the_operation_timed_out_starts_nothing) {
    gate g;
    the_gate = &g;
    engine_fixture f;
    f.open(setup_gated);
    auto starting = std::async(std::launch::async, [&] {
        return start(f, "c",
                     {.operation = "gated", .input = "x", .schedule_to_close_ms = 5'000, .endpoint = "gated-ep"});
    });
    BOOST_REQUIRE(g.wait_entered());
    f.clock->advance(6s);   // the caller's deadline passes while the callback still runs
    std::future<std::string> outcome;
    const auto r = within_10s(outcome, [&] { return starting.get().get(); });
    BOOST_TEST(r.value_or("stuck") == "nexus_operation_failure(gated) caused by timeout_error SCHEDULE_TO_CLOSE");
    g.release();
    f.idle();
    BOOST_TEST(f.client("handler-ns").list().empty());   // its options came too late to start anything
}

BOOST_AUTO_TEST_CASE(an_options_callbacks_canceled_operation_error_ends_the_operation_canceled) {
    engine_fixture f;
    f.open(setup_linked);
    auto run = start(f, "c", {.operation = "refusing", .input = "x", .endpoint = "linked-ep"});
    BOOST_TEST(run.get() == "nexus_operation_failure(refusing) caused by canceled_error: not today");
    BOOST_TEST(count(types(run.history()), "NexusOperationCanceled") == 1u);
}

BOOST_AUTO_TEST_CASE(the_links_a_handler_returns_are_recorded_on_the_callers_completed_or_started_event) {
    engine_fixture f;
    f.open(setup_linked);
    const boost::json::object order{{"url", "https://orders.example.com/o-7"}, {"type", "com.example.Order"}};

    auto sync = start(f, "s", {.operation = "linked-sync", .input = "o-7", .endpoint = "linked-ep"});
    BOOST_TEST(sync.get() == "ok: linked o-7");
    const auto h = sync.history();
    const auto completed = position(types(h), "NexusOperationCompleted");
    BOOST_REQUIRE(completed != std::string::npos);
    const auto* links = h[completed].attributes.if_contains("links");
    BOOST_REQUIRE(links);
    BOOST_TEST(*links == (boost::json::array{order}));

    auto async = start(f, "a", {.operation = "linked-run", .input = "o-7", .endpoint = "linked-ep"});
    BOOST_TEST(async.get() == "ok: gated o-7");
    const auto ha = async.history();
    const auto t = types(ha);
    const auto& started = ha[position(t, "NexusOperationStarted")].attributes.at("links").as_array();
    BOOST_REQUIRE(started.size() == 2u);   // the handler workflow's start, then the handler's own
    BOOST_TEST(std::string(started[0].at("url").as_string()).find("eventType=WorkflowExecutionStarted") !=
               std::string::npos);
    BOOST_TEST(started[1] == order);
    BOOST_TEST(!ha[position(t, "NexusOperationCompleted")].attributes.contains(
        "links"));   // as Temporal: async completions carry none

    auto bad = start(f, "b", {.operation = "bad-link", .input = "o-7", .endpoint = "linked-ep"});
    BOOST_TEST(bad.get() ==
               "nexus_operation_failure(bad-link) caused by handler_error INTERNAL: handler link 0 has no type; "
               "give every operation_context::handler_links entry a url and a type");
}

BOOST_AUTO_TEST_CASE(a_handler_workflow_gets_the_search_attributes_its_options_give) {
    engine_fixture f;
    f.open(setup_linked);
    f.engine().namespaces().add_search_attribute("handler-ns", "Customer", perdure::search_attribute_type::keyword);
    auto run = start(f, "t", {.operation = "tagged", .input = "c9", .endpoint = "linked-ep"});
    BOOST_TEST(run.get() == "ok: gated c9");
    const auto found = f.client("handler-ns").list("Customer = 'c9'").executions;
    BOOST_REQUIRE_EQUAL(found.size(), 1u);
    BOOST_TEST(found[0].workflow_id == "t-c9");
    // An unknown attribute fails the operation as a bad request naming it; no workflow starts.
    auto bad = start(f, "m", {.operation = "mistagged", .input = "c9", .endpoint = "linked-ep"});
    const auto outcome = bad.get();
    BOOST_TEST(outcome.find("unknown search attribute 'Custmer'") != std::string::npos, outcome);
    BOOST_TEST(f.client("handler-ns").count("WorkflowId = 'm-c9'") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
