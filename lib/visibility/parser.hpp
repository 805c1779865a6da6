// The visibility query's recursive-descent parser: Temporal's list filter (comparisons, IN,
// BETWEEN, STARTS_WITH, IS NULL, AND/OR/NOT and parentheses) followed by ORDER BY or, for
// counts, GROUP BY ExecutionStatus. Type-checked as it goes, so what it returns is typed.
#pragma once

#include "visibility/query.hpp"

#include <cstddef>
#include <string_view>

namespace perdure::detail {

/// Bounds that keep a query's parse, its SQL and SQLite's own limits in reach.
struct query_limits {
    std::size_t max_depth = 100;   ///< nested parentheses and NOTs
    /// AND and OR groups within one another: SQLite's parser (a stack of 100 entries in 3.40)
    /// overflowed at 20 with the deepest conditions; NOTs cost none, the SQL pushes them down.
    std::size_t max_groups = 16;
    std::size_t max_order_by = 8;       ///< attributes of an ORDER BY (a page's keyset grows as their square)
    std::size_t max_predicates = 500;   ///< SQLite's expression depth (1000) bounds an OR chain
    std::size_t max_values = 5000;      ///< literals in all (each is a bound parameter)
};

/// Parses and type-checks `text` against the system attributes and `custom`. An empty (or
/// blank) query has no filter. Throws invalid_argument with the offending token's column.
visibility_query parse_query(std::string_view text, const attribute_types& custom, const query_limits& limits = {});

}   // namespace perdure::detail
