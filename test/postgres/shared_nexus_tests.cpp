// Nexus handlers on the shared task table: an operation whose endpoint targets a queue no worker
// of the owner serves is handled by another engine on the database that registers its service,
// as a Temporal worker polls a Nexus task queue. Its result, its failures, a workflow-run
// operation's start and a lost handler's retry reach the caller as if the owner had run it.
#include "beside_engines.hpp"

#include "support/postgres_cluster.hpp"

#include "store/postgres/pg_connection.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>

using namespace std::chrono_literals;
using perdure::test::first;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
using perdure::test::soon;

namespace {

namespace nexus = perdure::nexus;

std::atomic<int> says{0};
std::string seen_caller_link;
const nexus::sync_operation<std::string, std::string> say{
    "say", [](nexus::operation_context& ctx, std::string text) {
        ++says;
        if (text == "flaky" && says == 1)
            throw nexus::handler_error(nexus::handler_error_type::unavailable, "warming up");
        if (text == "down") throw nexus::handler_error(nexus::handler_error_type::unavailable, "down");
        if (text == "refused") throw nexus::handler_error(nexus::handler_error_type::bad_request, "refused: " + text);
        seen_caller_link = ctx.links.empty() ? "" : ctx.links.front().url;
        ctx.handler_links.push_back({"https://example.com/said/" + ctx.request_id, "said"});
        return text + " said in " + ctx.ns;
    }};

/// The handler workflow of the workflow-run operation: the owner runs it.
perdure::workflow<std::string> spell(perdure::workflow_context&, std::string word) { co_return "spelled " + word; }
const perdure::workflow_def spell_workflow{"Spell", &spell};
const nexus::workflow_run_operation<std::string, std::string> spell_op{
    "spell", spell_workflow, [](nexus::operation_context&, const std::string& word) {
        return perdure::start_workflow_options{.id = "spell-" + word};
    }};

const nexus::sync_operation<std::string, std::string> stuck_say{
    "say", [](nexus::operation_context&, std::string) -> std::string { perdure::test::run_stuck(); }};

struct call_args {
    std::string operation, text;
};
BOOST_DESCRIBE_STRUCT(call_args, (), (operation, text))

perdure::workflow<std::string> call_beside(perdure::workflow_context& ctx, call_args a) {
    auto client = ctx.nexus_client("beside", "words");
    nexus::operation_options o{.schedule_to_close_timeout = 60s};
    if (a.operation == "spell") co_return co_await client.execute_operation(spell_op, a.text, o);
    co_return co_await client.execute_operation(say, a.text, o);
}
const perdure::workflow_def call_workflow{"CallBeside", &call_beside};

perdure::engine_options on(const std::string& uri, std::shared_ptr<perdure::clock> clock = nullptr) {
    return {.database = uri, .durability = perdure::durability::off, .clock = std::move(clock)};
}

/// An engine owning the database at `uri`: it runs the callers and the handler workflows, and
/// serves no Nexus service; the endpoint targets queue "words" of namespace "handlers".
std::unique_ptr<perdure::engine> started_owner(const std::string& uri,
                                               std::shared_ptr<perdure::clock> clock = nullptr) {
    auto owner = std::make_unique<perdure::engine>(on(uri, std::move(clock)));
    owner->namespaces().ensure("callers");
    owner->namespaces().ensure("handlers");
    owner->nexus_endpoints().ensure({.name = "beside", .target_namespace = "handlers", .target_task_queue = "words"});
    owner->add_worker("callers", "callers").register_workflow(call_workflow);
    owner->add_worker("handlers", "words").register_workflow(spell_workflow);
    owner->start();
    return owner;
}

/// An engine beside the owner whose worker serves the service on "words", started: it stands by.
std::unique_ptr<perdure::engine> started_beside(const std::string& uri) {
    auto beside = std::make_unique<perdure::engine>(on(uri));
    beside->add_worker("handlers", "words").register_nexus_service(nexus::service("words").add(say).add(spell_op));
    beside->start();
    return beside;
}

perdure::workflow_handle<std::string> call(perdure::engine& e, const std::string& id, call_args a) {
    return e.client_for("callers").start_workflow(call_workflow, a, {.id = id, .task_queue = "callers"});
}

std::int64_t offers(const std::string& uri) {
    perdure::detail::pg::connection c(uri, "perdure tests");
    return c.exec("SELECT count(*) FROM perdure.queue_tasks").int64(0, 0);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_shared_nexus, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_sync_operation_whose_service_only_another_engine_serves_completes_its_caller) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    says = 0;
    auto run = call(*owner, "say-1", {"say", "hello"});
    BOOST_TEST(run.get() == "hello said in handlers");
    BOOST_TEST(says == 1);
    // The handler was told of its caller, and the link it added is on the caller's completion.
    BOOST_TEST(seen_caller_link.find("/namespaces/callers/workflows/say-1/") != std::string::npos);
    const auto h = run.history();
    const auto& completed = first(h, "NexusOperationCompleted").attributes;
    BOOST_TEST(completed.at("result").as_string() == "hello said in handlers");
    const auto request_id = first(h, "NexusOperationScheduled").attributes.at("request_id").as_string();
    BOOST_TEST(completed.at("links").at(0).at("url").as_string() ==
               "https://example.com/said/" + std::string(request_id));
    BOOST_TEST(offers(uri) == 0);
}

BOOST_AUTO_TEST_CASE(a_workflow_run_operation_handled_beside_starts_its_workflow_on_the_owner) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    auto run = call(*owner, "spell-1", {"spell", "perdure"});
    BOOST_TEST(run.get() == "spelled perdure");
    const auto h = run.history();
    BOOST_TEST(first(h, "NexusOperationStarted").attributes.at("operation_token").as_string().size() > 0u);
    // The options the handler chose named the workflow; the owner started it with the
    // operation's request id, so a retried start would find it.
    auto handler = owner->client_for("handlers").get_handle<std::string>("spell-perdure");
    BOOST_TEST(handler.get() == "spelled perdure");
    BOOST_TEST(first(handler.history(), "WorkflowExecutionStarted").attributes.at("request_id") ==
               first(h, "NexusOperationScheduled").attributes.at("request_id"));
}

BOOST_AUTO_TEST_CASE(a_handler_error_beside_is_retried_or_fails_the_caller_as_its_type_says) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    const auto beside = started_beside(uri);
    says = 0;
    // UNAVAILABLE is retried (after Temporal's first backoff) and the next attempt answers.
    BOOST_TEST(call(*owner, "flaky", {"say", "flaky"}).get() == "flaky said in handlers");
    BOOST_TEST(says == 2);
    // BAD_REQUEST is not: the caller's operation fails with the handler's message.
    auto refused = call(*owner, "refused", {"say", "refused"});
    BOOST_CHECK_THROW(refused.get(), perdure::workflow_failed_error);
    const auto h = refused.history();
    BOOST_TEST(first(h, "NexusOperationFailed").attributes.at("failure").at("cause").at("message").as_string() ==
               "refused: refused");
    BOOST_TEST(says == 3);
}

BOOST_AUTO_TEST_CASE(an_endpoints_health_asked_beside_is_the_owners_circuit_breaker) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto clock = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now());
    const auto owner = started_owner(uri, clock);
    const auto beside = started_beside(uri);
    auto run = call(*owner, "down", {"say", "down"});
    // The first attempt failed UNAVAILABLE; the owner's clock holds the next one back.
    BOOST_REQUIRE(soon([&] { return owner->nexus_endpoints().health("beside", "callers").consecutive_failures == 1; }));
    const auto owners = owner->nexus_endpoints().health("beside", "callers");
    const auto asked = beside->nexus_endpoints().health("beside", "callers");
    BOOST_TEST(asked.breaker == owners.breaker);
    BOOST_TEST(asked.consecutive_failures == 1);
    BOOST_TEST(asked.in_flight == owners.in_flight);
    BOOST_TEST((asked.reopens_at == owners.reopens_at));
    BOOST_TEST(beside->nexus_endpoints().health("beside", "nobody").consecutive_failures == 0);
    BOOST_CHECK_THROW(beside->nexus_endpoints().health("nowhere"), perdure::not_found);
    run.terminate("done");
}

BOOST_AUTO_TEST_CASE(an_operation_nobody_serves_is_offered_again_each_attempt_and_times_out_leaving_no_offer) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto clock = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now());
    const auto owner = started_owner(uri, clock);
    auto run = call(*owner, "unserved", {"say", "anyone?"});
    BOOST_REQUIRE(soon([&] { return offers(uri) == 1; }));
    // Unclaimed within the request timeout (10 s), the attempt counts as UPSTREAM_TIMEOUT and
    // the next one is offered after its backoff, as a task no Temporal worker polls.
    clock->advance(10s);
    BOOST_REQUIRE(soon([&] { return run.describe().pending_nexus_operations.at(0).attempt == 2; }));
    clock->advance(2s);
    BOOST_REQUIRE(soon([&] { return offers(uri) == 1; }));
    clock->advance(60s);
    BOOST_CHECK_THROW(run.get(), perdure::workflow_failed_error);
    BOOST_TEST(first(run.history(), "NexusOperationTimedOut").event_id > 0);
    BOOST_TEST(offers(uri) == 0);
}

BOOST_AUTO_TEST_CASE(an_offered_attempt_runs_on_the_owner_once_a_worker_there_registers_its_service) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto clock = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now());
    const auto owner = started_owner(uri, clock);
    says = 0;
    auto run = call(*owner, "late-worker", {"say", "here"});
    BOOST_REQUIRE(soon([&] { return offers(uri) == 1; }));
    // No time passes: the offer is taken back, not left to its request timeout.
    owner->add_worker("handlers", "words").register_nexus_service(nexus::service("words").add(say));
    BOOST_TEST(run.get() == "here said in handlers");
    BOOST_TEST(says == 1);
    BOOST_TEST(offers(uri) == 0);
}

BOOST_AUTO_TEST_CASE(a_handler_whose_engine_is_killed_is_retried_on_another_after_the_request_timeout) {
    const auto uri = postgres_cluster::instance().create_database();
    perdure::test::stuck_process stuck(uri, [](const std::string& at) {
        auto beside = std::make_unique<perdure::engine>(on(at));
        beside->add_worker("handlers", "words").register_nexus_service(nexus::service("words").add(stuck_say));
        beside->start();
        return beside;
    });
    const auto clock = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now());
    const auto owner = started_owner(uri, clock);
    stuck.go();
    says = 0;
    auto run = call(*owner, "killed", {"say", "again"});
    BOOST_REQUIRE(stuck.kill_once_running());

    // The owner's request timeout ends the lost attempt; the next is offered and runs here.
    const auto beside = started_beside(uri);
    clock->advance(10s);
    BOOST_REQUIRE(soon([&] { return run.describe().pending_nexus_operations.at(0).attempt == 2; }));
    clock->advance(2s);
    BOOST_TEST(run.get() == "again said in handlers");
    BOOST_TEST(says == 1);
}

BOOST_AUTO_TEST_SUITE_END()
