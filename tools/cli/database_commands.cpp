// perdure operator database copy: a whole database into a new one, the way from a SQLite file
// to PostgreSQL when an application outgrows one process (or back, or into a fresh file).
#include "command.hpp"
#include "output.hpp"

#include "store/copy_store.hpp"

#include <boost/program_options/value_semantic.hpp>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

void copy(const invocation& inv) {
    const auto to = inv.value("to");
    if (to == inv.db) throw cli_error(exit_code::user_error, "--to names the database being copied; name a new one");
    // Durable when the command returns: the copy may be all that is left of the source.
    const auto n = on_store([&] {
        return detail::copy_store({.database = inv.db, .durability = durability::full},
                                  {.database = to, .durability = durability::full});
    });
    if (inv.output == output_format::json)
        return print_json(inv.out, boost::json::object{{"op", "database.copy"},
                                                       {"result",
                                                        {{"to", to},
                                                         {"namespaces", n.namespaces},
                                                         {"endpoints", n.endpoints},
                                                         {"runs", n.runs},
                                                         {"open_runs", n.open_runs},
                                                         {"events", n.events},
                                                         {"tasks", n.tasks},
                                                         {"deadlines", n.deadlines}}}});
    inv.out << "Copied " << n.namespaces << " namespaces, " << n.endpoints << " endpoints and " << n.runs
            << " workflow runs (" << n.open_runs << " open, " << n.events << " events) into " << to << ".\n";
}

}   // namespace

std::vector<command> database_commands() {
    return {
        {{"operator", "database", "copy"},
         "Copy the database into a new one (a SQLite file to PostgreSQL, or back)",
         "Copies everything the database (--db) holds into a new, empty database (--to: a SQLite file or a "
         "postgresql:// URL, created if missing): namespaces with their search attributes, Nexus endpoints, every "
         "workflow run with its history, and the timers, activities and messages open runs are owed. Keys and ids "
         "are kept, so an engine opened on the copy carries on where the original's stopped. No engine may run on "
         "the source meanwhile; a destination that already holds data is refused. Runs of deleted namespaces and "
         "commands still waiting in the inbox are not copied.",
         [](po::options_description& d) {
             d.add_options()("to", po::value<std::string>()->value_name("PATH|URL")->required(),
                             "the new database (required)");
         },
         copy},
    };
}

}   // namespace perdure::cli
