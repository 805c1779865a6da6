// A perdure command line, parsed apart from running it: parse() finds the command the leading
// words name and reads the global and the command's flags; execute() runs it. Split so that
// the CLI fuzz target can parse any argv without writing to a database.
#pragma once

#include "command.hpp"

#include <boost/program_options/errors.hpp>
#include <boost/program_options/variables_map.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace perdure::cli {

/// What a command line asks for: a command with its flags, or nothing more (help was printed).
struct parsed_command_line {
    std::optional<command> cmd;                   ///< empty when help was printed
    boost::program_options::variables_map args;   ///< the global flags and the command's
    std::string db;                               ///< --db or $PERDURE_DB
    output_format output = output_format::table;
};

/// Parses `perdure <words...> [flags]`; help (--help, or a group's) is printed to `help_out`.
/// Throws cli_error (a usage or user error, with its exit code) and
/// boost::program_options::error (a usage error in the global flags).
parsed_command_line parse(int argc, const char* const argv[], std::ostream& help_out);

/// Runs the parsed command, printing to `out`; throws cli_error and perdure::error.
void execute(const parsed_command_line&, std::ostream& out);

/// What `e.what()` says, computed safely: Boost.Program_options expands placeholders such as
/// %value% again inside the text it has just put in, so its what() never returns for a flag or
/// value that contains one (`--limit %value%`).
std::string message_of(const boost::program_options::error& e);

}   // namespace perdure::cli
