// The help texts: `perdure --help`, a group's (`perdure operator --help`) and a command's.
#pragma once

#include "command.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace perdure::cli {

/// The commands whose words start with `prefix` (every command for an empty prefix), one a line.
void print_overview(std::ostream&, const std::vector<command>&, const std::vector<std::string>& prefix,
                    const boost::program_options::options_description& global);
void print_command_help(std::ostream&, const command&, const boost::program_options::options_description& flags,
                        const boost::program_options::options_description& global);
/// "operator namespace create"
std::string joined(const std::vector<std::string>& words);

}   // namespace perdure::cli
