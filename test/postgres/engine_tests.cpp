// The public engine, unchanged, on a PostgreSQL database: a workflow runs an activity, and a
// second engine opened on the same database afterwards finds the run and its history.
#include "support/postgres_cluster.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;

namespace {

std::string shout(perdure::activity_context&, std::string s) { return s + "!"; }
const perdure::activity_def shout_activity{"Shout", &shout};

perdure::workflow<std::string> twice(perdure::workflow_context& ctx, std::string s) {
    auto once = co_await ctx.execute_activity(shout_activity, s, {.start_to_close_timeout = 10s});
    co_return co_await ctx.execute_activity(shout_activity, once, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def twice_workflow{"Twice", &twice};

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_engine, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_workflow_runs_and_its_history_outlives_the_engine) {
    const auto uri = postgres_cluster::instance().create_database();
    std::vector<std::string> types;
    {
        perdure::engine engine({.database = uri, .durability = perdure::durability::off});
        engine.namespaces().ensure("default");
        engine.add_worker("default", "q").register_workflow(twice_workflow).register_activity(shout_activity);
        engine.start();
        auto run = engine.client_for("default").start_workflow(twice_workflow, std::string("hi"),
                                                               {.id = "twice-1", .task_queue = "q"});
        BOOST_TEST(run.get() == "hi!!");
        for (const auto& e : run.history()) types.push_back(e.event_type);
    }
    perdure::engine again({.database = uri, .durability = perdure::durability::off});
    again.start();
    auto run = again.client_for("default").get_handle<std::string>("twice-1");
    BOOST_TEST(run.get() == "hi!!");
    std::vector<std::string> reread;
    for (const auto& e : run.history()) reread.push_back(e.event_type);
    BOOST_TEST(reread == types, boost::test_tools::per_element());
    BOOST_TEST(types.size() > 8u);
}

BOOST_AUTO_TEST_SUITE_END()
