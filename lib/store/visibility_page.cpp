// Page and count statements over visibility_sql's translation. The sort keys are computed once
// per run in an inner query and named there, so the keyset condition and the ORDER BY refer to
// them by name and never repeat an expression (or its parameters).
#include "store/visibility_page.hpp"

#include "store/stored_rows.hpp"

namespace perdure::detail {
namespace {

using sa = system_attribute;

/// True when a node selects only runs that have a value of a custom attribute (so the values
/// index can find them): a custom predicate other than IS NULL.
bool custom_positive(const filter_node& n) {
    if (n.attr.system) return false;
    switch (n.kind) {
    case node_kind::compare:
    case node_kind::in:
    case node_kind::between:
    case node_kind::starts_with: return true;
    case node_kind::is_null: return n.negated;
    default: return false;
    }
}

/// True when the query's filter requires such a node: it is the filter, or one of its ANDed terms.
bool led_by_values(const visibility_query& q) {
    if (!q.root) return false;
    const auto& root = q.nodes[*q.root];
    if (root.kind != node_kind::all_of) return custom_positive(root);
    for (const auto child : root.children)
        if (custom_positive(q.nodes[child])) return true;
    return false;
}

/// Parameters in the order their placeholders are written.
class statement_builder {
public:
    explicit statement_builder(placeholder_style style) : style_(style) {}

    std::string param(bound_value v) {
        out_.params.push_back(std::move(v));
        if (style_ == placeholder_style::question_mark) return "?";
        return "$" + std::to_string(out_.params.size());
    }
    /// The filter of `q` in namespace `ns_id`, its parameters appended.
    std::string where(const visibility_query& q, std::int64_t ns_id, const column_map& columns) {
        // SQLite, without statistics, prefers any index on ns_id to the run keys a custom
        // attribute's values give, and would read every run of the namespace to check them; the
        // unary + takes ns_id out of the index choice when the values can lead.
        const bool values_lead = style_ == placeholder_style::question_mark && led_by_values(q);
        std::string sql = (values_lead ? "+e.ns_id = " : "e.ns_id = ") + param(ns_id);
        auto filter = to_sql(
            q, columns, {.placeholders = style_, .first_placeholder = out_.params.size() + 1, .namespace_id = ns_id});
        for (std::size_t i = 0; i < filter.where_params; ++i) out_.params.push_back(std::move(filter.params[i]));
        return sql + " AND " + filter.where_sql;
    }
    visibility_statement& out() { return out_; }
    placeholder_style style() const { return style_; }

private:
    placeholder_style style_;
    visibility_statement out_;
};

/// A page token's key as the value it binds (a NULL key is compared with IS NULL, never bound).
bound_value bound(const sort_value& key) {
    return std::visit(
        [](const auto& v) -> bound_value {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
                return std::int64_t{0};
            else
                return v;
        },
        key);
}

/// Runs that sort strictly after the run whose keys are `after`: for some key i, every key
/// before i is equal and key i comes later, NULLs placed as the key's order places them.
std::string after_condition(const std::vector<sort_key>& keys, const std::vector<sort_value>& after,
                            statement_builder& b) {
    std::string any;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const bool after_null = std::holds_alternative<std::monostate>(after[i]);
        // NULLs last: nothing sorts after a NULL but ties. Decided before any parameter of this
        // term is bound, since a bound parameter must appear in the statement.
        if (after_null && !keys[i].nulls_first) continue;
        std::string all;
        for (std::size_t j = 0; j < i; ++j) {
            const std::string k = "k" + std::to_string(j);
            if (std::holds_alternative<std::monostate>(after[j])) {
                all += k + " IS NULL AND ";
            } else {
                all += k + " = ";
                all += b.param(bound(after[j]));
                all += " AND ";
            }
        }
        const std::string k = "k" + std::to_string(i);
        const auto& key = keys[i];
        std::string later;
        if (after_null) {
            later = k + " IS NOT NULL";
        } else {
            later = "(" + k + (key.descending ? " < " : " > ") + b.param(bound(after[i]));
            later += key.nulls_first ? ")" : " OR " + k + " IS NULL)";
        }
        any += (any.empty() ? "(" : " OR (") + all + later + ")";
    }
    return any.empty() ? "FALSE" : any;
}

}   // namespace

column_map visibility_columns(placeholder_style style) {
    auto m = default_column_map();
    const std::string bytes =
        style == placeholder_style::dollar_number ? "octet_length(h.attrs)" : "length(CAST(h.attrs AS BLOB))";
    m.system[static_cast<std::size_t>(sa::history_length)].value =
        "(CASE WHEN e.status = 0 THEN (SELECT COALESCE(MAX(h.event_id), 0) FROM history h WHERE h.run_key = "
        "e.run_key) ELSE e.history_length END)";
    m.system[static_cast<std::size_t>(sa::history_size_bytes)].value =
        "(CASE WHEN e.status = 0 THEN (SELECT COALESCE(SUM(" + bytes +
        "), 0) FROM history h WHERE h.run_key = e.run_key) ELSE e.history_size_bytes END)";
    return m;
}

std::size_t sort_key_count(const visibility_query& q) { return q.order_by.empty() ? 3 : q.order_by.size() + 1; }

visibility_statement page_statement(const visibility_query& q, std::int64_t ns_id, const std::vector<sort_value>& after,
                                    std::size_t limit, placeholder_style style) {
    const auto columns = visibility_columns(style);
    statement_builder b(style);
    const auto keys = sort_keys(q, columns, ns_id, [&b](bound_value v) { return b.param(std::move(v)); });
    std::string inner = "SELECT e.*";
    for (std::size_t i = 0; i < keys.size(); ++i) inner += ", " + keys[i].expr + " AS k" + std::to_string(i);
    inner += " FROM executions e WHERE " + b.where(q, ns_id, columns);
    std::string sql = "SELECT " PERDURE_EXECUTION_COLUMNS;
    for (std::size_t i = 0; i < keys.size(); ++i) sql += ", k" + std::to_string(i);
    sql += " FROM (" + inner + ") e";
    if (!after.empty()) sql += " WHERE " + after_condition(keys, after, b);
    sql += " ORDER BY ";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        sql += (i ? ", k" : "k") + std::to_string(i) + (keys[i].descending ? " DESC" : " ASC");
        sql += keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    sql += " LIMIT " + b.param(static_cast<std::int64_t>(limit));
    auto& out = b.out();
    out.sql = std::move(sql);
    for (const auto& k : keys) out.keys.push_back(k.kind);
    return std::move(out);
}

visibility_statement count_statement(const visibility_query& q, std::int64_t ns_id, bool by_status,
                                     placeholder_style style) {
    const auto columns = visibility_columns(style);
    statement_builder b(style);
    const std::string where = b.where(q, ns_id, columns);
    auto& out = b.out();
    out.sql = by_status ? "SELECT e.status, count(*) FROM executions e WHERE " + where +
                              " GROUP BY e.status ORDER BY e.status"
                        : "SELECT count(*) FROM executions e WHERE " + where;
    return std::move(out);
}

}   // namespace perdure::detail
