// Help texts, written for someone who knows `temporal operator` and has a database file.
#include "help.hpp"

#include "output.hpp"

#include <sstream>

namespace perdure::cli {
namespace {

constexpr std::size_t width = 80;

/// Wraps a paragraph at `width` columns.
void print_paragraph(std::ostream& out, const std::string& text) {
    std::istringstream words(text);
    std::string word, line;
    while (words >> word) {
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out << line << '\n';
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) out << line << '\n';
}

bool starts_with(const std::vector<std::string>& words, const std::vector<std::string>& prefix) {
    return words.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), words.begin());
}

}   // namespace

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

void print_overview(std::ostream& out, const std::vector<command>& commands, const std::vector<std::string>& prefix,
                    const boost::program_options::options_description& global) {
    const auto scope = prefix.empty() ? std::string("perdure") : "perdure " + joined(prefix);
    if (prefix.empty()) {
        print_paragraph(out,
                        "perdure: operate a perdure database (namespaces, Nexus endpoints, workflows), with the "
                        "command shapes of `temporal operator` and `temporal workflow`.");
        out << '\n';
    }
    out << "Usage: " << scope << (prefix.empty() ? " <command>" : " <subcommand>") << " [flags]\n\nCommands:\n";
    table t({});
    for (const auto& c : commands)
        if (starts_with(c.words, prefix)) t.add({"  perdure " + joined(c.words), c.summary});
    t.print(out);
    out << '\n' << global << '\n';
    print_paragraph(out,
                    "The database is --db PATH (a SQLite file) or --db postgresql://... (a PostgreSQL database, as "
                    "libpq reads the URL), or $PERDURE_DB; perdure never migrates one. Where no file exists, "
                    "namespace create and nexus endpoint create create the database (as the application's engine "
                    "would) and say so on stderr; every other command exits 3 there. Reads work "
                    "while an application's engine has the file open. Writes (namespace, search attribute and "
                    "endpoint changes, signal, cancel, terminate, delete) go to that running engine, which applies "
                    "them within a second; when no engine runs, perdure opens the database itself in maintenance "
                    "mode. Workflow start, "
                    "execute, query, stack and update need the application's engine (it has the workflow code) and "
                    "exit 1 without one.");
    out << '\n';
    print_paragraph(out,
                    "Exit codes: 0 success; 1 user error (unknown name, invalid value, missing flag); 2 usage "
                    "error (unknown command or flag, no database given); 3 database problem (missing, locked, "
                    "not a perdure database, newer schema, a running engine that did not answer).");
    out << '\n'
        << "Run '" << scope << " <" << (prefix.empty() ? "command" : "subcommand")
        << "> --help' for a command's flags.\n";
}

void print_command_help(std::ostream& out, const command& c, const boost::program_options::options_description& flags,
                        const boost::program_options::options_description& global) {
    out << "Usage: perdure " << joined(c.words) << " [flags]\n\n";
    print_paragraph(out, c.details);
    out << '\n';
    // One description, so the flags of both groups share a column.
    boost::program_options::options_description all;
    if (!flags.options().empty()) all.add(flags);
    all.add(global);
    out << all;
}

}   // namespace perdure::cli
