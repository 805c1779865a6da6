// perdure workflow start | execute | query | stack | update execute | result: the commands that
// need workflow code. Only the application's engine has it, so they go through its inbox; with
// no engine running they say so instead of recording work nobody would run. `result` reads the
// closed run's last event from the file.
#include "command.hpp"
#include "json_input.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "workflow_flags.hpp"
#include "write_path.hpp"

#include "runtime/uuid.hpp"

#include <perdure/client.hpp>

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <thread>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

/// The maintenance route of a command that needs workflow code: refused, saying what to do.
std::function<detail::inbox_answer(perdure::engine&)> needs_engine(const invocation& inv, std::string what,
                                                                   std::string queue = {}) {
    return [db = inv.db, what = std::move(what), queue = std::move(queue)](perdure::engine&) -> detail::inbox_answer {
        throw cli_error(exit_code::user_error,
                        "no engine is running on " + db + ": " + what +
                            " needs the application's engine, which runs the workflow code; start the application" +
                            (queue.empty() ? "" : " (the engine whose worker serves task queue " + queue + ")") +
                            ", then retry");
    };
}

const boost::json::value& value_of(const write_outcome& o) {
    static const boost::json::value none;
    const auto* p = std::get_if<detail::payload_answer>(&o.result);
    return p ? p->value : none;
}

// ---------------------------------------------------------------- results of closed runs

/// A closed run's outcome from its closing event: {"workflow_id", "run_id", "status", and
/// "result" | "failure" | "reason" | "new_execution_run_id"}.
boost::json::object outcome_of(reading& db, const detail::execution_row& row) {
    boost::json::object out{{"workflow_id", row.workflow_id},
                            {"run_id", row.run_id.str()},
                            {"status", to_string(static_cast<workflow_status>(row.status))}};
    const auto history = db.history(row.run_key);
    if (history.empty()) return out;
    const auto& attrs = history.back().attrs;
    for (const char* key : {"result", "failure", "details", "reason", "new_execution_run_id"})
        if (const auto* v = attrs.if_contains(key)) out[key] = *v;
    return out;
}

/// Prints the outcome; a run that did not complete is an error (exit 1) after it is printed.
void print_outcome(const invocation& inv, const boost::json::object& o) {
    const std::string status(o.at("status").as_string());
    if (inv.output == output_format::json) {
        print_json(inv.out, o);
    } else {
        card c{{"WorkflowId", std::string(o.at("workflow_id").as_string())},
               {"RunId", std::string(o.at("run_id").as_string())},
               {"Status", status}};
        for (const auto& [key, label] : {std::pair{"result", "Result"},
                                         {"failure", "Failure"},
                                         {"details", "Details"},
                                         {"reason", "Reason"},
                                         {"new_execution_run_id", "NewRunId"}})
            if (const auto* v = o.if_contains(key))
                c.emplace_back(label, v->is_string() && std::string_view(key) != "result" ? std::string(v->get_string())
                                                                                          : boost::json::serialize(*v));
        print_card(inv.out, c);
    }
    if (status != "completed")
        throw cli_error(exit_code::user_error, "workflow " + std::string(o.at("workflow_id").as_string()) + " " +
                                                   (status == "continued_as_new" ? "continued as new" : status) +
                                                   "; it has no result");
}

void result(const invocation& inv) {
    reading db(inv.db);
    const auto row = db.require_run(inv.value("namespace"), inv.value("workflow-id"), inv.value("run-id"));
    if (row.status == detail::run_status::running)
        throw cli_error(exit_code::user_error,
                        "workflow " + row.workflow_id + " (run " + row.run_id.str() +
                            ") is still running, so it has no result yet; `perdure workflow show --follow` prints its "
                            "events until it closes");
    print_outcome(inv, outcome_of(db, row));
}

// ---------------------------------------------------------------- start and execute

/// Starts the run; `print` prints the inbox answer for --output json (execute prints the outcome instead).
write_outcome start(const invocation& inv, bool print) {
    const auto queue = inv.value("task-queue");
    write_request request{
        detail::workflow_start_command{
            inv.value("namespace"), inv.value("type"), queue, inv.value("workflow-id"), json_flag(inv, "input"), {}},
        needs_engine(inv, "starting a workflow", queue)};
    auto outcome = perform_write(inv.db, request);
    if (print && inv.output == output_format::json) print_write(inv, request, outcome, "");
    return outcome;
}

void start_command(const invocation& inv) {
    const auto outcome = start(inv, true);
    if (inv.output == output_format::json) return;
    const auto& started = std::get<detail::workflow_started_answer>(outcome.result);
    inv.out << "Workflow " << started.workflow_id << " started (run " << started.run_id << ").\n";
}

void execute(const invocation& inv) {
    const auto outcome = start(inv, false);
    const auto& started = std::get<detail::workflow_started_answer>(outcome.result);
    // The engine runs it; this process reads the file until the run (or the run it continued
    // as) closes.
    reading db(inv.db);
    auto row = db.require_run(inv.value("namespace"), started.workflow_id, started.run_id);
    while (row.status == detail::run_status::running || row.status == detail::run_status::continued_as_new) {
        if (row.status == detail::run_status::continued_as_new) {
            row = db.require_run(inv.value("namespace"), started.workflow_id, "");
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));   // another process runs it
        db.refresh();
        row = db.require_run(inv.value("namespace"), started.workflow_id, row.run_id.str());
    }
    print_outcome(inv, outcome_of(db, row));
}

// ---------------------------------------------------------------- query, stack, update

void query(const invocation& inv) {
    const auto name = inv.value("name");
    write_request request{detail::workflow_query_command{target_of(inv), name, json_flag(inv, "input")},
                          needs_engine(inv, "a query")};
    const auto outcome = perform_write(inv.db, request);
    print_write(inv, request, outcome, boost::json::serialize(value_of(outcome)));
}

void stack(const invocation& inv) {
    // People read Temporal's text form; scripts get the structured one.
    const bool json = inv.output == output_format::json;
    write_request request{
        detail::workflow_query_command{target_of(inv), json ? "__enhanced_stack_trace" : "__stack_trace", nullptr},
        needs_engine(inv, "the stack trace")};
    const auto outcome = perform_write(inv.db, request);
    const auto& v = value_of(outcome);
    std::string text = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
    if (text.empty()) text = "Workflow " + inv.value("workflow-id") + " has no coroutine waiting: it is closed.\n";
    if (!json) {
        inv.out << text;
        return;
    }
    print_write(inv, request, outcome, text);
}

void update(const invocation& inv) {
    // Named here, not by the engine: an update sent again (its engine stopped before it finished)
    // must carry the same id, or the next engine would run it a second time.
    auto update_id = inv.value("update-id");
    if (update_id.empty()) update_id = detail::new_uuid();
    write_request request{detail::workflow_update_command{target_of(inv), inv.value("name"), json_flag(inv, "input"),
                                                          std::move(update_id)},
                          needs_engine(inv, "an update")};
    const auto outcome = perform_write(inv.db, request);
    print_write(inv, request, outcome, boost::json::serialize(value_of(outcome)));
}

void add_start_flags(po::options_description& d) {
    // clang-format off
    d.add_options()("namespace,n", po::value<std::string>()->value_name("NS")->default_value("default"),
                    "the workflow's namespace")(
        "type", po::value<std::string>()->value_name("TYPE")->required(), "the workflow type (required)")(
        "task-queue,t", po::value<std::string>()->value_name("QUEUE")->required(),
        "the task queue whose worker runs it (required)")(
        "workflow-id,w", po::value<std::string>()->value_name("ID")->required(), "the workflow id (required)")(
        "input,i", po::value<std::string>()->value_name("JSON"), "the workflow's input, as JSON");
    // clang-format on
}

void add_name_and_input(po::options_description& d, const char* what) {
    add_run_flags(d);
    d.add_options()("name", po::value<std::string>()->value_name("NAME")->required(),
                    (std::string("the ") + what + "'s name (required)").c_str())(
        "input,i", po::value<std::string>()->value_name("JSON"),
        (std::string("the ") + what + "'s argument, as JSON").c_str());
}

}   // namespace

std::vector<command> workflow_run_commands() {
    return {
        {{"workflow", "start"},
         "Start a workflow on the running application's engine",
         "Starts a workflow through the inbox of the engine that has the database open; that engine's worker on "
         "the task queue runs it. Refused when no engine is running, or when its workers do not serve the type on "
         "the task queue. Prints the run id.",
         add_start_flags,
         start_command},
        {{"workflow", "execute"},
         "Start a workflow and wait for its result",
         "Starts a workflow as `workflow start` does, then waits until it closes (following continue-as-new) and "
         "prints its result; a run that did not complete prints its failure and exits 1.",
         add_start_flags,
         execute},
        {{"workflow", "result"},
         "Print the result of a closed run",
         "Prints how a closed run ended: its result, or its failure, cancellation, termination or timeout (then "
         "exits 1). A running workflow has no result yet: that is an error (exit 1).",
         add_run_flags,
         result},
        {{"workflow", "query"},
         "Query a workflow",
         "Asks a query of a run through the running engine, which answers from the run's state (a closed run is "
         "replayed). Records nothing in the history.",
         [](po::options_description& d) { add_name_and_input(d, "query"); },
         query},
        {{"workflow", "stack"},
         "Show what a workflow's coroutines are waiting on",
         "Asks the built-in __stack_trace query: one block per coroutine (the workflow function, spawned tasks, "
         "update handlers) with what it waits on (timer, activity, child, Nexus operation, signal, condition) and "
         "the source line of each co_await, innermost first. With --output json, the structured "
         "__enhanced_stack_trace.",
         add_run_flags,
         stack},
        {{"workflow", "update", "execute"},
         "Send an update and wait for its result",
         "Sends an update to a running workflow through the running engine and prints its result once the "
         "handler finished. A validator's rejection or a failed handler is an error (exit 1).",
         [](po::options_description& d) {
             add_name_and_input(d, "update");
             d.add_options()("update-id", po::value<std::string>()->value_name("ID"),
                             "deduplicates a retried update (default: a new id)");
         },
         update},
    };
}

}   // namespace perdure::cli
