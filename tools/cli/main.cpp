// The perdure command-line tool. The leading words name a command; Boost.Program_options
// parses the global flags wherever they appear, then the command's own; errors become the
// documented exit codes.
#include "command.hpp"
#include "help.hpp"

#include "store/database.hpp"

#include <perdure/error.hpp>

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

// Flags are never abbreviated: --name must not quietly mean --namespace.
constexpr int parse_style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

std::vector<command> all_commands() {
    std::vector<command> out;
    for (auto group : {namespace_commands, endpoint_commands, workflow_commands})
        for (auto& c : group()) out.push_back(std::move(c));
    return out;
}

po::options_description global_flags() {
    po::options_description d("Global flags");
    d.add_options()("db", po::value<std::string>()->value_name("PATH"), "the database file (default: $PERDURE_DB)")(
        "output,o", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
        "table (aligned, for people) or json (one line, for scripts)")("help,h", "explain a command and its flags");
    return d;
}

/// Whether `c` is a command of the group `prefix` ("operator namespace").
bool extends(const command& c, const std::vector<std::string>& prefix) {
    return c.words.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), c.words.begin());
}

bool is_group(const std::vector<command>& commands, const std::vector<std::string>& prefix) {
    return std::any_of(commands.begin(), commands.end(), [&](const command& c) { return extends(c, prefix); });
}

/// The command named by the longest run of leading words, and how many words it used.
std::pair<const command*, std::size_t> find_command(const std::vector<command>& commands,
                                                    const std::vector<std::string>& tokens) {
    std::size_t words = 0;
    while (words < tokens.size() && !tokens[words].starts_with('-')) ++words;
    const command* best = nullptr;
    for (const auto& c : commands)
        if (c.words.size() <= words && std::equal(c.words.begin(), c.words.end(), tokens.begin()) &&
            (!best || c.words.size() > best->words.size()))
            best = &c;
    return {best, best ? best->words.size() : words};
}

output_format output_of(const std::string& text) {
    if (text == "table") return output_format::table;
    if (text == "json") return output_format::json;
    throw cli_error(exit_code::usage_error, "--output must be table or json, not '" + text + "'");
}

std::string database_of(const po::variables_map& vm) {
    if (vm.count("db")) return vm["db"].as<std::string>();
    if (const char* env = std::getenv("PERDURE_DB"); env && *env) return env;
    throw cli_error(exit_code::usage_error, "no database: give --db PATH or set PERDURE_DB");
}

exit_code code_of(const error& e) {
    const auto c = static_cast<errc>(e.code().value());
    return c == errc::database_locked || c == errc::storage_error ? exit_code::database_problem : exit_code::user_error;
}

/// Words that name no command: a group ("operator namespace") prints its help when asked, or
/// a usage error that lists what may follow; anything else is an unknown command.
exit_code group_help(const std::vector<command>& commands, const std::vector<std::string>& words, bool help,
                     const po::options_description& global) {
    std::vector<std::string> prefix;
    for (const auto& word : words) {
        auto longer = prefix;
        longer.push_back(word);
        if (!is_group(commands, longer))
            throw cli_error(exit_code::usage_error, "unknown command '" + joined(longer) + "'; run 'perdure" +
                                                        (prefix.empty() ? "" : " " + joined(prefix)) + " --help'");
        prefix = std::move(longer);
    }
    if (help) {
        print_overview(std::cout, commands, prefix, global);
        return exit_code::success;
    }
    std::vector<std::string> next;   // the words that may follow, in the order of the commands
    for (const auto& c : commands)
        if (extends(c, prefix) && std::find(next.begin(), next.end(), c.words[prefix.size()]) == next.end())
            next.push_back(c.words[prefix.size()]);
    std::string choices;
    for (const auto& w : next) choices += (choices.empty() ? "" : ", ") + w;
    const auto scope = "perdure" + (prefix.empty() ? "" : " " + joined(prefix));
    throw cli_error(exit_code::usage_error, scope + " needs a command (" + choices + "); run '" + scope + " --help'");
}

exit_code run(int argc, char** argv) {
    const auto commands = all_commands();
    const auto global = global_flags();
    po::options_description hidden;
    hidden.add_options()("words", po::value<std::vector<std::string>>());
    po::options_description first;
    first.add(global).add(hidden);
    po::positional_options_description positional;
    positional.add("words", -1);

    // First pass: the global flags, wherever they are; everything else is kept in order.
    const auto parsed = po::command_line_parser(argc, argv)
                            .options(first)
                            .positional(positional)
                            .style(parse_style)
                            .allow_unregistered()
                            .run();
    po::variables_map vm;
    po::store(parsed, vm);
    const auto tokens = po::collect_unrecognized(parsed.options, po::include_positional);
    const bool help = vm.count("help") != 0;

    const auto [cmd, used] = find_command(commands, tokens);
    if (!cmd) return group_help(commands, {tokens.begin(), tokens.begin() + static_cast<long>(used)}, help, global);

    // Second pass: the command's own flags.
    po::options_description flags("Flags");
    cmd->add_flags(flags);
    po::options_description second;
    second.add(flags).add(global);
    const std::vector<std::string> rest(tokens.begin() + static_cast<long>(used), tokens.end());
    try {
        const po::positional_options_description none;   // so a stray word is an error, not ignored
        po::store(po::command_line_parser(rest).options(second).positional(none).style(parse_style).run(), vm);
        if (help) {
            print_command_help(std::cout, *cmd, flags, global);
            return exit_code::success;
        }
        po::notify(vm);
    } catch (const po::too_many_positional_options_error&) {
        throw cli_error(exit_code::usage_error, "perdure " + joined(cmd->words) +
                                                    " takes only flags, and a value follows its flag (--name VALUE); "
                                                    "see 'perdure " + joined(cmd->words) + " --help'");
    } catch (const po::required_option& e) {
        throw cli_error(exit_code::user_error, std::string(e.what()) + "; see 'perdure " + joined(cmd->words) + " --help'");
    } catch (const po::error& e) {
        throw cli_error(exit_code::usage_error, std::string(e.what()) + "; see 'perdure " + joined(cmd->words) + " --help'");
    }
    const invocation inv{database_of(vm), output_of(vm["output"].as<std::string>()), vm, std::cout};
    cmd->run(inv);
    return exit_code::success;
}

exit_code fail(exit_code code, const std::string& message) {
    std::cout.flush();
    std::cerr << "perdure: " << message << '\n';
    return code;
}

}  // namespace
}  // namespace perdure::cli

int main(int argc, char** argv) {
    using namespace perdure::cli;
    try {
        return static_cast<int>(run(argc, argv));
    } catch (const cli_error& e) {
        return static_cast<int>(fail(e.code(), e.what()));
    } catch (const perdure::error& e) {
        return static_cast<int>(fail(code_of(e), e.what()));
    } catch (const perdure::detail::sql::sqlite_failure& f) {
        return static_cast<int>(fail(exit_code::database_problem, "SQLite: " + f.message));
    } catch (const boost::program_options::error& e) {
        return static_cast<int>(fail(exit_code::usage_error, std::string(e.what()) + "; run 'perdure --help'"));
    } catch (const std::exception& e) {
        return static_cast<int>(fail(exit_code::user_error, e.what()));
    }
}
