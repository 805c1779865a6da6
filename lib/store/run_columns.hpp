// A run's identity in the executions table: the JSON columns (memo, parent, options,
// callbacks) made from a run_identity and read back into one. Only the store knows these forms;
// rows written by any earlier version read the same.
#pragma once

#include "history/run_identity.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

std::string memo_column(const boost::json::object& memo);
/// Empty for a run without a parent.
std::string parent_column(const run_identity&);
/// attempt, run timeout and retry policy.
std::string options_column(const run_identity&);
std::string callbacks_column(const std::vector<nexus_callback>&);
std::string search_attributes_column(const typed_attributes&);

// Readers fill `into` from a column's text. A column that cannot be read leaves the defaults
// (as the engine did before it read them here), so an odd row never stops an engine opening.
void read_memo_column(std::string_view, run_identity& into);
void read_parent_column(std::string_view, run_identity& into);
void read_options_column(std::string_view, run_identity& into);
void read_callbacks_column(std::string_view, run_identity& into);
void read_search_attributes_column(std::string_view, run_identity& into);

}   // namespace perdure::detail
