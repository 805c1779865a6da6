// What the commands print: aligned tables for people, stable JSON for scripts, and help that
// explains every flag.
#include "cli_fixture.hpp"
#include "test_workflow.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace {

using perdure::test::cli_fixture;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::set<std::string> keys(const boost::json::value& v) {
    std::set<std::string> out;
    for (const auto& kv : v.as_object()) out.insert(std::string(kv.key()));
    return out;
}

// Notes its check in the memo and drops the draft flag it was started with.
perdure::workflow<int> note_taker(perdure::workflow_context& ctx, int) {
    ctx.upsert_memo({{"note", "checked"}, {"draft", nullptr}});
    co_return 1;
}
const perdure::workflow_def note_taker_workflow{"NoteTaker", &note_taker};

}   // namespace

BOOST_AUTO_TEST_SUITE(output)

BOOST_FIXTURE_TEST_CASE(tables_have_a_header_and_aligned_columns, cli_fixture) {
    BOOST_REQUIRE_EQUAL(perdure("operator namespace create --namespace handler-ns --description handles").code, 0);
    const auto r = perdure("operator namespace list");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const auto rows = lines(r.out);
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    BOOST_TEST(rows[0].starts_with("NAME"));
    const auto column = rows[0].find("RETENTION");
    BOOST_TEST(rows[1].substr(column, 2) == "7d");   // app
    BOOST_TEST(rows[2].starts_with("handler-ns"));
    BOOST_TEST(rows[2].ends_with("handles"));

    const auto runs = lines(perdure("workflow list --namespace app").out);
    BOOST_REQUIRE_EQUAL(runs.size(), 5u);
    const auto status = runs[0].find("STATUS");
    BOOST_TEST(runs[1].find("order-0") != std::string::npos);   // newest first: order-0 was started last
    BOOST_TEST(runs[1].substr(status, 9) == "completed");
    BOOST_TEST(runs[2].substr(status, 7) == "running");
}

// A run that makes no progress because its workflow task keeps failing says so in the list
// and in describe, with the failure.
BOOST_FIXTURE_TEST_CASE(a_run_whose_task_keeps_failing_is_marked_in_list_and_describe, cli_fixture) {
    {
        perdure::engine engine({.database = db, .durability = perdure::durability::normal});
        perdure::test::register_app_worker(engine);
        engine.start();
        const perdure::workflow_def unknown{"NotRegisteredHere", &perdure::test::wait_for_go};
        auto run =
            engine.client_for("app").start_workflow(unknown, std::string("x"), {.id = "stuck", .task_queue = "app-tq"});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (run.describe().task_failure.empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();   // the failing task is recorded right after the start commits
        BOOST_REQUIRE(!run.describe().task_failure.empty());
    }
    const auto runs = lines(perdure("workflow list --namespace app").out);
    const auto status = runs.at(0).find("STATUS");
    BOOST_TEST(runs.at(1).find("stuck") != std::string::npos);
    BOOST_TEST(runs.at(1).substr(status, 22) == "running (task failing)");
    BOOST_TEST(runs.at(3).find("order-3") != std::string::npos);   // newest first, after order-0
    BOOST_TEST(runs.at(3).substr(status, 8) == "running ");
    const auto card = perdure("workflow describe --namespace app --workflow-id stuck").out;
    BOOST_TEST(card.find("running (task failing)") != std::string::npos, card);
    BOOST_TEST(card.find("NotRegisteredHere is not registered on task queue app-tq") != std::string::npos, card);
}

BOOST_FIXTURE_TEST_CASE(describe_shows_the_memo_as_the_workflow_upserted_it, cli_fixture) {
    {
        perdure::engine engine({.database = db, .durability = perdure::durability::normal});
        engine.namespaces().ensure("app");
        engine.add_worker("app", "notes").register_workflow(note_taker_workflow);
        engine.start();
        auto run = engine.client_for("app").start_workflow(
            note_taker_workflow, 0,
            {.id = "noted", .task_queue = "notes", .memo = boost::json::object{{"owner", "ann"}, {"draft", true}}});
        BOOST_REQUIRE_EQUAL(run.get(), 1);
    }
    const auto card = perdure("workflow describe --namespace app --workflow-id noted").out;
    BOOST_TEST(card.find(R"({"owner":"ann","note":"checked"})") != std::string::npos, card);
    BOOST_TEST(card.find("draft") == std::string::npos, card);
    BOOST_TEST(json("workflow describe --namespace app --workflow-id noted").at("memo") ==
               boost::json::parse(R"({"owner": "ann", "note": "checked"})"));
}

BOOST_FIXTURE_TEST_CASE(workflow_show_prints_one_event_a_line, cli_fixture) {
    const auto r = perdure("workflow show --namespace app --workflow-id order-0");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const auto events = lines(r.out);
    const auto history = json("workflow show --namespace app --workflow-id order-0").as_array();
    BOOST_REQUIRE_EQUAL(events.size(), history.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = history[i].as_object();
        std::istringstream line(events[i]);
        std::string id, time, type;
        line >> id >> time >> type;
        BOOST_TEST(id == std::to_string(i + 1));
        BOOST_TEST(time == e.at("event_time").as_string().c_str());
        BOOST_TEST(type == e.at("event_type").as_string().c_str());
        BOOST_TEST(events[i].ends_with(boost::json::serialize(e.at("attributes"))));
    }
    BOOST_TEST(events.front().find("WorkflowExecutionStarted") != std::string::npos);
    BOOST_TEST(events.back().find("WorkflowExecutionCompleted") != std::string::npos);
    BOOST_TEST(events.back().find("order-0 went early") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(json_shapes_are_stable, cli_fixture) {
    const std::set<std::string> ns_keys{"name", "description", "created", "retention"};
    const auto namespaces = json("operator namespace list").as_array();
    BOOST_REQUIRE_EQUAL(namespaces.size(), 1u);
    BOOST_TEST(keys(namespaces[0]) == ns_keys);
    BOOST_TEST(namespaces[0].at("retention") == "604800s");
    auto described = json("operator namespace describe --namespace app");
    BOOST_TEST(described.at("open_workflows") == 3);
    described.as_object().erase("open_workflows");
    BOOST_TEST(described == namespaces[0]);

    const auto created = json(
        "operator nexus endpoint create --name my-endpoint --target-namespace app "
        "--target-task-queue app-tq --description routes");
    BOOST_TEST(created.at("op") == "endpoint.create");
    BOOST_TEST(created.at("route") == "maintenance");
    BOOST_TEST((keys(created.at("result")) == std::set<std::string>{"id", "version", "name", "target_namespace",
                                                                    "target_task_queue", "description",
                                                                    "max_operations_per_second"}));
    const auto endpoint = json("operator nexus endpoint describe --name my-endpoint");
    BOOST_TEST((keys(endpoint) == std::set<std::string>{"id", "name", "version", "target_namespace",
                                                        "target_task_queue", "description", "created", "last_modified",
                                                        "max_operations_per_second"}));
    BOOST_TEST(endpoint.at("id") == created.at("result").at("id"));
    BOOST_TEST(json("operator nexus endpoint list").as_array().at(0) == endpoint);

    const std::set<std::string> run_keys{
        "namespace",  "workflow_id",    "run_id",       "type", "task_queue",        "status",      "start_time",
        "close_time", "history_length", "first_run_id", "memo", "search_attributes", "task_failure"};
    const auto runs = json("workflow list").as_array();
    BOOST_REQUIRE_EQUAL(runs.size(), 4u);
    for (const auto& run : runs) BOOST_TEST(keys(run) == run_keys);
    const auto completed = json("workflow list --status Completed").as_array();   // Temporal's spelling too
    BOOST_REQUIRE_EQUAL(completed.size(), 1u);
    BOOST_TEST(completed[0].at("workflow_id") == "order-0");
    BOOST_TEST(completed[0].at("close_time").is_string());
    const auto running = json("workflow describe --namespace app --workflow-id order-1");
    BOOST_TEST(running.at("status") == "running");
    BOOST_TEST(running.at("close_time").is_null());
    BOOST_TEST(running.at("type") == "WaitForGo");
    BOOST_TEST(running.at("task_queue") == "app-tq");
    BOOST_TEST(json("workflow list --limit 2").as_array().size() == 2u);

    const auto events = json("workflow show --namespace app --workflow-id order-1");
    for (const auto& e : events.as_array())
        BOOST_TEST((keys(e) == std::set<std::string>{"event_id", "event_type", "event_time", "attributes"}));

    const auto signaled =
        json("workflow signal --namespace app --workflow-id order-1 --name go --input {\"fast\":true}");
    BOOST_TEST(signaled == boost::json::parse(R"({"op":"workflow.signal","route":"maintenance","result":{}})"));
    const auto history = json("workflow show --namespace app --workflow-id order-1").as_array();
    BOOST_TEST(history.back().at("event_type") == "WorkflowExecutionSignaled");
    BOOST_TEST(history.back().at("attributes").at("input") == boost::json::parse(R"({"fast":true})"));
}

BOOST_FIXTURE_TEST_CASE(endpoints_take_descriptions_from_files_and_count_versions, cli_fixture) {
    const auto file = dir.file("endpoint.md");
    std::ofstream(file) << "# Orders\n\nStarts and tracks orders.\n";
    BOOST_REQUIRE_EQUAL(perdure("operator nexus endpoint create --name orders --target-namespace app "
                                "--target-task-queue app-tq --description-file " +
                                file)
                            .code,
                        0);
    BOOST_TEST(json("operator nexus endpoint describe --name orders").at("description") ==
               "# Orders\n\nStarts and tracks orders.\n");
    const auto card = perdure("operator nexus endpoint describe --name orders").out;
    BOOST_TEST(card.find("Description      # Orders\n") != std::string::npos, card);
    BOOST_TEST(card.find("\n                 Starts and tracks orders.") != std::string::npos, card);
    BOOST_TEST(card.find("MaxOpsPerSecond  unlimited\n") != std::string::npos, card);

    BOOST_REQUIRE_EQUAL(perdure("operator nexus endpoint update --name orders --unset-description").code, 0);
    const auto updated =
        json("operator nexus endpoint update --name orders --new-name orders-v2 --target-task-queue q2");
    BOOST_TEST(updated.at("result").at("version") == 3);
    const auto endpoint = json("operator nexus endpoint describe --name orders-v2");
    BOOST_TEST(endpoint.at("description") == "");
    BOOST_TEST(endpoint.at("target_task_queue") == "q2");
    BOOST_TEST(endpoint.at("last_modified").is_string());
}

BOOST_FIXTURE_TEST_CASE(help_explains_every_command_and_flag, cli_fixture) {
    const auto overview = perdure("--help");
    BOOST_REQUIRE_EQUAL(overview.code, 0);
    for (const char* c : {"operator namespace create", "operator namespace list", "operator namespace describe",
                          "operator namespace delete", "operator nexus endpoint create", "operator nexus endpoint list",
                          "operator nexus endpoint describe", "operator nexus endpoint update",
                          "operator nexus endpoint delete", "workflow list", "workflow describe", "workflow show",
                          "workflow signal", "workflow cancel", "workflow terminate", "workflow delete"}) {
        BOOST_TEST_CONTEXT(c) {
            BOOST_TEST(overview.out.find(std::string("perdure ") + c) != std::string::npos);
            const auto help = perdure(std::string(c) + " --help");
            BOOST_TEST(help.code == 0);
            BOOST_TEST(help.out.starts_with(std::string("Usage: perdure ") + c + " [flags]"));
            for (const char* flag : {"--db", "--output", "--help"})
                BOOST_TEST(help.out.find(flag) != std::string::npos);
        }
    }
    for (const char* flag :
         {"--name", "--target-namespace", "--target-task-queue", "--description", "--description-file"})
        BOOST_TEST(perdure("operator nexus endpoint create --help").out.find(flag) != std::string::npos);
    for (const char* flag : {"--namespace", "--workflow-id", "--run-id", "--name", "--input"})
        BOOST_TEST(perdure("workflow signal --help").out.find(flag) != std::string::npos);
    BOOST_TEST(perdure("workflow list --help").out.find("--status") != std::string::npos);
    BOOST_TEST(perdure("workflow terminate --help").out.find("--reason") != std::string::npos);
    const auto group = perdure("operator nexus --help");
    BOOST_TEST(group.code == 0);
    BOOST_TEST(group.out.find("perdure operator nexus endpoint update") != std::string::npos);
    BOOST_TEST(group.out.find("perdure workflow") == std::string::npos);
    BOOST_TEST(overview.out.find("Exit codes") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(the_database_comes_from_db_anywhere_or_perdure_db, cli_fixture) {
    using perdure::test::run_cli;
    const auto by_env = perdure("operator namespace list");
    BOOST_REQUIRE_EQUAL(by_env.code, 0);
    BOOST_TEST(run_cli({"--db", db, "operator", "namespace", "list"}).out == by_env.out);
    BOOST_TEST(run_cli({"operator", "namespace", "list", "--db", db}).out == by_env.out);
    BOOST_TEST(run_cli({"operator", "namespace", "list", "--db=" + db}).out == by_env.out);
    // --db wins over the environment.
    BOOST_TEST(run_cli({"operator", "namespace", "list", "--db", db}, dir.file("elsewhere.db")).code == 0);
    BOOST_TEST(run_cli({"operator", "namespace", "list", "--db", dir.file("elsewhere.db")}, db).code == 3);
}

BOOST_AUTO_TEST_SUITE_END()
