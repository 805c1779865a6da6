// Parsing a perdure command line. The leading words name a command; Boost.Program_options
// parses the global flags wherever they appear, then the command's own.
#include "command_line.hpp"

#include "help.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <cstdlib>

namespace perdure::cli {
namespace {

namespace po = boost::program_options;

// Flags are never abbreviated: --name must not quietly mean --namespace.
constexpr int parse_style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

std::vector<command> all_commands() {
    std::vector<command> out;
    for (auto group :
         {namespace_commands, endpoint_commands, search_attribute_commands, workflow_commands, database_commands})
        for (auto& c : group()) out.push_back(std::move(c));
    return out;
}

po::options_description global_flags() {
    po::options_description d("Global flags");
    // clang-format off
    d.add_options()("db", po::value<std::string>()->value_name("PATH|URL"), "the database: a SQLite file, or a postgresql:// URL (default: $PERDURE_DB)")(
        "output,o", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
        "table (aligned, for people) or json (one line, for scripts)")("help,h", "explain a command and its flags");
    // clang-format on
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
    throw cli_error(exit_code::usage_error, "no database: give --db PATH (or a postgresql:// URL) or set PERDURE_DB");
}

/// Boost's error_with_option_name::substitute_placeholders in a single pass over the template,
/// so that text put in for a placeholder is never expanded again.
class single_pass_message : public po::error_with_option_name {
public:
    explicit single_pass_message(const po::error_with_option_name& e) : po::error_with_option_name(e) {}

    std::string text() const {
        auto values = m_substitutions;
        values["canonical_option"] = get_canonical_option_name();
        values["prefix"] = get_canonical_option_prefix();
        std::string pattern = m_error_template;
        for (const auto& [name, fallback] : m_substitution_defaults)   // "argument ('%value%')" -> "argument"
            if (values[name].empty())
                for (auto at = pattern.find(fallback.first); at != std::string::npos;
                     at = pattern.find(fallback.first, at + fallback.second.size()))
                    pattern.replace(at, fallback.first.size(), fallback.second);
        std::string out;
        for (std::size_t i = 0; i < pattern.size();) {
            const auto close = pattern[i] == '%' ? pattern.find('%', i + 1) : std::string::npos;
            const auto value =
                close == std::string::npos ? values.end() : values.find(pattern.substr(i + 1, close - i - 1));
            if (value == values.end()) {
                out += pattern[i++];
                continue;
            }
            out += value->second;
            i = close + 1;
        }
        return out;
    }
};

/// Words that name no command: a group ("operator namespace") prints its help when asked, or
/// a usage error that lists what may follow; anything else is an unknown command.
void group_help(const std::vector<command>& commands, const std::vector<std::string>& words, bool help,
                const po::options_description& global, std::ostream& out) {
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
        print_overview(out, commands, prefix, global);
        return;
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

}   // namespace

parsed_command_line parse(int argc, const char* const argv[], std::ostream& help_out) {
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
    parsed_command_line line;
    auto& vm = line.args;
    po::store(parsed, vm);
    const auto tokens = po::collect_unrecognized(parsed.options, po::include_positional);
    const bool help = vm.count("help") != 0;

    const auto [cmd, used] = find_command(commands, tokens);
    if (!cmd) {
        group_help(commands, {tokens.begin(), tokens.begin() + static_cast<long>(used)}, help, global, help_out);
        return line;
    }

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
            print_command_help(help_out, *cmd, flags, global);
            return line;
        }
        po::notify(vm);
    } catch (const po::too_many_positional_options_error&) {
        throw cli_error(exit_code::usage_error, "perdure " + joined(cmd->words) +
                                                    " takes only flags, and a value follows its flag (--name VALUE); "
                                                    "see 'perdure " +
                                                    joined(cmd->words) + " --help'");
    } catch (const po::required_option& e) {
        throw cli_error(exit_code::user_error, message_of(e) + "; see 'perdure " + joined(cmd->words) + " --help'");
    } catch (const po::error& e) {
        throw cli_error(exit_code::usage_error, message_of(e) + "; see 'perdure " + joined(cmd->words) + " --help'");
    }
    line.db = database_of(vm);
    line.output = output_of(vm["output"].as<std::string>());
    line.cmd = *cmd;
    return line;
}

std::string message_of(const po::error& e) {
    if (const auto* named = dynamic_cast<const po::error_with_option_name*>(&e))
        return single_pass_message(*named).text();
    return e.what();
}

void execute(const parsed_command_line& line, std::ostream& out) {
    if (!line.cmd) return;
    const invocation inv{line.db, line.output, line.args, out};
    line.cmd->run(inv);
}

}   // namespace perdure::cli
