// perdure operator database copy: the fixture's database into a new one of the other kind (a
// SQLite file into PostgreSQL when a server can be started, PostgreSQL into a SQLite file), read
// back through the CLI, then carried on by an engine opened on the copy.
#include "cli_fixture.hpp"
#include "test_workflow.hpp"

#include "support/postgres_cluster.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace {

using perdure::test::cli_fixture;
using perdure::test::run_cli;

/// A new database of the other kind than the fixture's, or a SQLite file when there is no server.
std::string new_database(const cli_fixture& f) {
    auto& cluster = perdure::test::postgres_cluster::instance();
    if (!f.db.starts_with("postgres") && cluster.available()) return cluster.create_database();
    return f.dir.file("copy.db");
}

boost::json::value json_of(const std::vector<std::string>& args, const std::string& db) {
    auto with_json = args;
    with_json.insert(with_json.end(), {"--output", "json"});
    const auto r = run_cli(with_json, db);
    BOOST_TEST_INFO("perdure: " << r.err);
    BOOST_REQUIRE_EQUAL(r.code, 0);
    return boost::json::parse(r.out);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(database_copy)

BOOST_FIXTURE_TEST_CASE(a_copy_reads_as_the_original_and_an_engine_on_it_carries_on, cli_fixture) {
    const auto to = new_database(*this);
    const auto copied = json_of({"operator", "database", "copy", "--to", to}, db).at("result");
    BOOST_TEST(copied.at("runs").as_int64() == 4);
    BOOST_TEST(copied.at("open_runs").as_int64() == 3);

    // What the CLI reads of a run is the same in both.
    for (const char* id : {"order-0", "order-1"}) {
        const std::vector<std::string> show{"workflow", "show", "--namespace", "app", "--workflow-id", id};
        BOOST_TEST(json_of(show, to) == json_of(show, db));
        const std::vector<std::string> describe{"workflow", "describe", "--namespace", "app", "--workflow-id", id};
        BOOST_TEST(json_of(describe, to).at("status") == json_of(describe, db).at("status"));
    }

    // An engine on the copy finishes a run that waited in the original, and starts new ones.
    perdure::engine engine({.database = to, .durability = perdure::durability::normal});
    perdure::test::register_app_worker(engine);
    engine.start();
    auto client = engine.client_for(perdure::test::app_ns);
    auto waiting = client.get_handle<std::string>("order-1");
    waiting.signal("go", std::string("later"));
    BOOST_TEST(waiting.get() == "order-1 went later");
    auto fresh = client.start_workflow(perdure::test::wait_for_go_workflow, "order-4",
                                       {.id = "order-4", .task_queue = perdure::test::app_queue});
    fresh.signal("go", std::string("too"));
    BOOST_TEST(fresh.get() == "order-4 went too");
    BOOST_TEST(client.get_handle<std::string>("order-0").get() == "order-0 went early");
}

BOOST_FIXTURE_TEST_CASE(a_destination_that_holds_data_is_refused, cli_fixture) {
    const auto to = new_database(*this);
    BOOST_REQUIRE_EQUAL(run_cli({"operator", "database", "copy", "--to", to}, db).code, 0);
    const auto again = run_cli({"operator", "database", "copy", "--to", to}, db);
    BOOST_TEST(again.code == 3);
    BOOST_TEST(again.err.find("already holds data; copy into a new, empty database") != std::string::npos);
    const auto onto_itself = run_cli({"operator", "database", "copy", "--to", db}, db);
    BOOST_TEST(onto_itself.code == 1);
    BOOST_TEST(onto_itself.err.find("names the database being copied") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
