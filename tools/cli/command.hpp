// What every command of the perdure CLI shares: how a command is declared (its words, flags
// and handler), what it is given when it runs, and the error that carries an exit code.
#pragma once

#include <perdure/error.hpp>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace perdure::cli {

/// The process exit codes, as documented in `perdure --help`.
enum class exit_code : int { success = 0, user_error = 1, usage_error = 2, database_problem = 3 };

/// An error reported as "perdure: <message>" that ends the process with `code`.
class cli_error : public std::runtime_error {
public:
    cli_error(exit_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
    exit_code code() const noexcept { return code_; }

private:
    exit_code code_;
};

/// Runs `f`, a call on the store: whatever perdure::error the store throws (it cannot be opened,
/// or it failed) is a database problem, exit code 3, with the store's message.
template <class F>
auto on_store(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const error& e) {
        throw cli_error(exit_code::database_problem, e.what());
    }
}

enum class output_format { table, json };

/// What a command's handler is given: the database, the output format and its parsed flags.
struct invocation {
    std::string db;
    output_format output = output_format::table;
    const boost::program_options::variables_map& args;
    std::ostream& out;

    bool has(const char* flag) const { return args.count(flag) != 0; }
    /// The flag's value, or "" when it was not given.
    std::string value(const char* flag) const { return has(flag) ? args[flag].as<std::string>() : std::string(); }
    std::optional<std::string> optional_value(const char* flag) const {
        if (!has(flag)) return std::nullopt;
        return args[flag].as<std::string>();
    }
};

/// One command: `perdure <words...> [flags]`.
struct command {
    std::vector<std::string> words;   ///< {"operator", "namespace", "create"}
    std::string summary;              ///< one line, for `perdure --help`
    std::string details;              ///< a paragraph, for `perdure <command> --help`
    std::function<void(boost::program_options::options_description&)> add_flags;
    std::function<void(const invocation&)> run;
};

/// The commands of each group, each defined in its own file.
std::vector<command> namespace_commands();
std::vector<command> endpoint_commands();
std::vector<command> search_attribute_commands();
std::vector<command> workflow_commands();
std::vector<command> database_commands();

}   // namespace perdure::cli
