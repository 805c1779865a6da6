// The CLI beside an application's engine in another process: reads go straight to the store,
// writes go through the engine's inbox and report what the engine answered.
#include "cli_fixture.hpp"

#include "support/tally_workflow.hpp"
#include "support/test_store.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

namespace {

using perdure::test::cli_fixture;
using perdure::test::engine_host;

std::vector<std::string> inbox_states(const std::string& db) {
    return perdure::test::stored_column(db, "SELECT state FROM inbox ORDER BY id");
}

/// An engine of the application on `db`, serving the tally, started (it owns the data, or stands by).
std::unique_ptr<perdure::engine> holding_engine(const std::string& db) {
    auto e = std::make_unique<perdure::engine>(perdure::engine_options{.database = db});
    e->add_worker("app", "holding").register_workflow(perdure::test::tally_workflow);
    e->start();
    return e;
}

/// Several engines share a database on PostgreSQL only.
struct on_postgresql {
    template <class Id>
    bool operator()(Id) const {
        return perdure::test::test_store() == perdure::test::store_kind::postgresql;
    }
};

}   // namespace

BOOST_AUTO_TEST_SUITE(running_engine)

BOOST_FIXTURE_TEST_CASE(reads_work_while_an_engine_owns_the_file, cli_fixture) {
    engine_host host(db);
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
    BOOST_TEST(json("workflow list --namespace app").as_array().size() == 4u);
    BOOST_TEST(json("workflow describe --namespace app --workflow-id order-0").at("status") == "completed");
    BOOST_TEST(json("workflow show --namespace app --workflow-id order-1").as_array().size() >= 2u);
    BOOST_TEST(perdure("operator nexus endpoint list").code == 0);
    BOOST_TEST(inbox_states(db).empty());   // reads leave nothing for the engine
}

BOOST_FIXTURE_TEST_CASE(writes_go_through_the_inbox_and_print_the_engines_answer, cli_fixture) {
    engine_host host(db);
    const auto ns = json("operator namespace create --namespace handler-ns --description handles");
    BOOST_TEST(ns.at("route") == "inbox");
    BOOST_TEST(ns.at("result").at("name") == "handler-ns");
    BOOST_TEST(ns.at("result").at("description") == "handles");

    const auto endpoint = json(
        "operator nexus endpoint create --name my-endpoint --target-namespace handler-ns "
        "--target-task-queue handler-tq");
    BOOST_TEST(endpoint.at("route") == "inbox");
    BOOST_TEST(endpoint.at("result").at("version") == 1);
    BOOST_TEST(endpoint.at("result").at("id") == json("operator nexus endpoint describe --name my-endpoint").at("id"));
    const auto updated = json("operator nexus endpoint update --name my-endpoint --target-task-queue new-handler-tq");
    BOOST_TEST(updated.at("result").at("version") == 2);
    BOOST_TEST(updated.at("result").at("target_task_queue") == "new-handler-tq");

    const auto signaled = json("workflow signal --namespace app --workflow-id order-1 --name go --input \"now\"");
    BOOST_TEST(signaled.at("route") == "inbox");
    BOOST_TEST(wait_for_status("order-1", "completed") == "completed");
    const auto history = json("workflow show --namespace app --workflow-id order-1").as_array();
    BOOST_TEST(history.back().at("attributes").at("result") == "order-1 went now");

    BOOST_TEST(json("workflow terminate --namespace app --workflow-id order-3 --reason stuck").at("route") == "inbox");
    BOOST_TEST(json("workflow describe --namespace app --workflow-id order-3").at("status") == "terminated");
    BOOST_TEST(
        json("workflow show --namespace app --workflow-id order-3").as_array().back().at("attributes").at("reason") ==
        "stuck");

    BOOST_TEST(json("operator nexus endpoint delete --name my-endpoint").at("route") == "inbox");
    BOOST_TEST(json("operator nexus endpoint list").as_array().empty());
    BOOST_TEST(json("operator namespace delete --namespace handler-ns").at("route") == "inbox");
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
    for (const auto& state : inbox_states(db)) BOOST_TEST(state == "done");
    BOOST_TEST(host.stop() == 0);
}

// An application that received a command through its inbox ends as quickly as one that did
// not: its exit waits for no inbox poll.
BOOST_FIXTURE_TEST_CASE(an_engine_exits_at_once_after_a_command_through_its_inbox, cli_fixture) {
    engine_host host(db);
    BOOST_REQUIRE_EQUAL(perdure("workflow signal --namespace app --workflow-id order-1 --name go --input \"now\"").code,
                        0);
    const auto began = std::chrono::steady_clock::now();
    BOOST_TEST(host.stop() == 0);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    BOOST_TEST(took.count() < 750, "engine-host took " << took.count() << " ms to exit");
}

BOOST_FIXTURE_TEST_CASE(the_engines_refusals_are_user_errors, cli_fixture) {
    engine_host host(db);
    const auto unknown = perdure("operator nexus endpoint delete --name ghost");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(unknown.err.find("ghost") != std::string::npos, unknown.err);
    const auto invalid = perdure("operator namespace create --namespace bad/name");
    BOOST_TEST(invalid.code == 1);
    BOOST_TEST(invalid.err.find("invalid namespace name 'bad/name'") != std::string::npos, invalid.err);
    const auto taken = perdure("operator namespace create --namespace app");
    BOOST_TEST(taken.code == 1);
    BOOST_TEST(taken.err.find("namespace 'app' already exists") != std::string::npos, taken.err);
    const auto busy = perdure("operator namespace delete --namespace app");   // it has open workflows
    BOOST_TEST(busy.code == 1);
    BOOST_TEST(busy.err.find("still has open workflows") != std::string::npos, busy.err);
    const auto closed = perdure("workflow terminate --namespace app --workflow-id order-0");
    BOOST_TEST(closed.code == 1);
    BOOST_TEST(closed.err.find("order-0") != std::string::npos, closed.err);
    for (const auto& state : inbox_states(db)) BOOST_TEST(state == "failed");
    BOOST_TEST(inbox_states(db).size() == 5u);
    // A cancel of a closed run is no refusal: Temporal answers it with success and changes nothing.
    BOOST_TEST(perdure("workflow cancel --namespace app --workflow-id order-0").code == 0);
}

BOOST_FIXTURE_TEST_CASE(an_endpoint_rate_limit_is_set_with_or_without_an_engine, cli_fixture) {
    const auto made = json(
        "operator nexus endpoint create --name limited --target-namespace app --target-task-queue q "
        "--max-operations-per-second 2.5");
    BOOST_TEST(made.at("route") == "maintenance");
    BOOST_TEST(made.at("result").at("max_operations_per_second") == 2.5);
    const auto card = perdure("operator nexus endpoint describe --name limited").out;
    BOOST_TEST(card.find("MaxOpsPerSecond  2.5\n") != std::string::npos, card);
    {
        engine_host host(db);
        const auto updated = json("operator nexus endpoint update --name limited --max-operations-per-second 0");
        BOOST_TEST(updated.at("route") == "inbox");
        BOOST_TEST(updated.at("result").at("max_operations_per_second") == 0.0);
        BOOST_TEST(updated.at("result").at("version") == 2);
    }
    for (const char* bad : {"-1", "fast", "1e999", "2x"}) {
        const auto refused = perdure(std::vector<std::string>{"operator", "nexus", "endpoint", "update", "--name",
                                                              "limited", "--max-operations-per-second", bad});
        BOOST_TEST(refused.code == 1, bad);
        BOOST_TEST(refused.err.find("takes a number") != std::string::npos, refused.err);
    }
    BOOST_TEST(json("operator nexus endpoint describe --name limited").at("max_operations_per_second") == 0.0);
}

BOOST_FIXTURE_TEST_CASE(a_namespace_retention_is_set_with_or_without_an_engine, cli_fixture) {
    const auto made = json("operator namespace create --namespace kept --retention 3d");
    BOOST_TEST(made.at("route") == "maintenance");
    BOOST_TEST(made.at("result").at("retention") == "259200s");
    {
        engine_host host(db);
        const auto updated = json("operator namespace update --namespace kept --retention 12h");
        BOOST_TEST(updated.at("route") == "inbox");
        BOOST_TEST(updated.at("result").at("retention") == "43200s");
        BOOST_TEST(json("operator namespace create --namespace brief --retention 90m").at("result").at("retention") ==
                   "5400s");
    }
    BOOST_TEST(json("operator namespace describe --namespace kept").at("retention") == "43200s");
    const auto zero = perdure("operator namespace update --namespace kept --retention 0s");
    BOOST_TEST(zero.code == 1);
    BOOST_TEST(zero.err.find("positive duration") != std::string::npos, zero.err);
    BOOST_TEST(perdure("operator namespace update --namespace kept").code == 1);
    BOOST_TEST(json("operator namespace describe --namespace kept").at("retention") == "43200s");
}

// The engine that took an update stops before the update completes; another engine takes the
// data over. The CLI sends the update again with its id, and prints the outcome the update
// reached on the next engine, which does not run it a second time.
BOOST_FIXTURE_TEST_CASE(an_update_whose_engine_stops_before_it_completes_prints_its_outcome_from_the_next, cli_fixture,
                        *boost::unit_test::precondition(on_postgresql{})) {
    auto owner = holding_engine(db);
    const auto beside = holding_engine(db);   // stands by, and takes the data over once the owner stops
    auto run =
        owner->client_for("app").start_workflow(perdure::test::tally_workflow, {.id = "held", .task_queue = "holding"});
    perdure::test::cli_process update(
        perdure::test::words("workflow update execute --namespace app --workflow-id held --name hold --input 0"), db);
    const auto count = [&](perdure::engine& on, const std::string& type) {
        const auto h = on.client_for("app").get_handle("held").history();
        return std::count_if(h.begin(), h.end(), [&](const auto& e) { return e.event_type == type; });
    };
    for (int looks = 0; count(*owner, "WorkflowExecutionUpdateAccepted") == 0; ++looks) {
        BOOST_REQUIRE_MESSAGE(looks < 1000, "the update was never accepted");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    owner.reset();   // accepted, its handler waiting
    beside->client_for("app").get_handle("held").signal("add", -5);
    const auto printed = update.finish();
    BOOST_TEST_INFO("perdure: " << printed.err);
    BOOST_TEST(printed.code == 0);
    BOOST_TEST(printed.out == "-5\n");
    BOOST_TEST(count(*beside, "WorkflowExecutionUpdateAccepted") == 1);   // made once, sent twice
    BOOST_TEST(count(*beside, "WorkflowExecutionUpdateCompleted") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
