// The `temporal workflow` commands that need the application's engine (start, execute, query,
// stack, update execute) through its inbox, and the reads that follow a run: describe with its
// pending work, show --follow, result. The engine runs in another process (engine-host).
#include "cli_fixture.hpp"
#include "support/test_store.hpp"

#include <boost/test/unit_test.hpp>

namespace {

using perdure::test::cli_fixture;
using perdure::test::cli_process;
using perdure::test::engine_host;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}   // namespace

BOOST_AUTO_TEST_SUITE(workflow_commands)

BOOST_FIXTURE_TEST_CASE(start_then_result_once_the_run_closed, cli_fixture) {
    engine_host host(db);
    const auto started = json("workflow start -n app --type WaitForGo -t app-tq -w cli-1 -i \"cli-1\"");
    BOOST_TEST(started.at("op") == "workflow.start");
    BOOST_TEST(started.at("route") == "inbox");
    BOOST_TEST(started.at("result").at("workflow_id") == "cli-1");
    const auto run_id = started.at("result").at("run_id");
    BOOST_TEST(json("workflow describe -n app -w cli-1").at("run_id") == run_id);

    const auto running = perdure("workflow result -n app -w cli-1");
    BOOST_TEST(running.code == 1);
    BOOST_TEST(has(running.err, "is still running, so it has no result yet"), running.err);

    const auto table = perdure("workflow start -n app --type WaitForGo --task-queue app-tq --workflow-id cli-2");
    BOOST_TEST(table.code == 0, table.err);
    BOOST_TEST(has(table.out, "Workflow cli-2 started (run "), table.out);

    BOOST_TEST(perdure("workflow signal -n app -w cli-1 --name go -i \"now\"").code == 0);
    BOOST_TEST(wait_for_status("cli-1", "completed") == "completed");
    const auto result = json("workflow result -n app -w cli-1");
    BOOST_TEST(result.at("status") == "completed");
    BOOST_TEST(result.at("result") == "cli-1 went now");
    BOOST_TEST(has(perdure("workflow result -n app -w cli-1").out, "Result      \"cli-1 went now\""));

    // A run that did not complete prints how it ended, and exits 1.
    BOOST_TEST(perdure("workflow terminate -n app -w cli-2 --reason enough").code == 0);
    const auto ended = perdure("workflow result -n app -w cli-2");
    BOOST_TEST(ended.code == 1);
    BOOST_TEST(has(ended.out, "terminated"), ended.out);
    BOOST_TEST(has(ended.out, "enough"), ended.out);
}

BOOST_FIXTURE_TEST_CASE(execute_starts_waits_and_prints_the_result, cli_fixture) {
    engine_host host(db);
    const auto r = json("workflow execute -n app --type Twice -t app-tq -w twice-1 -i 21");
    BOOST_TEST(r.at("status") == "completed");
    BOOST_TEST(r.at("result") == 42);
    const auto table = perdure("workflow execute -n app --type Twice -t app-tq -w twice-2 -i 4");
    BOOST_TEST(table.code == 0, table.err);
    BOOST_TEST(has(table.out, "Result      8"), table.out);
}

BOOST_FIXTURE_TEST_CASE(commands_that_need_workflow_code_say_what_to_do_without_an_engine, cli_fixture) {
    for (const char* line :
         {"workflow start -n app --type WaitForGo -t app-tq -w x",
          "workflow execute -n app --type Twice -t app-tq -w x -i 1", "workflow query -n app -w order-1 --name order",
          "workflow stack -n app -w order-1", "workflow update execute -n app -w order-1 --name note -i \"hi\""}) {
        const auto r = perdure(line);
        BOOST_TEST_CONTEXT(line) {
            BOOST_TEST(r.code == 1);
            BOOST_TEST(has(r.err, "no engine is running on " + db), r.err);
            BOOST_TEST(has(r.err, "start the application"), r.err);
        }
    }
    BOOST_TEST(json("workflow list -n app").as_array().size() == 4u);   // nothing was started
}

BOOST_FIXTURE_TEST_CASE(a_start_no_worker_of_the_engine_serves_is_refused, cli_fixture) {
    engine_host host(db);
    const auto queue = perdure("workflow start -n app --type WaitForGo -t other-tq -w x");
    const auto type = perdure("workflow start -n app --type Nope -t app-tq -w y");
    if (perdure::test::test_store() == perdure::test::store_kind::postgresql) {
        // Other engines on the database may serve them (from the shared task table): accepted,
        // as Temporal accepts a start whatever its queue.
        BOOST_TEST(queue.code == 0, queue.err);
        BOOST_TEST(type.code == 0, type.err);
        BOOST_TEST(json("workflow list -n app").as_array().size() == 6u);
        return;
    }
    BOOST_TEST(queue.code == 1);
    BOOST_TEST(has(queue.err, "no worker of the running engine serves task queue 'other-tq' in namespace 'app'"),
               queue.err);
    BOOST_TEST(type.code == 1);
    BOOST_TEST(has(type.err, "does not register workflow type 'Nope' (it registers: "), type.err);
    BOOST_TEST(has(type.err, "WaitForGo"), type.err);
    const auto twice = perdure("workflow start -n app --type WaitForGo -t app-tq -w order-1");
    BOOST_TEST(twice.code == 1);   // already running
    // The engine's answer, in the CLI's words.
    BOOST_TEST(has(twice.err, "choose another --workflow-id"), twice.err);
    const auto nowhere = perdure("workflow start -n nowhere --type WaitForGo -t app-tq -w z");
    BOOST_TEST(nowhere.code == 1);
    BOOST_TEST(has(nowhere.err, "create it with perdure operator namespace create -n NAME"), nowhere.err);
    BOOST_TEST(json("workflow list -n app").as_array().size() == 4u);
}

BOOST_FIXTURE_TEST_CASE(query_stack_and_update_reach_the_running_workflow, cli_fixture) {
    engine_host host(db);
    const auto before = json("workflow show -n app -w order-2").as_array().size();
    BOOST_TEST(json("workflow query -n app -w order-2 --name order").at("result").at("value") == "order-2");
    BOOST_TEST(perdure("workflow query -n app -w order-2 --name order").out == "\"order-2\"\n");
    const auto unknown = perdure("workflow query -n app -w order-2 --name nope");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(has(unknown.err, "no query handler named 'nope'"), unknown.err);

    const auto stack = perdure("workflow stack -n app -w order-2");
    BOOST_TEST(stack.code == 0, stack.err);
    BOOST_TEST(stack.out.starts_with("coroutine main [waiting on signal channel go]:\n"), stack.out);
    BOOST_TEST(has(stack.out, "test_workflow.hpp:"), stack.out);
    const auto structured = json("workflow stack -n app -w order-2").at("result").at("value");
    const auto& main = structured.at("stacks").at(0);
    BOOST_TEST(main.at("waiting_on").at(0).at("kind") == "signal");
    BOOST_TEST(main.at("locations").at(0).at("line").is_number());
    BOOST_TEST(json("workflow show -n app -w order-2").as_array().size() == before);   // queries record nothing

    const auto updated = json("workflow update execute -n app -w order-2 --name note -i \"fragile\" --update-id u-1");
    BOOST_TEST(updated.at("op") == "workflow.update");
    BOOST_TEST(updated.at("result").at("value") == "noted: fragile");
    // The same update id again: the recorded outcome, not a second update.
    BOOST_TEST(perdure("workflow update execute -n app -w order-2 --name note -i \"other\" --update-id u-1").out ==
               "\"noted: fragile\"\n");
    BOOST_TEST(perdure("workflow signal -n app -w order-2 --name go -i \"now\"").code == 0);
    BOOST_TEST(wait_for_status("order-2", "completed") == "completed");
    BOOST_TEST(json("workflow result -n app -w order-2").at("result") == "order-2 went now (fragile)");
    // Closed: replayed by the engine to answer; nothing waits any more.
    BOOST_TEST(has(perdure("workflow stack -n app -w order-2").out, "has no coroutine waiting: it is closed"));
}

BOOST_FIXTURE_TEST_CASE(describe_shows_pending_children_in_both_forms, cli_fixture) {
    engine_host host(db);
    BOOST_TEST(perdure("workflow start -n app --type Parent -t app-tq -w p-1 -i \"p-1\"").code == 0);
    // The child is initiated in the parent's first workflow task, which the engine runs after the start.
    boost::json::value d;
    for (int i = 0; i < 200; ++i) {
        d = json("workflow describe -n app -w p-1");
        if (!d.at("pending_children").as_array().empty()) break;
    }
    const auto& children = d.at("pending_children").as_array();
    BOOST_TEST_REQUIRE(children.size() == 1u);
    BOOST_TEST(children.at(0).at("workflow_id") == "p-1-child");
    BOOST_TEST(children.at(0).at("workflow_type") == "WaitForGo");
    BOOST_TEST(d.at("pending_activities").as_array().empty());
    BOOST_TEST(d.at("pending_nexus_operations").as_array().empty());
    BOOST_TEST(d.at("pending_workflow_task").is_null());
    const auto table = perdure("workflow describe -n app -w p-1");
    BOOST_TEST(has(table.out, "PendingChild"), table.out);
    BOOST_TEST(has(table.out, "WaitForGo (workflow id p-1-child"), table.out);
    // A closed run has nothing pending.
    BOOST_TEST(json("workflow describe -n app -w order-0").at("pending_children").as_array().empty());
}

BOOST_FIXTURE_TEST_CASE(show_follow_prints_new_events_until_the_run_closes, cli_fixture) {
    engine_host host(db);
    cli_process follow({"workflow", "show", "-n", "app", "-w", "order-3", "--follow"}, db);
    // What is committed is printed at once; the command keeps running while the run does.
    BOOST_TEST_REQUIRE(follow.read_until("WorkflowTaskCompleted"));
    BOOST_TEST(perdure("workflow signal -n app -w order-3 --name go -i \"later\"").code == 0);
    const auto r = follow.finish();   // ends by itself once the run closed
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(has(r.out, "WorkflowExecutionSignaled"), r.out);
    BOOST_TEST(has(r.out, "WorkflowExecutionCompleted"), r.out);
    BOOST_TEST(has(r.out, "order-3 went later"), r.out);
    // Every event once, in order.
    BOOST_TEST(r.out.find("WorkflowExecutionStarted") == r.out.rfind("WorkflowExecutionStarted"));

    // JSON Lines: one event object a line; a closed run prints its history and ends.
    const auto lines = perdure("workflow show -n app -w order-3 --follow -o json");
    BOOST_TEST(lines.code == 0);
    BOOST_TEST(lines.out.starts_with("{\"event_id\":1,"), lines.out);
    BOOST_TEST(has(lines.out, "\n{\"event_id\":2,"), lines.out);
}

BOOST_AUTO_TEST_SUITE_END()
