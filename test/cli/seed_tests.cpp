// The command lines of the issue that asked for the CLI, run verbatim (the database from
// PERDURE_DB): once with no engine running (maintenance mode), once beside a running engine in
// another process (through its inbox), and once on a fresh path before the application exists.
#include "cli_fixture.hpp"
#include "test_workflow.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <span>

namespace {

using perdure::test::cli_fixture;

struct seed_line {
    const char* line;
    const char* prints;   // a part of what it prints
};

// The setup half of the operator lines: what an operator runs before the application starts.
constexpr seed_line operator_setup[] = {
    {"operator namespace create --namespace handler-ns", "Namespace handler-ns created."},
    {"operator namespace list", "handler-ns"},
    {"operator namespace describe --namespace handler-ns", "handler-ns"},
    {"operator nexus endpoint create --name my-endpoint --target-namespace handler-ns --target-task-queue handler-tq",
     "Endpoint my-endpoint created."},
    {"operator nexus endpoint list", "my-endpoint"},
    {"operator nexus endpoint describe --name my-endpoint", "handler-tq"},
};

// The rest of them. The namespace is deleted last: the endpoint lines target it.
constexpr seed_line operator_teardown[] = {
    {"operator nexus endpoint update --name my-endpoint --target-task-queue new-handler-tq",
     "Endpoint my-endpoint updated (version 2)."},
    {"operator nexus endpoint delete --name my-endpoint", "Endpoint my-endpoint deleted."},
    {"operator namespace delete --namespace handler-ns", "Namespace handler-ns deleted."},
};

constexpr seed_line workflow_seed[] = {
    {"workflow list", "order-1"},
    {"workflow list --namespace app --status running", "order-2"},
    {"workflow describe --namespace app --workflow-id order-1", "WaitForGo"},
    {"workflow show --namespace app --workflow-id order-1", "WorkflowExecutionStarted"},
    {"workflow signal --namespace app --workflow-id order-1 --name go --input \"now\"",
     "Signal go sent to workflow order-1."},
    {"workflow cancel --namespace app --workflow-id order-2", "Cancellation requested for workflow order-2."},
    {"workflow terminate --namespace app --workflow-id order-3 --reason done", "Workflow order-3 terminated."},
};

void run_seed(const std::string& db, std::span<const seed_line> lines) {
    for (const auto& [line, prints] : lines) {
        BOOST_TEST_CONTEXT("perdure " << line) {
            const auto r = perdure::test::run_cli(perdure::test::words(line), db);
            BOOST_TEST(r.code == 0);
            BOOST_TEST(r.err == "");
            BOOST_TEST(r.out.find(prints) != std::string::npos, "printed: " << r.out);
        }
    }
}

void run_seed(const cli_fixture& f, std::span<const seed_line> lines) { run_seed(f.db, lines); }

void run_operator_seed(const cli_fixture& f) {
    run_seed(f, operator_setup);
    run_seed(f, operator_teardown);
}

// What the application of the fresh-path test runs: an echo operation behind my-endpoint, and
// a workflow in its own namespace that calls it.
const perdure::nexus::sync_operation<std::string, std::string> echo{
    "echo",
    [](perdure::nexus::operation_context& ctx, std::string text) { return text + " (echoed by " + ctx.ns + ")"; }};

perdure::workflow<std::string> call_echo(perdure::workflow_context& ctx, std::string text) {
    co_return co_await ctx.nexus_client("my-endpoint", "echo-service").execute_operation(echo, text);
}
const perdure::workflow_def call_echo_workflow{"CallEcho", &call_echo};

bool has_event(const cli_fixture& f, const std::string& id, const std::string& type) {
    const auto history = f.json("workflow show --namespace app --workflow-id " + id);
    for (const auto& e : history.as_array())
        if (e.at("event_type") == type.c_str()) return true;
    return false;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(seed)

BOOST_FIXTURE_TEST_CASE(seed_commands_work_verbatim_with_no_engine_running, cli_fixture) {
    run_operator_seed(*this);
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);   // only "app" is left
    BOOST_TEST(json("operator nexus endpoint list").as_array().empty());
    run_seed(*this, workflow_seed);

    // Maintenance mode runs no workflow code: the signal and the cancel request are recorded,
    // and the runs wait for an engine; the termination closes its run at once.
    BOOST_TEST(has_event(*this, "order-1", "WorkflowExecutionSignaled"));
    BOOST_TEST(has_event(*this, "order-2", "WorkflowExecutionCancelRequested"));
    BOOST_TEST(json("workflow describe --namespace app --workflow-id order-1").at("status") == "running");
    BOOST_TEST(json("workflow describe --namespace app --workflow-id order-3").at("status") == "terminated");

    // The application's engine finds them and carries on from what the CLI recorded.
    perdure::engine engine({.database = db, .durability = perdure::durability::normal});
    perdure::test::register_app_worker(engine);
    engine.start();
    auto client = engine.client_for(perdure::test::app_ns);
    BOOST_TEST(client.get_handle<std::string>("order-1").get() == "order-1 went now");
    BOOST_CHECK_THROW(client.get_handle<std::string>("order-2").get(), perdure::workflow_failed_error);
    BOOST_TEST((client.get_handle("order-2").describe().status == perdure::workflow_status::canceled));
}

BOOST_FIXTURE_TEST_CASE(seed_commands_work_verbatim_beside_a_running_engine, cli_fixture) {
    perdure::test::engine_host host(db);
    run_operator_seed(*this);
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
    run_seed(*this, workflow_seed);

    // The running engine applied them: its worker completes, cancels, and nothing runs on order-3.
    BOOST_TEST(wait_for_status("order-1", "completed") == "completed");
    BOOST_TEST(wait_for_status("order-2", "canceled") == "canceled");
    BOOST_TEST(json("workflow describe --namespace app --workflow-id order-3").at("status") == "terminated");
    BOOST_TEST(host.stop() == 0);
}

BOOST_AUTO_TEST_CASE(seed_setup_runs_verbatim_on_a_fresh_path_and_the_application_started_after_it_uses_it) {
    perdure::test::temp_dir dir;
    const auto db = dir.file("fresh.db");
    // The first line creates the database and says so on stderr; the others run as on any database.
    const auto& [line, prints] = operator_setup[0];
    const auto first = perdure::test::run_cli(perdure::test::words(line), db);
    BOOST_TEST(first.code == 0);
    BOOST_TEST(first.err == "perdure: created a new database at " + db + "\n");
    BOOST_TEST(first.out.find(prints) != std::string::npos, "printed: " << first.out);
    namespace fs = std::filesystem;
    BOOST_TEST((fs::status(db).permissions() == (fs::perms::owner_read | fs::perms::owner_write)));
    run_seed(db, std::span(operator_setup).subspan(1));

    // The application's engine opens it as its own and serves the endpoint the operator made.
    perdure::engine engine({.database = db, .durability = perdure::durability::normal});
    engine.namespaces().ensure("caller-ns");
    engine.add_worker("handler-ns", "handler-tq")
        .register_nexus_service(perdure::nexus::service("echo-service").add(echo));
    engine.add_worker("caller-ns", "caller-tq").register_workflow(call_echo_workflow);
    engine.start();
    auto run = engine.client_for("caller-ns")
                   .start_workflow(call_echo_workflow, "hello", {.id = "call-1", .task_queue = "caller-tq"});
    BOOST_TEST(run.get() == "hello (echoed by handler-ns)");
    BOOST_TEST(engine.namespaces().list().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
