// --compare BASELINE.jsonl: each figure of this run as a ratio to a saved run, so a change's
// effect on every scenario is one command.
#pragma once

#include <iosfwd>
#include <map>
#include <string>

namespace perdure::bench {

/// Numeric figures by scenario (with its durability, e.g. "step_latency (full)") and name.
/// Several lines of one scenario (a file of several runs) give each figure's median.
using figures = std::map<std::string, std::map<std::string, double>>;

/// Reads perdure-bench output. Throws std::runtime_error naming the file and line of a line
/// that is not one of perdure-bench's JSON objects.
figures read_figures(std::istream& in, const std::string& name);

/// Prints, per scenario, each figure both runs have: baseline, now, now / baseline, and
/// "better" or "worse" when it moved more than 5 % in a direction its name tells.
void print_comparison(const figures& baseline, const figures& now, std::ostream& out);

}   // namespace perdure::bench
