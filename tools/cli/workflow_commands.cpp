// perdure workflow list | count | describe | show | signal | cancel | terminate | delete: reading runs and
// their histories straight from the file, and reaching running workflows through the write path.
#include "command.hpp"
#include "json_input.hpp"
#include "output.hpp"
#include "pending_output.hpp"
#include "reading.hpp"
#include "visibility_reads.hpp"
#include "workflow_flags.hpp"
#include "write_path.hpp"

#include "history/typed_attributes.hpp"

#include <perdure/client.hpp>

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <thread>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

constexpr std::array statuses{workflow_status::running,  workflow_status::completed,  workflow_status::failed,
                              workflow_status::canceled, workflow_status::terminated, workflow_status::continued_as_new,
                              workflow_status::timed_out};

/// Accepts perdure's names (continued_as_new) and Temporal's (ContinuedAsNew), in any case.
workflow_status status_of(const std::string& text) {
    auto squash = [](std::string_view s) {
        std::string out;
        for (char c : s)
            if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    };
    std::string known;
    for (auto s : statuses) {
        if (squash(to_string(s)) == squash(text) || (s == workflow_status::canceled && squash(text) == "cancelled"))
            return s;
        known += (known.empty() ? "" : ", ") + std::string(to_string(s));
    }
    throw cli_error(exit_code::user_error, "unknown --status '" + text + "'; use one of " + known);
}

/// A running workflow whose task keeps failing says so: it is not making progress.
std::string status_text(const detail::execution_row& row) {
    std::string text = to_string(static_cast<workflow_status>(row.status));
    if (!row.task_failure.empty() && row.status == detail::run_status::running) text += " (task failing)";
    return text;
}

/// The run's search attributes still registered in its namespace with the type they were set
/// with, as client::describe and client::list give them: {"Name": {"type", "value"}}.
boost::json::object search_attributes_json(reading& db, const detail::execution_row& row) {
    detail::typed_attributes registered;
    for (const auto& ns : db.namespaces()) {
        if (ns.ns_id != row.ns_id) continue;
        for (const auto& [name, a] : *row.search_attributes)
            if (auto it = ns.search_attributes.find(name); it != ns.search_attributes.end() && it->second == a.type)
                registered.emplace(name, a);
    }
    return detail::to_json(registered);
}

boost::json::object run_json(reading& db, const detail::execution_row& row) {
    return {{"namespace", db.namespace_name(row.ns_id)},
            {"workflow_id", row.workflow_id},
            {"run_id", row.run_id.str()},
            {"type", row.workflow_type},
            {"task_queue", row.task_queue},
            {"status", to_string(static_cast<workflow_status>(row.status))},
            {"start_time", time_json(row.start_time_us)},
            {"close_time", time_json(row.close_time_us)},
            {"history_length", db.history_length(row.run_key)},
            {"first_run_id", *row.first_run_id},
            {"memo", row.memo},
            {"search_attributes", search_attributes_json(db, row)},
            {"task_failure", row.task_failure}};
}

void print_runs(const invocation& inv, reading& db, const std::vector<detail::execution_row>& runs) {
    table t({"NAMESPACE", "WORKFLOW ID", "TYPE", "STATUS", "START TIME", "CLOSE TIME", "RUN ID"});
    for (const auto& row : runs)
        t.add({db.namespace_name(row.ns_id), row.workflow_id, row.workflow_type, status_text(row),
               time_text(row.start_time_us), time_text(row.close_time_us), row.run_id.str()});
    t.print(inv.out);
}

/// --limit: a positive count (read as signed, since an unsigned option takes "-1" for a huge count).
std::size_t limit_of(const invocation& inv) {
    const auto n = inv.args["limit"].as<std::int64_t>();
    if (n < 1)
        throw cli_error(exit_code::user_error, "--limit takes a positive number of runs, not " + std::to_string(n));
    return static_cast<std::size_t>(n);
}

/// list --query: one page of one namespace (default: "default", as Temporal's), with its next
/// page token.
void list_by_query(const invocation& inv) {
    if (inv.has("status"))
        throw cli_error(exit_code::usage_error,
                        "--status and --query cannot be combined; put the status in the query "
                        "(ExecutionStatus = 'Running')");
    reading db(inv.db);
    const auto& ns = db.require_namespace(inv.has("namespace") ? inv.value("namespace") : "default");
    const auto page = list_matching(db, ns, inv.value("query"), limit_of(inv), inv.value("page-token"));
    if (inv.output == output_format::json) {
        boost::json::array runs;
        for (const auto& row : page.runs) runs.push_back(run_json(db, row));
        return print_json(
            inv.out, boost::json::object{{"executions", std::move(runs)}, {"next_page_token", page.next_page_token}});
    }
    print_runs(inv, db, page.runs);
    if (!page.next_page_token.empty()) inv.out << "Next page: --page-token " << page.next_page_token << '\n';
}

void list(const invocation& inv) {
    if (inv.has("query")) return list_by_query(inv);
    if (inv.has("page-token"))
        throw cli_error(exit_code::usage_error, "--page-token continues a --query listing; give the same --query");
    reading db(inv.db);
    const std::int64_t ns_id = inv.has("namespace") ? db.require_namespace(inv.value("namespace")).ns_id : 0;
    std::optional<detail::run_status> status;
    if (inv.has("status")) status = static_cast<detail::run_status>(status_of(inv.value("status")));
    const auto runs = db.runs(ns_id, status, limit_of(inv));
    if (inv.output == output_format::json) {
        boost::json::array out;
        for (const auto& row : runs) out.push_back(run_json(db, row));
        return print_json(inv.out, out);
    }
    print_runs(inv, db, runs);
}

/// count: the total, and with GROUP BY ExecutionStatus one line per status, as Temporal's CLI.
void count(const invocation& inv) {
    reading db(inv.db);
    const auto& ns = db.require_namespace(inv.value("namespace"));
    const auto counts = count_matching(db, ns, inv.value("query"));
    if (inv.output == output_format::json) {
        boost::json::array groups;
        for (const auto& g : counts.groups)
            groups.push_back({{"group_values", boost::json::array{to_string(g.status)}}, {"count", g.count}});
        boost::json::object out{{"count", counts.count}};
        if (!counts.groups.empty()) out["groups"] = std::move(groups);
        return print_json(inv.out, out);
    }
    inv.out << "Total: " << counts.count << '\n';
    for (const auto& g : counts.groups)
        inv.out << "  Group total: " << g.count << ", values: " << to_string(g.status) << '\n';
}

void describe(const invocation& inv) {
    reading db(inv.db);
    const auto row = db.require_run(inv.value("namespace"), inv.value("workflow-id"), inv.value("run-id"));
    auto info = run_json(db, row);
    auto pending = pending_of(db, row);
    for (auto& [key, value] : pending.json) info[key] = std::move(value);
    if (inv.output == output_format::json) return print_json(inv.out, info);
    card c{{"Namespace", db.namespace_name(row.ns_id)},
           {"WorkflowId", row.workflow_id},
           {"RunId", row.run_id.str()},
           {"Type", row.workflow_type},
           {"TaskQueue", row.task_queue},
           {"Status", status_text(row)},
           {"StartTime", time_text(row.start_time_us)},
           {"CloseTime", time_text(row.close_time_us)},
           {"HistoryLength", std::to_string(info.at("history_length").as_int64())}};
    if (!row.first_run_id->empty() && *row.first_run_id != row.run_id) c.emplace_back("FirstRunId", *row.first_run_id);
    if (!info.at("memo").as_object().empty()) c.emplace_back("Memo", boost::json::serialize(info.at("memo")));
    if (!row.task_failure.empty()) c.emplace_back("TaskFailure", row.task_failure);
    if (const auto& attrs = info.at("search_attributes").as_object(); !attrs.empty()) {
        boost::json::object values;   // the values alone; --output json has their types too
        for (const auto& [name, a] : attrs) values[name] = a.as_object().at("value");
        c.emplace_back("SearchAttributes", boost::json::serialize(values));
    }
    c.insert(c.end(), pending.lines.begin(), pending.lines.end());
    print_card(inv.out, c);
}

std::string type_name(const detail::event& e) {
    const char* name = detail::event_type_name(e.type);
    return name ? name : "Unknown";
}

boost::json::value event_json(const detail::event& e) {
    const std::chrono::system_clock::time_point time{std::chrono::microseconds(e.time_us)};
    return history_event{e.id, type_name(e), time, e.attrs}.to_json();
}

/// show --follow: prints each event as it is committed, one a line (JSON Lines with -o json),
/// until the run closes. The run is read again on a new snapshot every poll.
void follow(const invocation& inv, reading& db, detail::execution_row row) {
    std::int64_t printed = 0;
    for (;;) {
        for (const auto& e : db.history(row.run_key)) {
            if (e.id <= printed) continue;
            if (inv.output == output_format::json) {
                print_json(inv.out, event_json(e));
            } else {
                table t({});
                t.add({std::to_string(e.id), time_text(e.time_us), type_name(e), boost::json::serialize(e.attrs)});
                t.print(inv.out);
            }
            printed = e.id;
        }
        inv.out.flush();
        if (row.status != detail::run_status::running) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));   // another process writes it
        db.refresh();
        row = db.require_run(inv.value("namespace"), inv.value("workflow-id"), row.run_id.str());
    }
}

void show(const invocation& inv) {
    reading db(inv.db);
    const auto row = db.require_run(inv.value("namespace"), inv.value("workflow-id"), inv.value("run-id"));
    if (inv.has("follow")) return follow(inv, db, row);
    const auto events = db.history(row.run_key);
    if (inv.output == output_format::json) {
        boost::json::array out;
        for (const auto& e : events) out.push_back(event_json(e));
        return print_json(inv.out, out);
    }
    table t({});   // no header: one event a line, the columns aligned
    for (const auto& e : events)
        t.add({std::to_string(e.id), time_text(e.time_us), type_name(e), boost::json::serialize(e.attrs)});
    t.print(inv.out);
}

void signal(const invocation& inv) {
    const auto input = json_flag(inv, "input");
    const auto name = inv.value("name");
    write_request request{detail::workflow_signal_command{target_of(inv), name, input},
                          [&](perdure::engine& e) -> detail::inbox_answer {
                              handle_of(e, inv).signal_json(name, input);
                              return {};
                          }};
    print_write(inv, request, perform_write(inv.db, request),
                "Signal " + name + " sent to workflow " + inv.value("workflow-id") + ".");
}

void cancel(const invocation& inv) {
    write_request request{detail::workflow_cancel_command{target_of(inv)},
                          [&](perdure::engine& e) -> detail::inbox_answer {
                              handle_of(e, inv).cancel();
                              return {};
                          }};
    print_write(inv, request, perform_write(inv.db, request),
                "Cancellation requested for workflow " + inv.value("workflow-id") + ".");
}

void terminate(const invocation& inv) {
    write_request request{detail::workflow_terminate_command{target_of(inv), inv.value("reason")},
                          [&](perdure::engine& e) -> detail::inbox_answer {
                              handle_of(e, inv).terminate(inv.value("reason"));
                              return {};
                          }};
    print_write(inv, request, perform_write(inv.db, request), "Workflow " + inv.value("workflow-id") + " terminated.");
}

void remove(const invocation& inv) {
    write_request request{
        detail::workflow_delete_command{target_of(inv)}, [&](perdure::engine& e) -> detail::inbox_answer {
            e.client_for(inv.value("namespace")).delete_workflow(inv.value("workflow-id"), inv.value("run-id"));
            return {};
        }};
    print_write(inv, request, perform_write(inv.db, request), "Workflow " + inv.value("workflow-id") + " deleted.");
}

}   // namespace

std::vector<command> workflow_commands() {
    std::vector<command> out{
        {{"workflow", "list"},
         "List workflow runs",
         "Lists workflow runs, newest first, in one namespace or all of them. With --query, the runs of one "
         "namespace (default: default) that match a visibility query (Temporal's list filter: "
         "\"CustomerId = 'c42' AND ExecutionStatus = 'Running'\", see doc/visibility.md), one page of --limit "
         "runs (at most 1000), followed by the token of the next page; --status does not combine with it (put "
         "ExecutionStatus in the query). With --output json and --query: {executions, next_page_token}.",
         [](po::options_description& d) {
             // clang-format off
             d.add_options()("namespace,n", po::value<std::string>()->value_name("NS"), "only this namespace")(
                 "query,q", po::value<std::string>()->value_name("QUERY"), "only runs matching this visibility query")(
                 "status", po::value<std::string>()->value_name("STATUS"),
                 "only runs with this status: running, completed, failed, canceled, terminated, continued_as_new, "
                 "timed_out")("limit", po::value<std::int64_t>()->value_name("N")->default_value(1000),
                              "at most N runs (with --query: a page of N, at most 1000)")(
                 "page-token", po::value<std::string>()->value_name("TOKEN"),
                 "with --query: continue after the page that printed this token");
             // clang-format on
         },
         list},
        {{"workflow", "count"},
         "Count workflow runs matching a query",
         "Counts the runs of a namespace that match a visibility query (all of them without --query). A query "
         "ending in GROUP BY ExecutionStatus also counts them per status, as Temporal's CLI does. With --output "
         "json: {count, groups: [{group_values, count}]}.",
         [](po::options_description& d) {
             // clang-format off
             d.add_options()("namespace,n", po::value<std::string>()->value_name("NS")->default_value("default"),
                             "the namespace (default: default)")(
                 "query,q", po::value<std::string>()->value_name("QUERY"), "only runs matching this visibility query");
             // clang-format on
         },
         count},
        {{"workflow", "describe"},
         "Show one workflow run",
         "Shows a run: type, task queue, status, times, history length, memo, search attributes, the last workflow task failure "
         "while it is retrying, and, while it runs, its pending work as committed: activities, children, Nexus "
         "operations, the completions it owes Nexus callers and its failing workflow task.",
         add_run_flags,
         describe},
        {{"workflow", "show"},
         "Print a run's event history",
         "Prints a run's history, one event a line: id, time, type and attributes. With --output json, an array "
         "of {event_id, event_type, event_time, attributes}, the form the history replayer reads. With --follow, "
         "keeps printing events as they are committed until the run closes (with --output json, one event object "
         "a line).",
         [](po::options_description& d) {
             add_run_flags(d);
             d.add_options()("follow,f", "keep printing new events until the run closes");
         },
         show},
        {{"workflow", "signal"},
         "Send a signal to a running workflow",
         "Records a signal (WorkflowExecutionSignaled) in a running workflow; returns once it is committed.",
         [](po::options_description& d) {
             add_run_flags(d);
             // clang-format off
             d.add_options()("name", po::value<std::string>()->value_name("SIGNAL")->required(),
                             "the signal's name (required)")(
                 "input,i", po::value<std::string>()->value_name("JSON"), "the signal's argument, as JSON");
             // clang-format on
         },
         signal},
        {{"workflow", "cancel"},
         "Request cancellation of a running workflow",
         "Records WorkflowExecutionCancelRequested; the workflow code decides how to end.",
         add_run_flags,
         cancel},
        {{"workflow", "terminate"},
         "End a running workflow at once",
         "Records WorkflowExecutionTerminated: the run ends now, and its code runs no further.",
         [](po::options_description& d) {
             add_run_flags(d);
             d.add_options()("reason", po::value<std::string>()->value_name("TEXT"), "why, recorded in the event");
         },
         terminate},
        {{"workflow", "delete"},
         "Delete a workflow run and its history",
         "Deletes a run (the latest of the workflow id without --run-id): its history, its visibility record and "
         "everything else stored for it, as Temporal's workflow delete does. A running run is terminated first "
         "(WorkflowExecutionTerminated, reason \"Delete workflow execution\"), so its parent and callers learn of "
         "it. Returns once the deletion is committed.",
         add_run_flags,
         remove},
    };
    for (auto& c : workflow_run_commands()) out.push_back(std::move(c));
    return out;
}

}   // namespace perdure::cli
