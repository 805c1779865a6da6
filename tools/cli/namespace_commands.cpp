// perdure operator namespace create | list | describe | delete: Temporal's command shapes over
// the namespaces table.
#include "command.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "write_path.hpp"

#include "codec/duration.hpp"
#include "runtime/inbox_answers.hpp"

#include <boost/program_options/value_semantic.hpp>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

void add_namespace_flag(po::options_description& d, const char* what) {
    d.add_options()("namespace,n", po::value<std::string>()->value_name("NAME")->required(), what);
}

void add_retention_flag(po::options_description& d, const char* what) {
    d.add_options()("retention", po::value<std::string>()->value_name("DURATION"), what);
}

boost::json::object namespace_json(const detail::namespace_row& ns) {
    return {{"name", ns.name},
            {"description", ns.description},
            {"created", time_json(ns.created_us)},
            {"retention", detail::format_duration(std::chrono::milliseconds(ns.retention_ms))}};
}

/// --retention: a positive duration in the forms `namespace list` prints (7d, 72h, 90m, 30s)
/// or Temporal's (1.5h, 250ms).
std::optional<std::chrono::milliseconds> retention_flag(const invocation& inv) {
    const auto text = inv.optional_value("retention");
    if (!text) return std::nullopt;
    std::optional<std::chrono::milliseconds> ms;
    if (text->size() > 1 && text->back() == 'd') {
        if (const auto hours = detail::parse_duration(text->substr(0, text->size() - 1) + "h")) ms = *hours * 24;
    } else {
        ms = detail::parse_duration(*text);
    }
    if (!ms || ms->count() <= 0)
        throw cli_error(exit_code::user_error,
                        "--retention takes a positive duration such as 7d, 72h or 30m, not '" + *text + "'");
    return ms;
}

void create(const invocation& inv) {
    const auto name = inv.value("namespace");
    const auto description = inv.value("description");
    const auto retention = retention_flag(inv);
    write_request request{.command = detail::namespace_create_command{name, description,
                                                                      retention.value_or(std::chrono::milliseconds(0))},
                          .apply = [&](perdure::engine& e) -> detail::inbox_answer {
                              auto created = e.namespaces().create(name, description);
                              if (retention) created = e.namespaces().set_retention(name, *retention);
                              return detail::inbox_answer_of(created);
                          },
                          .creates_database = true};
    print_write(inv, request, perform_write(inv.db, request), "Namespace " + name + " created.");
}

void update(const invocation& inv) {
    const auto name = inv.value("namespace");
    const auto retention = retention_flag(inv);
    if (!retention) throw cli_error(exit_code::user_error, "namespace update needs --retention: it is what can change");
    write_request request{detail::namespace_update_command{name, *retention},
                          [&](perdure::engine& e) -> detail::inbox_answer {
                              return detail::inbox_answer_of(e.namespaces().set_retention(name, *retention));
                          }};
    print_write(inv, request, perform_write(inv.db, request), "Namespace " + name + " updated.");
}

void list(const invocation& inv) {
    reading db(inv.db);
    if (inv.output == output_format::json) {
        boost::json::array out;
        for (const auto& ns : db.namespaces()) out.push_back(namespace_json(ns));
        return print_json(inv.out, out);
    }
    table t({"NAME", "RETENTION", "CREATED", "DESCRIPTION"});
    for (const auto& ns : db.namespaces())
        t.add({ns.name, retention_text(ns.retention_ms), time_text(ns.created_us), one_line(ns.description)});
    t.print(inv.out);
}

void describe(const invocation& inv) {
    reading db(inv.db);
    const auto& ns = db.require_namespace(inv.value("namespace"));
    const auto open = db.open_runs(ns.ns_id);
    if (inv.output == output_format::json) {
        auto out = namespace_json(ns);
        out["open_workflows"] = open;
        return print_json(inv.out, out);
    }
    print_card(inv.out, {{"Name", ns.name},
                         {"Description", ns.description},
                         {"Retention", retention_text(ns.retention_ms)},
                         {"Created", time_text(ns.created_us)},
                         {"OpenWorkflows", std::to_string(open)}});
}

void remove(const invocation& inv) {
    const auto name = inv.value("namespace");
    write_request request{detail::namespace_delete_command{name}, [&](perdure::engine& e) -> detail::inbox_answer {
                              e.namespaces().remove(name);
                              return {};
                          }};
    print_write(inv, request, perform_write(inv.db, request), "Namespace " + name + " deleted.");
}

}   // namespace

std::vector<command> namespace_commands() {
    return {
        {{"operator", "namespace", "create"},
         "Create a namespace",
         "Creates a namespace: an isolated set of workflows in the database, kept 7 days after they close unless --retention says otherwise. Names "
         "use 1 to 255 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Where no file "
         "exists at the database path, the database is created first.",
         [](po::options_description& d) {
             add_namespace_flag(d, "the namespace to create (required)");
             d.add_options()("description", po::value<std::string>()->value_name("TEXT"), "what the namespace is for");
             add_retention_flag(d, "how long closed workflows are kept (default 7d)");
         },
         create},
        {{"operator", "namespace", "update"},
         "Change a namespace's retention",
         "Sets how long the namespace's closed workflows are kept; older ones are deleted in the background, "
         "starting at once.",
         [](po::options_description& d) {
             add_namespace_flag(d, "the namespace to change (required)");
             add_retention_flag(d, "how long closed workflows are kept (required)");
         },
         update},
        {{"operator", "namespace", "list"},
         "List namespaces",
         "Lists the namespaces of the database, by name.",
         [](po::options_description&) {},
         list},
        {{"operator", "namespace", "describe"},
         "Show one namespace",
         "Shows a namespace: description, retention, creation time and how many of its workflows are open.",
         [](po::options_description& d) { add_namespace_flag(d, "the namespace to show (required)"); },
         describe},
        {{"operator", "namespace", "delete"},
         "Delete a namespace",
         "Deletes a namespace. Refused while it has open workflows: cancel or terminate them first.",
         [](po::options_description& d) {
             add_namespace_flag(d, "the namespace to delete (required)");
             d.add_options()("yes,y", "accepted for scripts written for temporal; perdure never asks");
         },
         remove},
    };
}

}   // namespace perdure::cli
