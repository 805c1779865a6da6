// The statements behind client::list(query) and client::count(query), for both stores: a page
// of a query's runs in its order, resumed after the sort keys of the previous page's last run
// (keyset pagination, so runs added meanwhile never shift a page), and the query's counts.
#pragma once

#include "store/rows.hpp"
#include "store/visibility_sql.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace perdure::detail {

struct visibility_statement {
    std::string sql;
    std::vector<bound_value> params;   ///< in the order their placeholders appear
    /// The page's sort key columns, after PERDURE_EXECUTION_COLUMNS (empty for counts).
    std::vector<key_kind> keys;
};

/// The columns visibility queries read, for a store's SQL dialect: the default column map, with
/// HistoryLength and HistorySizeBytes read from the history while a run is open (they are
/// written once, when it closes).
column_map visibility_columns(placeholder_style);

/// How many sort keys a page of `q` has (what a page token must carry).
std::size_t sort_key_count(const visibility_query& q);

/// Up to `limit` runs of namespace `ns_id` matching `q`, in its order, after the run whose sort
/// keys are `after` (empty: from the first).
visibility_statement page_statement(const visibility_query& q, std::int64_t ns_id, const std::vector<sort_value>& after,
                                    std::size_t limit, placeholder_style);

/// The number of runs matching `q`: one row, or one row per status (status, count) when `by_status`.
visibility_statement count_statement(const visibility_query& q, std::int64_t ns_id, bool by_status, placeholder_style);

}   // namespace perdure::detail
