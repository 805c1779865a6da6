// The public engine, unchanged, on a PostgreSQL database: a workflow runs an activity, and a
// second engine opened on the same database afterwards finds the run and its history; a second
// engine beside a live one stands by, and one whose process was killed is replaced at once.
#include "support/postgres_cluster.hpp"
#include "support/test_store.hpp"

#include <perdure/asio.hpp>
#include <perdure/perdure.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <csignal>
#include <mutex>
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

/// Activities that wait at a gate the test opens when it chooses (no sleeping, no timing).
struct gate {
    std::mutex m;
    std::condition_variable cv;
    int waiting = 0;
    bool open = false;
};
gate the_gate;

std::string pass_gate(perdure::activity_context&, std::string s) {
    std::unique_lock lock(the_gate.m);
    ++the_gate.waiting;
    the_gate.cv.notify_all();
    the_gate.cv.wait(lock, [] { return the_gate.open; });
    return s + " passed";
}
const perdure::activity_def gate_activity{"PassGate", &pass_gate};

perdure::workflow<std::string> gated(perdure::workflow_context& ctx, std::string s) {
    auto passed = co_await ctx.execute_activity(gate_activity, s, {.start_to_close_timeout = 120s});
    co_return co_await ctx.execute_activity(shout_activity, passed, {.start_to_close_timeout = 120s});
}
const perdure::workflow_def gated_workflow{"Gated", &gated};

int add_one(perdure::activity_context&, int v) { return v + 1; }
const perdure::activity_def add_one_activity{"AddOne", &add_one};

perdure::workflow<int> count_to(perdure::workflow_context& ctx, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = co_await ctx.execute_activity(add_one_activity, v, {.start_to_close_timeout = 10s});
    co_return v;
}
const perdure::workflow_def count_workflow{"CountTo", &count_to};

perdure::workflow<std::string> until_go(perdure::workflow_context& ctx) {
    ctx.set_query_handler("state", [] { return std::string("waiting for go"); });
    ctx.set_update_handler("note",
                           [](std::string note) -> perdure::workflow<std::string> { co_return "noted " + note; });
    auto go = ctx.signal_channel<std::string>("go");
    co_return "went " + co_await go.receive();
}
const perdure::workflow_def until_go_workflow{"UntilGo", &until_go};

std::string read_line(int fd) {
    std::string line;
    for (char c; ::read(fd, &c, 1) == 1 && c != '\n';) line += c;
    return line;
}
void write_line(int fd, const std::string& line) { (void)!::write(fd, (line + "\n").data(), line.size() + 1); }

/// The run's result, or "canceled" or "terminated" when it closed so.
std::string how_it_closed(perdure::workflow_handle<std::string>& run) {
    try {
        return run.get();
    } catch (const perdure::workflow_failed_error& e) {
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::canceled_error&) {
            return "canceled";
        } catch (const perdure::terminated_error&) {
            return "terminated";
        }
    }
}

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

BOOST_AUTO_TEST_CASE(an_engine_beside_a_live_one_stands_by_and_one_after_a_killed_one_starts_at_once) {
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
    // Beside it, an engine opens and stands by (standby_tests.cpp); a maintenance open is refused.
    BOOST_CHECK_NO_THROW(perdure::engine({.database = uri, .durability = perdure::durability::off}));
    BOOST_CHECK_EXCEPTION(
        perdure::engine({.database = uri, .durability = perdure::durability::off, .maintenance = true}),
        perdure::database_locked, [](const perdure::database_locked& e) {
            return std::string(e.what()).find("in use by another perdure engine") != std::string::npos;
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

BOOST_AUTO_TEST_CASE(an_owner_paused_past_its_lease_is_fenced_when_it_wakes_then_stands_by_and_takes_the_data_back) {
    const auto uri = postgres_cluster::instance().create_database();
    int to_child[2], from_child[2];
    BOOST_REQUIRE(::pipe(to_child) == 0 && ::pipe(from_child) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {   // the first owner: starts a run, sleeps through SIGSTOP, then signals it
        perdure::engine engine({.database = uri, .durability = perdure::durability::off});
        engine.namespaces().ensure("default");
        engine.add_worker("default", "q").register_workflow(until_go_workflow);
        engine.start();
        auto client = engine.client_for("default");
        auto run = client.start_workflow(until_go_workflow, {.id = "paused", .task_queue = "q"});
        // A caller already waiting for the result when ownership moves waits on through the successor.
        auto waiting = perdure::async_get_json(run, boost::asio::use_future);
        engine.namespaces().describe("default");   // a strand round trip: the wait is registered
        write_line(from_child[1], "started");
        read_line(to_child[0]);   // SIGSTOP, the takeover and SIGCONT happen here
        // Each step's outcome, or its error, is a line for the parent to check.
        const auto tell = [&](auto&& step) {
            try {
                write_line(from_child[1], step());
            } catch (const perdure::error& e) {
                write_line(from_child[1], e.what());
            }
        };
        // Its first write after waking is refused by the fence; the engine then stands by, and
        // the same call goes to the engine that owns the data now, as do a query, a start, an
        // update, a cancel and a termination.
        for (int attempt = 1; attempt <= 2; ++attempt)
            tell([&] {
                run.signal("go", std::string("from the old owner"));
                return std::string("signal accepted");
            });
        tell([&] { return "queried: " + client.get_handle<std::string>("paused").query<std::string>("state"); });
        tell([&] {
            auto other = client.start_workflow(until_go_workflow, {.id = "started-after", .task_queue = "q"});
            other.signal("go", std::string("from the stepped-back engine"));
            return other.get();
        });
        tell([&] {
            auto other = client.start_workflow(until_go_workflow, {.id = "updated-after", .task_queue = "q"});
            return other.update<std::string>("note", std::string("from the stepped-back engine"));
        });
        tell([&] {
            auto other = client.get_handle<std::string>("updated-after");
            other.cancel();
            return how_it_closed(other);
        });
        tell([&] {
            auto other = client.start_workflow(until_go_workflow, {.id = "terminated-after", .task_queue = "q"});
            other.terminate("from the stepped-back engine");
            return how_it_closed(other);
        });
        tell([&] { return run.get(); });
        tell([&] { return "waited for " + std::string(waiting.get().as_string()); });
        read_line(to_child[0]);   // the successor stopped: this engine takes the data back
        tell([&] {
            auto again = client.start_workflow(until_go_workflow, {.id = "after", .task_queue = "q"});
            again.signal("go", std::string("on the old owner again"));
            return again.get();
        });
        ::_exit(0);
    }
    BOOST_REQUIRE(read_line(from_child[0]) == "started");
    ::kill(pid, SIGSTOP);
    // The successor's clock is past the first owner's 30 s lease; the paused process still holds
    // its session, so only expiry lets the successor in.
    auto later = std::make_shared<perdure::manual_clock>(std::chrono::system_clock::now() + 31s);
    auto successor = std::make_unique<perdure::engine>(
        perdure::engine_options{.database = uri, .durability = perdure::durability::off, .clock = later});
    successor->add_worker("default", "q").register_workflow(until_go_workflow);
    successor->start();
    auto run = successor->client_for("default").get_handle<std::string>("paused");
    ::kill(pid, SIGCONT);
    write_line(to_child[1], "signal");
    const auto fenced = read_line(from_child[0]);
    BOOST_TEST(fenced.find("another engine owns") != std::string::npos, fenced);
    BOOST_TEST(fenced.find("stands by now") != std::string::npos, fenced);
    BOOST_TEST(read_line(from_child[0]) == "signal accepted");
    BOOST_TEST(read_line(from_child[0]) == "queried: waiting for go");
    BOOST_TEST(read_line(from_child[0]) == "went from the stepped-back engine");
    BOOST_TEST(read_line(from_child[0]) == "noted from the stepped-back engine");
    BOOST_TEST(read_line(from_child[0]) == "canceled");
    BOOST_TEST(read_line(from_child[0]) == "terminated");
    BOOST_TEST(read_line(from_child[0]) == "went from the old owner");
    BOOST_TEST(read_line(from_child[0]) == "waited for went from the old owner");
    BOOST_TEST(run.get() == "went from the old owner");
    int signaled = 0, n = 0;
    for (const auto& e : run.history()) {
        BOOST_TEST(e.event_id == ++n);
        signaled += e.event_type == "WorkflowExecutionSignaled";
    }
    BOOST_TEST(signaled == 1);
    successor.reset();
    write_line(to_child[1], "successor stopped");
    BOOST_TEST(read_line(from_child[0]) == "went on the old owner again");
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

BOOST_AUTO_TEST_CASE(workflows_in_flight_finish_across_a_server_restart) {
    const auto uri = postgres_cluster::instance().create_database();
    constexpr int workflows = 8;
    perdure::engine engine({.database = uri, .activity_threads = workflows});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "q")
        .register_workflow(gated_workflow)
        .register_workflow(twice_workflow)
        .register_activity(gate_activity)
        .register_activity(shout_activity);
    engine.start();
    auto client = engine.client_for("default");
    std::vector<perdure::workflow_handle<std::string>> runs;
    for (int i = 0; i < workflows; ++i)
        runs.push_back(client.start_workflow(gated_workflow, "w" + std::to_string(i),
                                             {.id = "gated-" + std::to_string(i), .task_queue = "q"}));
    {
        std::unique_lock lock(the_gate.m);
        BOOST_REQUIRE(the_gate.cv.wait_for(lock, 30s, [] { return the_gate.waiting == workflows; }));
    }
    // Every session is cut while each run has an attempt running; the engine reconnects.
    BOOST_REQUIRE(postgres_cluster::instance().restart());
    {
        std::lock_guard lock(the_gate.m);
        the_gate.open = true;
    }
    the_gate.cv.notify_all();
    for (int i = 0; i < workflows; ++i) BOOST_TEST(runs[i].get() == "w" + std::to_string(i) + " passed!");
    auto after = client.start_workflow(twice_workflow, std::string("after"), {.id = "after", .task_queue = "q"});
    BOOST_TEST(after.get() == "after!!");
    for (auto& run : runs) {
        int n = 0;
        for (const auto& e : run.history()) BOOST_TEST(e.event_id == ++n);   // no gap, no duplicate
    }
}

BOOST_AUTO_TEST_CASE(a_database_at_its_size_cap_stops_like_a_full_disk_and_a_larger_cap_carries_on) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto open = [&](std::uint64_t max_bytes) {
        auto e = std::make_unique<perdure::engine>(perdure::engine_options{
            .database = uri, .durability = perdure::durability::normal, .max_database_bytes = max_bytes});
        e->namespaces().ensure("default");
        e->add_worker("default", "q").register_workflow(count_workflow).register_activity(add_one_activity);
        e->start();
        return e;
    };
    const auto bytes_used = [&] {
        return std::stoull(perdure::test::stored_column(
                               uri,
                               "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                               "ON n.oid = c.relnamespace WHERE n.nspname = 'perdure' AND c.relkind = 'r'")
                               .at(0));
    };
    std::string long_run_id;
    {
        auto engine = open(0);
        BOOST_TEST(
            engine->client_for("default").start_workflow(count_workflow, 3, {.id = "done", .task_queue = "q"}).get() ==
            3);
    }
    {
        auto engine = open(bytes_used() + (256 << 10));   // room for a few hundred steps
        auto running =
            engine->client_for("default").start_workflow(count_workflow, 3000, {.id = "long", .task_queue = "q"});
        long_run_id = running.run_id();
        try {
            running.get();
            BOOST_FAIL("3,000 steps cannot fit in 256 KiB");
        } catch (const perdure::storage_error& e) {
            BOOST_TEST(std::string(e.what()).find("max_database_bytes") != std::string::npos, e.what());
        }
    }
    auto engine = open(0);   // no cap: the run resumes where the last commit left it
    BOOST_TEST(engine->client_for("default").get_handle<int>("done").get() == 3);
    BOOST_TEST(engine->client_for("default").get_handle<int>("long", long_run_id).get() == 3000);
}

BOOST_AUTO_TEST_SUITE_END()
