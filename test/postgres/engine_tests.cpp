// The public engine, unchanged, on a PostgreSQL database: a workflow runs an activity, and a
// second engine opened on the same database afterwards finds the run and its history; a second
// engine beside a live one is refused, and one whose process was killed is replaced at once.
#include "support/postgres_cluster.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

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

BOOST_AUTO_TEST_CASE(an_engine_beside_a_live_one_is_refused_and_one_after_a_killed_one_starts_at_once) {
    const auto uri = postgres_cluster::instance().create_database();
    int ready[2];
    BOOST_REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {   // another process: an engine holding every shard's 30 s lease, then waiting to die
        ::close(ready[0]);
        perdure::engine engine({.database = uri, .durability = perdure::durability::off});
        engine.start();
        (void)!::write(ready[1], "x", 1);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    BOOST_REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    BOOST_CHECK_EXCEPTION(perdure::engine({.database = uri, .durability = perdure::durability::off}),
                          perdure::database_locked, [](const perdure::database_locked& e) {
                              return std::string(e.what()).find("in use by another perdure engine") !=
                                     std::string::npos;
                          });
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Its leases had 30 s left; its session, and so its liveness lock, went with the process.
    const auto before = std::chrono::steady_clock::now();
    perdure::engine successor({.database = uri, .durability = perdure::durability::off});
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - before);
    BOOST_TEST(waited.count() < 10'000);
}

BOOST_AUTO_TEST_SUITE_END()
