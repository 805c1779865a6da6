// A typed visibility query as parameterized SQL: a WHERE condition, an ORDER BY list and, for
// counts, a GROUP BY expression, with every value a user wrote bound as a parameter. The SQL
// text holds only column names and operators from the column map and this translator.
//
// Storage it expects (the column map names it; both stores' schemas create it):
//
//   executions(run_key INTEGER PRIMARY KEY, ns_id, workflow_id, run_id, workflow_type, task_queue,
//              status INTEGER (a workflow_status), start_time, close_time (0 while open),
//              execution_time, history_length, history_size_bytes, parent_workflow_id and
//              parent_run_id (NULL for a run without a parent), root_workflow_id, root_run_id, ...)
//              times in µs since 1970
//   search_attribute_values(ns_id INTEGER NOT NULL, name TEXT NOT NULL, run_key INTEGER NOT NULL,
//              int_value INTEGER, double_value REAL, text_value TEXT)
//     one row per value (a KeywordList one per element); Int, Bool (0/1) and Datetime (µs) in
//     int_value, Double in double_value, Keyword and KeywordList in text_value, Text in
//     text_value as text_index_form gives it
//   CREATE INDEX search_attribute_text ON search_attribute_values(ns_id, name, text_value, run_key)
//     WHERE text_value IS NOT NULL;   and the same for int_value and double_value
//   CREATE INDEX search_attribute_runs ON search_attribute_values(run_key);
#pragma once

#include "visibility/query.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace perdure::detail {

/// A parameter's value, as SQLite and PostgreSQL bind it.
using bound_value = std::variant<std::int64_t, double, std::string>;

enum class placeholder_style {
    question_mark,   ///< SQLite: ?, bound in order
    dollar_number,   ///< PostgreSQL: $1, $2, ...
};

/// A system attribute's column: its value, and for an attribute some runs lack (an open run's
/// CloseTime) the condition that the run has one, so predicates never see the placeholder value
/// (0, '') and a comparison on a run without a value is false, never NULL.
struct system_column {
    std::string value{};     ///< times in µs since 1970, durations in ns, the status as a workflow_status
    std::string present{};   ///< empty: every run has a value
};

/// Where each attribute lives. Every string is SQL text written by perdure, never by a user.
struct column_map {
    /// By system_attribute, over the executions row.
    std::array<system_column, system_attribute_count> system{};
    /// The executions row's key, which the values table's run_key refers to.
    std::string run_key{};
    /// The table of custom attribute values (the schema above).
    std::string values_table{};
};

/// The mapping onto the schema above, with the executions table as `e`.
column_map default_column_map();

struct sql_options {
    placeholder_style placeholders = placeholder_style::question_mark;
    /// The number of the first placeholder with dollar_number (what the caller binds before).
    std::size_t first_placeholder = 1;
    /// The namespace whose custom attribute values the query reads (bound, never spliced).
    std::int64_t namespace_id = 0;
};

/// How a sort key's column reads back.
enum class key_kind { integer, floating, text };

/// One term of a query's order: an expression over the executions row `e` and its direction.
struct sort_key {
    std::string expr;
    key_kind kind;
    bool descending;
    bool nulls_first;
};

/// The order of `q`'s runs, ending with the run key as a tie-break so pages are stable; without
/// ORDER BY, Temporal's default (open runs first, then by close and start time, latest first).
/// `param` binds a value and returns its placeholder.
std::vector<sort_key> sort_keys(const visibility_query& q, const column_map& columns, std::int64_t namespace_id,
                                const std::function<std::string(bound_value)>& param);

/// SQL pieces and their parameters, in the order where_sql, order_by_sql, group_by_sql.
struct sql_filter {
    std::string where_sql{};      ///< a condition; "TRUE" for a query without a filter
    std::string order_by_sql{};   ///< without the ORDER BY keywords; ends with the run key as a tie-break
    std::string group_by_sql{};   ///< without GROUP BY; empty unless the query groups
    std::vector<bound_value> params{};
    /// How many of `params` where_sql takes (the first ones); the rest are order_by_sql's.
    std::size_t where_params = 0;
};

/// Translates a parsed query. Pure: never fails for a query parse_query returned.
sql_filter to_sql(const visibility_query& q, const column_map& columns, const sql_options& options = {});

/// A Text value as it is stored and matched: its words (runs of ASCII letters and digits, and
/// of non-ASCII bytes), ASCII-lowercased, each with one space before and after (" my id 42 ").
/// Text = 'x y' then matches a run whose value holds the word x or the word y.
std::string text_index_form(std::string_view text);

}   // namespace perdure::detail
