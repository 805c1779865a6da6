// A parsed, type-checked visibility query: the filter as a tree of predicates over resolved
// search attributes whose values already have their attribute's type, then ORDER BY or
// GROUP BY. Nodes live in one vector and name their children by index, so a deep or long
// query is destroyed and compared without recursion.
#pragma once

#include "visibility/literals.hpp"
#include "visibility/system_attributes.hpp"

#include <perdure/search_attributes.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace perdure::detail {

/// The custom search attributes of a namespace, by name.
using attribute_types = std::map<std::string, search_attribute_type, std::less<>>;

/// A search attribute a query names, resolved against the system table and the namespace's
/// custom attributes.
struct attribute_ref {
    std::string name{};
    search_attribute_type type{};
    std::optional<system_attribute> system{};   ///< empty for a custom attribute
    bool operator==(const attribute_ref&) const = default;
};

/// A value converted to its attribute's type: std::string for Keyword, Text and KeywordList;
/// std::int64_t for Int (ExecutionDuration in nanoseconds) and for ExecutionStatus (a
/// workflow_status); double for Double; bool for Bool; a time for Datetime.
using typed_value = std::variant<std::string, std::int64_t, double, bool, sys_nanoseconds>;

enum class compare_op { eq, ne, lt, le, gt, ge };

enum class node_kind {
    compare,       ///< attr op values[0]
    in,            ///< attr [NOT] IN (values...)
    between,       ///< attr [NOT] BETWEEN values[0] AND values[1]
    starts_with,   ///< attr [NOT] STARTS_WITH values[0]
    is_null,       ///< attr IS [NOT] NULL
    all_of,        ///< children joined by AND (two or more)
    any_of,        ///< children joined by OR (two or more)
    negation,      ///< NOT children[0]
};

struct filter_node {
    node_kind kind{};
    attribute_ref attr{};
    compare_op op{};
    bool negated = false;
    std::vector<typed_value> values{};
    std::vector<std::size_t> children{};
    bool operator==(const filter_node&) const = default;
};

struct order_item {
    attribute_ref attr{};
    bool descending = false;
    bool operator==(const order_item&) const = default;
};

struct visibility_query {
    std::vector<filter_node> nodes{};    ///< children before their parents
    std::optional<std::size_t> root{};   ///< empty: no filter
    std::vector<order_item> order_by{};
    std::optional<attribute_ref> group_by{};   ///< only ExecutionStatus, for counts
    bool operator==(const visibility_query&) const = default;
};

/// The query as text the parser reads back into an equal query: names backquoted where they
/// need it, strings quoted and escaped, times in RFC 3339, compound operands parenthesized.
std::string to_text(const visibility_query&);

}   // namespace perdure::detail
