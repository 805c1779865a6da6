// Engines beside the live owner of a PostgreSQL database stand by: what their clients ask goes
// to the owner (starts with their options, signals, queries, updates, cancels, namespaces), and
// a started standby takes the workflows over when the owner's process is killed.
#include "beside_engines.hpp"

#include "support/postgres_cluster.hpp"
#include "support/tally_workflow.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
using perdure::test::read_line;
using perdure::test::soon;
using perdure::test::tally_workflow;

namespace {

perdure::engine_options on(const std::string& uri) { return {.database = uri, .durability = perdure::durability::off}; }

void serve(perdure::engine& e) { e.add_worker("default", "q").register_workflow(tally_workflow); }

/// An engine owning the database at `uri` (none did before), serving the tally, started.
std::unique_ptr<perdure::engine> started_owner(const std::string& uri) {
    auto owner = std::make_unique<perdure::engine>(on(uri));
    owner->namespaces().ensure("default");
    serve(*owner);
    owner->start();
    return owner;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_standby, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(an_engine_beside_a_live_owner_sends_what_its_clients_ask_to_it) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);

    perdure::engine beside(on(uri));
    BOOST_TEST(beside.namespaces().ensure("default").name == "default");   // it exists: ensure finds it
    beside.namespaces().create("second", "made beside the owner");
    BOOST_TEST(owner->namespaces().describe("second").description == "made beside the owner");
    BOOST_CHECK_THROW(beside.namespaces().create("second"), perdure::already_exists);
    // What the owner changes reaches the standby as it commits, with no call of the standby's.
    owner->namespaces().create("third", "made by the owner");
    BOOST_TEST(soon([&] {
        for (const auto& ns : beside.namespaces().list())
            if (ns.name == "third") return true;
        return false;
    }));
    // An endpoint update's expected version is checked by the owner, against the endpoint it holds.
    beside.nexus_endpoints().create({.name = "ep", .target_namespace = "second", .target_task_queue = "nexus"});
    BOOST_CHECK_EXCEPTION(beside.nexus_endpoints().update("ep", {.description = "stale", .expected_version = 7}),
                          perdure::failed_precondition, [](const perdure::failed_precondition& e) {
                              return std::string(e.what()).find("version") != std::string::npos;
                          });
    BOOST_TEST(beside.nexus_endpoints().update("ep", {.description = "current", .expected_version = 1}).version == 2);
    BOOST_TEST(owner->nexus_endpoints().describe("ep").spec.description == "current");
    serve(beside);
    beside.start();   // stands by: the owner runs the workflows

    auto client = beside.client_for("default");
    auto run =
        client.start_workflow(tally_workflow, {.id = "tally-1", .task_queue = "q", .memo = {{"from", "beside"}}});
    run.signal("add", 2);
    run.signal("add", 3);
    BOOST_TEST(run.query<int>("total") == 5);
    BOOST_TEST(run.update<int>("double", 0) == 10);
    // Refused or failed by the owner, an update throws what the owner's own client would.
    BOOST_CHECK_EXCEPTION(run.update<int>("double", -1), perdure::update_rejected_error,
                          [](const perdure::update_rejected_error& e) {
                              return std::string(e.what()).find("no negative doubling") != std::string::npos;
                          });
    BOOST_CHECK_EXCEPTION(run.update<int>("explode", 0), perdure::application_error,
                          [](const perdure::application_error& e) { return e.type() == "Explosion"; });
    run.signal("add", 0);
    BOOST_TEST(run.get() == 10);
    BOOST_TEST(owner->client_for("default").get_handle<int>("tally-1").get() == 10);
    BOOST_TEST(run.describe().memo.at("from").as_string() == "beside");
    // The options travel with the start: a closed id may not be reused under reject_duplicate,
    // and the refusal names the run that holds it, as the owner's own client would.
    BOOST_CHECK_EXCEPTION(
        client.start_workflow(
            tally_workflow,
            {.id = "tally-1", .task_queue = "q", .id_reuse = perdure::id_reuse_policy::reject_duplicate}),
        perdure::workflow_already_started,
        [&](const perdure::workflow_already_started& e) { return e.run_id() == run.run_id(); });

    auto other = client.signal_with_start(tally_workflow, "add", 4, {.id = "tally-2", .task_queue = "q"});
    BOOST_TEST(other.query<int>("total") == 4);
    other.cancel();
    BOOST_CHECK_THROW(other.get(), perdure::workflow_failed_error);
    BOOST_TEST((other.describe().status == perdure::workflow_status::canceled));
    BOOST_CHECK_THROW(client.get_handle<int>("nobody").signal("add", 1), perdure::not_found);
}

BOOST_AUTO_TEST_CASE(a_standby_hears_answers_and_closes_as_they_commit_not_at_its_next_look) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    perdure::engine beside(on(uri));
    auto client = beside.client_for("default");
    // Unheard, each of these 15 answers would wait for the standby's look every second, and each
    // result for its look every 5 s: over 15 s in all. Heard, they take milliseconds each; the
    // bound leaves room for a slow machine.
    const auto began = std::chrono::steady_clock::now();
    for (int r = 0; r < 3; ++r) {
        auto run = client.start_workflow(tally_workflow, {.id = "quick-" + std::to_string(r), .task_queue = "q"});
        for (int n : {1, 2, 3, 0}) run.signal("add", n);
        BOOST_TEST(run.get() == 6);
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    BOOST_TEST(took.count() < 10'000, "15 answers and 3 results took " << took.count() << " ms");
}

BOOST_AUTO_TEST_CASE(a_caller_waiting_on_a_standby_gets_its_result_across_a_server_restart) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    perdure::engine beside(on(uri));
    auto run = beside.client_for("default").start_workflow(tally_workflow, {.id = "tally-r", .task_queue = "q"});
    run.signal("add", 7);
    auto result = std::async(std::launch::async, [&] { return run.get(); });
    // Every session is cut, the standby's listener among them; both engines reconnect, and the
    // close committed afterwards reaches the caller waiting beside the owner.
    BOOST_REQUIRE(postgres_cluster::instance().restart());
    BOOST_TEST(soon([&] {
        try {
            run.signal("add", 0);   // through the owner, once it is back
            return true;
        } catch (const perdure::storage_error&) {
            return false;
        }
    }));
    BOOST_TEST(result.get() == 7);
}

BOOST_AUTO_TEST_CASE(a_started_standby_takes_the_workflows_over_when_the_owner_is_killed) {
    const auto uri = postgres_cluster::instance().create_database();
    int ready[2];
    BOOST_REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {   // the owner: starts three tallies, then waits to be killed with their leases live
        ::close(ready[0]);
        perdure::engine engine(on(uri));
        engine.namespaces().ensure("default");
        serve(engine);
        engine.start();
        for (int i = 0; i < 3; ++i) {
            auto run = engine.client_for("default").start_workflow(
                tally_workflow, {.id = "tally-" + std::to_string(i), .task_queue = "q"});
            run.signal("add", i + 1);
        }
        (void)!::write(ready[1], "started\n", 8);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    BOOST_REQUIRE(read_line(ready[0]) == "started");
    ::close(ready[0]);

    perdure::engine standby(on(uri));
    serve(standby);
    standby.start();   // returns at once: a live engine owns the database
    auto client = standby.client_for("default");
    BOOST_TEST(client.get_handle<int>("tally-0").query<int>("total") == 1);   // answered by the owner

    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Its liveness lock went with its session: the standby takes over within a few ticks, and the
    // signals below wait in the inbox until it answers them itself.
    for (int i = 0; i < 3; ++i) {
        auto run = client.get_handle<int>("tally-" + std::to_string(i));
        run.signal("add", 10);
        run.signal("add", 0);
        BOOST_TEST(run.get() == i + 11);
        int signaled = 0, n = 0;
        for (const auto& e : run.history()) {
            BOOST_TEST(e.event_id == ++n);
            signaled += e.event_type == "WorkflowExecutionSignaled";
        }
        BOOST_TEST(signaled == 3);
    }
    // It is the owner now: a new workflow runs here.
    auto fresh = client.start_workflow(tally_workflow, {.id = "tally-new", .task_queue = "q"});
    fresh.signal("add", 0);
    BOOST_TEST(fresh.get() == 0);
}

BOOST_AUTO_TEST_CASE(an_owner_that_runs_no_workflows_hands_the_data_to_a_started_engine_that_does) {
    const auto uri = postgres_cluster::instance().create_database();
    // Opens first, so it owns the data; it runs only a client and is never started.
    perdure::engine clients_only(on(uri));
    clients_only.namespaces().ensure("default");
    auto client = clients_only.client_for("default");
    auto before = client.start_workflow(tally_workflow, {.id = "before", .task_queue = "q"});
    before.signal("add", 2);

    // Opened beside it, it stands by; started with the workflow's worker, it asks for the data,
    // and the owner, which could never run the tally, hands it over.
    auto waiting = std::async(std::launch::async, [&] { return before.get(); });   // across the hand-over
    perdure::engine workers(on(uri));
    serve(workers);
    workers.start();
    before.signal("add", 0);
    BOOST_REQUIRE(soon([&] { return before.describe().status == perdure::workflow_status::completed; }));
    BOOST_TEST(before.get() == 2);   // run by the engine that took the data over
    BOOST_TEST(waiting.get() == 2);
    BOOST_TEST(workers.client_for("default").get_handle<int>("before").get() == 2);

    // The first owner now sends what its client asks to the new one, as any standby does.
    auto after = client.start_workflow(tally_workflow, {.id = "after", .task_queue = "q"});
    after.signal("add", 3);
    BOOST_TEST(after.query<int>("total") == 3);
    after.signal("add", 0);
    BOOST_TEST(after.get() == 3);
    clients_only.namespaces().create("made-after");
    BOOST_TEST(workers.namespaces().describe("made-after").name == "made-after");
    int n = 0;
    for (const auto& e : before.history()) BOOST_TEST(e.event_id == ++n);
}

// Calls that a third engine sends while the owner hands the data over, each in flight at some
// moment of it: the owner makes them, or puts back what it had not made for the new owner to
// make. None is answered as perhaps applied, and each signal is recorded once.
BOOST_AUTO_TEST_CASE(calls_sent_while_the_owner_hands_the_data_over_are_each_made_once) {
    const auto uri = postgres_cluster::instance().create_database();
    perdure::engine clients_only(on(uri));
    clients_only.namespaces().ensure("default");
    perdure::engine sender(on(uri));   // beside it: its calls go to whichever engine owns the data
    auto client = sender.client_for("default");
    for (const char* id : {"a", "b"}) client.start_workflow(tally_workflow, {.id = id, .task_queue = "q"});
    std::atomic<bool> handed_over{false};
    const auto keep_signalling = [&](const std::string& id) {
        int sent = 0;
        for (int after = 0; after < 20; after += handed_over ? 1 : 0) {
            client.get_handle(id).signal("add", 1);   // throws if answered as perhaps applied
            client.start_workflow(
                tally_workflow,
                {.id = id, .task_queue = "q", .id_conflict = perdure::id_conflict_policy::use_existing});
            ++sent;
        }
        return sent;
    };
    auto to_a = std::async(std::launch::async, keep_signalling, "a");
    auto to_b = std::async(std::launch::async, keep_signalling, "b");
    perdure::engine workers(on(uri));
    serve(workers);
    workers.start();   // asks for the data, and the owner, which runs no workflows, hands it over
    auto probe = clients_only.client_for("default").start_workflow(tally_workflow, {.id = "probe", .task_queue = "q"});
    probe.signal("add", 0);
    BOOST_REQUIRE(soon([&] { return probe.describe().status == perdure::workflow_status::completed; }));
    handed_over = true;
    for (auto [id, sent] : {std::pair{"a", &to_a}, std::pair{"b", &to_b}}) {
        const int signals = sent->get();
        auto run = workers.client_for("default").get_handle<int>(id);
        BOOST_TEST(run.query<int>("total") == signals);
        const auto h = run.history();
        BOOST_TEST(std::count_if(h.begin(), h.end(),
                                 [](const auto& e) { return e.event_type == "WorkflowExecutionSignaled"; }) == signals);
    }
}

BOOST_AUTO_TEST_CASE(a_client_only_engine_answers_its_calls_once_the_owner_stops_then_hands_the_data_on) {
    const auto uri = postgres_cluster::instance().create_database();
    auto owner = started_owner(uri);
    perdure::engine clients_only(on(uri));   // beside the owner: stands by, never started
    auto client = clients_only.client_for("default");
    owner.reset();   // shuts down, giving its leases up

    // Nobody runs workflows now. The client's calls are answered all the same, by its own engine
    // once it took the data, and the run waits for a worker, as on Temporal.
    auto run = client.start_workflow(tally_workflow, {.id = "waits", .task_queue = "q"});
    run.signal("add", 4);
    BOOST_TEST((run.describe().status == perdure::workflow_status::running));

    // A worker's engine opens beside it and starts: it asks for the data and gets it.
    const auto workers = started_owner(uri);
    run.signal("add", 0);
    BOOST_REQUIRE(soon([&] { return run.describe().status == perdure::workflow_status::completed; }));
    BOOST_TEST(run.get() == 4);
}

BOOST_AUTO_TEST_CASE(a_call_waiting_for_the_owners_answer_hears_engine_stopped_when_its_own_engine_shuts_down) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto owner = started_owner(uri);
    auto beside = std::make_unique<perdure::engine>(on(uri));
    auto run = beside->client_for("default").start_workflow(tally_workflow, {.id = "held", .task_queue = "q"});
    auto held = std::async(std::launch::async, [run]() mutable {
        try {
            run.update<int>("hold", 0);
            return std::string("answered");
        } catch (const perdure::engine_stopped&) {
            return std::string("engine_stopped");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    });
    auto on_owner = owner->client_for("default").get_handle("held");
    BOOST_REQUIRE(soon([&] {
        const auto h = on_owner.history();
        return std::any_of(h.begin(), h.end(),
                           [](const auto& e) { return e.event_type == "WorkflowExecutionUpdateAccepted"; });
    }));
    beside.reset();
    BOOST_REQUIRE(held.wait_for(10s) == std::future_status::ready);
    BOOST_TEST(held.get() == "engine_stopped");
}

BOOST_AUTO_TEST_CASE(an_update_whose_owner_shuts_down_before_it_completes_gets_its_outcome_from_the_next_owner) {
    const auto uri = postgres_cluster::instance().create_database();
    auto owner = started_owner(uri);
    perdure::engine beside(on(uri));
    serve(beside);
    beside.start();   // stands by, and takes the workflows over once the owner stops
    auto run = beside.client_for("default").start_workflow(tally_workflow, {.id = "held-over", .task_queue = "q"});
    auto held = std::async(std::launch::async, [run]() mutable { return run.update<int>("hold", 0); });
    auto on_owner = owner->client_for("default").get_handle("held-over");
    const auto count = [&](const std::string& type) {
        const auto h = on_owner.history();
        return std::count_if(h.begin(), h.end(), [&](const auto& e) { return e.event_type == type; });
    };
    BOOST_REQUIRE(soon([&] { return count("WorkflowExecutionUpdateAccepted") == 1; }));
    owner.reset();   // accepted, its handler waiting: the caller is answered by the next owner
    run.signal("add", -5);
    BOOST_REQUIRE(held.wait_for(30s) == std::future_status::ready);
    BOOST_TEST(held.get() == -5);
    on_owner = beside.client_for("default").get_handle("held-over");
    BOOST_TEST(count("WorkflowExecutionUpdateAccepted") == 1);   // made once, sent twice
    BOOST_TEST(count("WorkflowExecutionUpdateCompleted") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
