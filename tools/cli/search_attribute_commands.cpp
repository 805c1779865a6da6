// perdure operator search-attribute create | list | remove: a namespace's custom search
// attributes, with Temporal's command shapes and type names.
#include "command.hpp"
#include "inbox_client.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "write_path.hpp"

#include "visibility/system_attributes.hpp"

#include <perdure/search_attributes.hpp>

#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <iostream>
#include <unistd.h>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

void add_namespace_flag(po::options_description& d) {
    d.add_options()("namespace,n", po::value<std::string>()->value_name("NS")->default_value("default"),
                    "the namespace (default: default)");
}

std::vector<std::string> values(const invocation& inv, const char* flag) {
    return inv.has(flag) ? inv.args[flag].as<std::vector<std::string>>() : std::vector<std::string>{};
}

/// Refuses what the engine would refuse for one of the attributes (a name given twice or
/// reserved, or one the namespace has with another type) before any of them is added.
void check_new_attributes(const std::string& db, const std::string& ns, const std::vector<std::string>& names,
                          const std::vector<search_attribute_type>& types) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
            names.begin() + static_cast<std::ptrdiff_t>(i))
            throw cli_error(exit_code::user_error, "search attribute " + names[i] + " is given twice; name each once");
        detail::check_custom_attribute_name(names[i]);
    }
    reading database(db);
    const auto& existing = database.require_namespace(ns).search_attributes;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (const auto it = existing.find(names[i]); it != existing.end() && it->second != types[i])
            throw cli_error(exit_code::user_error,
                            "search attribute '" + names[i] + "' already exists in namespace '" + ns + "' as " +
                                std::string(to_string(it->second)) +
                                "; remove it first to give it another type (none of the attributes was added)");
}

void create(const invocation& inv) {
    const auto ns = inv.value("namespace");
    const auto names = values(inv, "name");
    const auto type_names = values(inv, "type");
    if (names.size() != type_names.size())
        throw cli_error(exit_code::user_error, "give one --type for each --name (" + std::to_string(names.size()) +
                                                   " names, " + std::to_string(type_names.size()) + " types)");
    // Everything checked before anything is written: a command that fails adds nothing.
    std::vector<search_attribute_type> types;
    for (const auto& t : type_names) types.push_back(parse_search_attribute_type(t));
    check_new_attributes(inv.db, ns, names, types);
    std::vector<detail::inbox_command> commands;   // the inbox takes one attribute a command
    for (std::size_t i = 0; i < names.size(); ++i)
        commands.emplace_back(detail::search_attribute_create_command{ns, names[i], types[i]});
    const write_request request{commands.front(), [&](perdure::engine& e) -> detail::inbox_answer {
                                    for (std::size_t i = 0; i < names.size(); ++i)
                                        e.namespaces().add_search_attribute(ns, names[i], types[i]);
                                    return {};
                                }};
    const auto outcome = perform_write(inv.db, request);
    if (outcome.route == write_route::inbox)
        for (std::size_t i = 1; i < commands.size(); ++i) send_to_engine(inv.db, commands[i]);
    if (inv.output == output_format::json) {
        boost::json::array created;
        for (std::size_t i = 0; i < names.size(); ++i)
            created.push_back({{"name", names[i]}, {"type", to_string(types[i])}});
        return print_json(inv.out, boost::json::object{{"op", "search-attribute.create"},
                                                       {"route", route_name(outcome.route)},
                                                       {"result", {{"namespace", ns}, {"created", created}}}});
    }
    for (const auto& name : names) inv.out << "Search attribute " << name << " added to namespace " << ns << ".\n";
}

void list(const invocation& inv) {
    reading db(inv.db);
    const auto& ns = db.require_namespace(inv.value("namespace"));
    if (inv.output == output_format::json) {
        boost::json::array out;
        for (const auto& [name, type] : ns.search_attributes)
            out.push_back({{"name", name}, {"type", to_string(type)}});
        return print_json(inv.out, out);
    }
    table t({"NAME", "TYPE"});
    for (const auto& [name, type] : ns.search_attributes) t.add({name, std::string(to_string(type))});
    t.print(inv.out);
}

/// Temporal asks before removing; --yes answers for scripts, and without a terminal to ask on
/// the command is refused rather than guessed.
void confirm_removal(const invocation& inv, const std::string& ns, const std::string& name) {
    if (inv.has("yes")) return;
    if (!::isatty(0))
        throw cli_error(exit_code::user_error, "removing search attribute " + name +
                                                   " deletes every run's values of it; there is no terminal to "
                                                   "confirm on, so add --yes (-y) to remove it");
    std::cerr << "Remove search attribute " << name << " from namespace " << ns
              << "? Every run's values of it are deleted. [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes")
        throw cli_error(exit_code::user_error, "not removed: the removal was not confirmed");
}

void remove(const invocation& inv) {
    const auto ns = inv.value("namespace");
    const auto name = inv.value("name");
    confirm_removal(inv, ns, name);
    const write_request request{detail::search_attribute_remove_command{ns, name},
                                [&](perdure::engine& e) -> detail::inbox_answer {
                                    e.namespaces().remove_search_attribute(ns, name);
                                    return {};
                                }};
    const auto outcome = perform_write(inv.db, request);
    if (inv.output == output_format::json)
        return print_json(inv.out, boost::json::object{{"op", "search-attribute.remove"},
                                                       {"route", route_name(outcome.route)},
                                                       {"result", {{"namespace", ns}, {"name", name}}}});
    inv.out << "Search attribute " << name << " removed from namespace " << ns << ".\n";
}

}   // namespace

std::vector<command> search_attribute_commands() {
    return {
        {{"operator", "search-attribute", "create"},
         "Add custom search attributes to a namespace",
         "Registers custom search attributes in a namespace, one for each --name and --type pair (repeat both to add "
         "several). Types, in any case: Keyword, Text, Int, Double, Bool, Datetime, KeywordList. Adding one again "
         "with the same type does nothing. The running engine applies it (through its inbox), or, with no engine "
         "running, the command makes it itself (maintenance mode).",
         [](po::options_description& d) {
             add_namespace_flag(d);
             // clang-format off
             d.add_options()("name", po::value<std::vector<std::string>>()->value_name("NAME")->required(),
                             "the attribute's name (required; repeatable)")(
                 "type", po::value<std::vector<std::string>>()->value_name("TYPE")->required(),
                 "its type, one for each --name (required; repeatable)");
             // clang-format on
         },
         create},
        {{"operator", "search-attribute", "list"},
         "List a namespace's custom search attributes",
         "Lists the custom search attributes of a namespace with their types, by name. The system attributes "
         "(WorkflowId, ExecutionStatus, StartTime, ...) are in doc/visibility.md.",
         add_namespace_flag,
         list},
        {{"operator", "search-attribute", "remove"},
         "Remove a custom search attribute from a namespace",
         "Unregisters a custom search attribute and deletes every run's values of it. Asks first; --yes answers "
         "for scripts, and without a terminal to ask on it is refused unless --yes is given. The running engine "
         "applies it (through its inbox), or, with no engine running, the command makes it itself (maintenance "
         "mode).",
         [](po::options_description& d) {
             add_namespace_flag(d);
             d.add_options()("name", po::value<std::string>()->value_name("NAME")->required(),
                             "the attribute to remove (required)")("yes,y", "remove without asking");
         },
         remove},
    };
}

}   // namespace perdure::cli
