// Deleting a namespace through the CLI: a namespace created again under the same name, by the
// CLI or by an application, starts empty, across reopens.
#include "cli_fixture.hpp"

#include "test_workflow.hpp"

#include <boost/test/unit_test.hpp>

namespace {

using perdure::test::cli_fixture;

/// Namespace "old" with one completed run, made by an application that then closes.
void make_old_namespace(const std::string& db) {
    perdure::engine engine({.database = db, .durability = perdure::durability::normal});
    engine.namespaces().ensure("old");
    engine.add_worker("old", "q").register_workflow(perdure::test::wait_for_go_workflow);
    engine.start();
    auto run = engine.client_for("old").start_workflow(perdure::test::wait_for_go_workflow, "o-1",
                                                       {.id = "o-1", .task_queue = "q"});
    run.signal("go", std::string("now"));
    BOOST_REQUIRE_EQUAL(run.get(), "o-1 went now");
}

}   // namespace

BOOST_AUTO_TEST_SUITE(namespace_delete)

BOOST_FIXTURE_TEST_CASE(a_namespace_deleted_and_created_again_by_the_cli_has_no_runs, cli_fixture) {
    make_old_namespace(db);
    BOOST_REQUIRE_EQUAL(json("workflow list --namespace old").as_array().size(), 1u);
    BOOST_REQUIRE_EQUAL(perdure("operator namespace delete --namespace old").code, 0);
    BOOST_TEST(perdure("workflow list --namespace old").code == 1);   // no such namespace now
    BOOST_REQUIRE_EQUAL(perdure("operator namespace create --namespace old").code, 0);
    BOOST_TEST(json("workflow list --namespace old").as_array().empty());
    BOOST_TEST(perdure("workflow describe --namespace old --workflow-id o-1").code == 1);
    {
        perdure::engine engine({.database = db, .durability = perdure::durability::normal});
        BOOST_TEST(engine.client_for("old").list().empty());
        engine.namespaces().remove("old");
        engine.namespaces().create("old");   // and again, by the application
    }
    BOOST_TEST(json("workflow list --namespace old").as_array().empty());
    BOOST_TEST(json("operator namespace list").as_array().size() == 2u);   // app and old, once
}

BOOST_AUTO_TEST_SUITE_END()
