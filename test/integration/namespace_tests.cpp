// Deleting a namespace as Temporal does: it is gone at once (its name is free again), its runs
// are deleted in the background, and its id is never given to a later namespace, so nothing of
// it reappears there, across reopens.
#include "support/engine_fixture.hpp"

#include "store/store.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

perdure::workflow<std::string> done_flow(perdure::workflow_context&, std::string s) { co_return "done " + s; }
const perdure::workflow_def done_workflow{"Done", &done_flow};

void setup_in(perdure::engine& e, const std::string& ns) {
    e.namespaces().ensure(ns);
    e.add_worker(ns, "q").register_workflow(done_workflow);
}

/// Runs of deleted namespaces still in the database, as another process reads them.
std::size_t runs_of_deleted_namespaces(const std::string& database) {
    const auto store = perdure::detail::open_store({.database = database}, perdure::detail::open_mode::reader);
    return store->snapshot()->runs_of_deleted_namespaces(1000).size();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(namespace_deletion)

BOOST_AUTO_TEST_CASE(a_namespace_made_after_a_deletion_never_sees_the_deleted_ones_runs) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup_in(e, "gone"); });
    BOOST_TEST(f.client("gone").start_workflow(done_workflow, "x", {.id = "w", .task_queue = "q"}).get() == "done x");
    f.engine().namespaces().remove("gone");   // the newest namespace: the one whose id would be reused
    f.close();
    f.open([](perdure::engine& e) { setup_in(e, "fresh"); });
    auto fresh = f.client("fresh");
    BOOST_TEST(fresh.list().empty());
    BOOST_CHECK_THROW(fresh.get_handle("w").describe(), perdure::not_found);
    // reject_duplicate sees no earlier run of "w"
    auto run = fresh.start_workflow(
        done_workflow, "y", {.id = "w", .task_queue = "q", .id_reuse = perdure::id_reuse_policy::reject_duplicate});
    BOOST_TEST(run.get() == "done y");
    BOOST_TEST(fresh.list().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_deleted_name_can_be_created_again_and_starts_empty) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup_in(e, "orders"); });
    f.client("orders").start_workflow(done_workflow, "old", {.id = "o-1", .task_queue = "q"}).get();
    f.engine().namespaces().remove("orders");
    BOOST_CHECK_THROW(f.engine().namespaces().describe("orders"), perdure::not_found);
    f.engine().namespaces().create("orders");
    BOOST_TEST(f.client("orders").list().empty());
    f.close();
    f.open([](perdure::engine& e) { setup_in(e, "orders"); });
    BOOST_TEST(f.client("orders").list().empty());
    BOOST_CHECK_THROW(f.client("orders").get_handle("o-1").get(), perdure::not_found);
}

BOOST_AUTO_TEST_CASE(the_runs_of_a_deleted_namespace_are_deleted_in_the_background) {
    engine_fixture f;
    f.open([](perdure::engine& e) { setup_in(e, "bulk"); });
    for (int i = 0; i < 250; ++i)
        f.client("bulk").start_workflow(done_workflow, "n", {.id = "b-" + std::to_string(i), .task_queue = "q"}).get();
    f.engine().namespaces().remove("bulk");
    f.close();   // before the sweep could finish: the next life goes on with it
    BOOST_TEST(runs_of_deleted_namespaces(f.database()) > 0);
    f.open();
    for (int i = 0; i < 10 && runs_of_deleted_namespaces(f.database()) > 0; ++i) f.advance(2min);
    BOOST_TEST(runs_of_deleted_namespaces(f.database()) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
