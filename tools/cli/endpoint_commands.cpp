// perdure operator nexus endpoint create | list | describe | update | delete: Temporal's
// command shapes over the nexus_endpoints table.
#include "command.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "write_path.hpp"

#include "runtime/inbox_answers.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

void add_name_flag(po::options_description& d, const char* what) {
    d.add_options()("name", po::value<std::string>()->value_name("NAME")->required(), what);
}

void add_target_flags(po::options_description& d, const char* suffix) {
    // clang-format off
    d.add_options()("target-namespace", po::value<std::string>()->value_name("NAMESPACE"),
                    (std::string("the namespace whose workers handle the endpoint's operations") + suffix).c_str())(
        "target-task-queue", po::value<std::string>()->value_name("QUEUE"),
        (std::string("the task queue of those workers") + suffix).c_str())(
        "description", po::value<std::string>()->value_name("TEXT"), "what the endpoint offers (markdown)")(
        "description-file", po::value<std::string>()->value_name("FILE"), "read the description from FILE")(
        "max-operations-per-second", po::value<std::string>()->value_name("RATE"),
        "operations started through the endpoint per second, from all callers; 0: no limit (the default)");
    // clang-format on
}

/// --max-operations-per-second; nullopt when not given.
std::optional<double> rate_of(const invocation& inv) {
    const auto text = inv.optional_value("max-operations-per-second");
    if (!text) return std::nullopt;
    std::size_t used = 0;
    double rate = -1;
    try {
        rate = std::stod(*text, &used);
    } catch (const std::exception&) {
    }
    if (used != text->size() || !std::isfinite(rate) || rate < 0)
        throw cli_error(exit_code::user_error,
                        "--max-operations-per-second takes a number, 0 or more (0: no limit), not '" + *text + "'");
    return rate;
}

/// --description or the contents of --description-file; nullopt when neither was given.
std::optional<std::string> description_of(const invocation& inv) {
    if (inv.has("description") && inv.has("description-file"))
        throw cli_error(exit_code::usage_error, "give --description or --description-file, not both");
    if (!inv.has("description-file")) return inv.optional_value("description");
    const auto path = inv.value("description-file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw cli_error(exit_code::user_error, "cannot read --description-file " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string required(const invocation& inv, const char* flag) {
    if (!inv.has(flag))
        throw cli_error(exit_code::user_error, std::string("the option '--") + flag + "' is required but missing");
    return inv.value(flag);
}

/// An endpoint's rate limit as people write it (5, 2.5), or "unlimited".
std::string rate_text(double rate) {
    if (rate == 0) return "unlimited";
    std::ostringstream out;
    out << rate;
    return out.str();
}

boost::json::object endpoint_json(const detail::endpoint_row& e) {
    return {{"id", e.id},
            {"name", e.name},
            {"version", e.version},
            {"target_namespace", e.target_namespace},
            {"target_task_queue", e.target_task_queue},
            {"description", e.description},
            {"created", time_json(e.created_us)},
            {"last_modified", time_json(e.last_modified_us)},
            {"max_operations_per_second", e.max_operations_per_second}};
}

void create(const invocation& inv) {
    nexus::endpoint_spec spec{inv.value("name"), required(inv, "target-namespace"), required(inv, "target-task-queue"),
                              description_of(inv).value_or(""), rate_of(inv).value_or(0)};
    write_request request{
        .command = detail::endpoint_create_command{spec.name, spec.target_namespace, spec.target_task_queue,
                                                   spec.description, spec.max_operations_per_second},
        .apply = [&](perdure::engine& e) -> detail::inbox_answer {
            return detail::inbox_answer_of(e.nexus_endpoints().create(spec));
        },
        .creates_database = true};
    print_write(inv, request, perform_write(inv.db, request), "Endpoint " + spec.name + " created.");
}

void list(const invocation& inv) {
    reading db(inv.db);
    const auto endpoints = db.endpoints();
    if (inv.output == output_format::json) {
        boost::json::array out;
        for (const auto& e : endpoints) out.push_back(endpoint_json(e));
        return print_json(inv.out, out);
    }
    table t({"NAME", "TARGET NAMESPACE", "TARGET TASK QUEUE", "VERSION", "DESCRIPTION"});
    for (const auto& e : endpoints)
        t.add({e.name, e.target_namespace, e.target_task_queue, std::to_string(e.version), one_line(e.description)});
    t.print(inv.out);
}

void describe(const invocation& inv) {
    reading db(inv.db);
    const auto name = inv.value("name");
    const auto endpoints = db.endpoints();
    std::string known;
    for (const auto& e : endpoints) {
        if (e.name != name) {
            known += (known.empty() ? "" : ", ") + e.name;
            continue;
        }
        if (inv.output == output_format::json) return print_json(inv.out, endpoint_json(e));
        return print_card(inv.out, {{"Name", e.name},
                                    {"Id", e.id},
                                    {"Version", std::to_string(e.version)},
                                    {"TargetNamespace", e.target_namespace},
                                    {"TargetTaskQueue", e.target_task_queue},
                                    {"Description", e.description},
                                    {"MaxOpsPerSecond", rate_text(e.max_operations_per_second)},
                                    {"Created", time_text(e.created_us)},
                                    {"LastModified", time_text(e.last_modified_us)}});
    }
    throw cli_error(exit_code::user_error,
                    "Nexus endpoint '" + name + "' does not exist (known: " + (known.empty() ? "none" : known) + ")");
}

void update(const invocation& inv) {
    const auto name = inv.value("name");
    nexus::endpoint_update change{inv.optional_value("new-name"),
                                  inv.optional_value("target-namespace"),
                                  inv.optional_value("target-task-queue"),
                                  description_of(inv),
                                  {},
                                  rate_of(inv)};
    if (inv.has("unset-description")) {
        if (change.description)
            throw cli_error(exit_code::usage_error, "give --unset-description or a description, not both");
        change.description = "";
    }
    if (!change.name && !change.target_namespace && !change.target_task_queue && !change.description &&
        !change.max_operations_per_second)
        throw cli_error(exit_code::user_error,
                        "nothing to update: give --target-namespace, --target-task-queue, "
                        "--description, --description-file, --unset-description, --new-name "
                        "or --max-operations-per-second");
    write_request request{
        detail::endpoint_update_command{name, change.name, change.target_namespace, change.target_task_queue,
                                        change.description, change.max_operations_per_second, change.expected_version},
        [&](perdure::engine& e) -> detail::inbox_answer {
            return detail::inbox_answer_of(e.nexus_endpoints().update(name, change));
        }};
    const auto outcome = perform_write(inv.db, request);
    std::string version;
    if (const auto* updated = std::get_if<detail::endpoint_answer>(&outcome.result))
        version = " (version " + std::to_string(updated->version) + ")";
    print_write(inv, request, outcome, "Endpoint " + name + " updated" + version + ".");
}

void remove(const invocation& inv) {
    const auto name = inv.value("name");
    write_request request{detail::endpoint_delete_command{name}, [&](perdure::engine& e) -> detail::inbox_answer {
                              e.nexus_endpoints().remove(name);
                              return {};
                          }};
    print_write(inv, request, perform_write(inv.db, request), "Endpoint " + name + " deleted.");
}

}   // namespace

std::vector<command> endpoint_commands() {
    return {
        {{"operator", "nexus", "endpoint", "create"},
         "Create a Nexus endpoint",
         "Creates a Nexus endpoint: a name that routes operations to the workers of a target namespace and task "
         "queue. Names match ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$ (at most 200 characters); the target namespace "
         "must exist. Where no file exists at the database path, the database is created first.",
         [](po::options_description& d) {
             add_name_flag(d, "the endpoint to create (required)");
             add_target_flags(d, " (required)");
         },
         create},
        {{"operator", "nexus", "endpoint", "list"},
         "List Nexus endpoints",
         "Lists the Nexus endpoints of the database, by name.",
         [](po::options_description&) {},
         list},
        {{"operator", "nexus", "endpoint", "describe"},
         "Show one Nexus endpoint",
         "Shows a Nexus endpoint: its id, version, target and description.",
         [](po::options_description& d) { add_name_flag(d, "the endpoint to show (required)"); },
         describe},
        {{"operator", "nexus", "endpoint", "update"},
         "Change a Nexus endpoint",
         "Changes the given fields of a Nexus endpoint and increments its version. New operations route to the "
         "new target at once.",
         [](po::options_description& d) {
             add_name_flag(d, "the endpoint to change (required)");
             add_target_flags(d, "");
             // clang-format off
             d.add_options()("unset-description", "clear the description")(
                 "new-name", po::value<std::string>()->value_name("NAME"), "rename the endpoint");
             // clang-format on
         },
         update},
        {{"operator", "nexus", "endpoint", "delete"},
         "Delete a Nexus endpoint",
         "Deletes a Nexus endpoint. Operations that have not started fail NOT_FOUND on their next attempt.",
         [](po::options_description& d) { add_name_flag(d, "the endpoint to delete (required)"); },
         remove},
    };
}

}   // namespace perdure::cli
