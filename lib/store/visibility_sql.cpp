// The SQL translation. Each predicate becomes a condition on a column; a system attribute's
// column is in the executions row, a custom attribute's values are rows of the values table
// reached by `run_key IN (SELECT ...)`, which SQLite answers from the (ns_id, name, value,
// run_key) index before it touches the executions table.
#include "store/visibility_sql.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

using sa = system_attribute;

std::int64_t floor_micros(sys_nanoseconds t) {
    const auto ns = t.time_since_epoch().count();
    return ns / 1000 - (ns % 1000 < 0 ? 1 : 0);
}
std::int64_t ceil_micros(sys_nanoseconds t) {
    const auto ns = t.time_since_epoch().count();
    return ns / 1000 + (ns % 1000 > 0 ? 1 : 0);
}
bool whole_micros(sys_nanoseconds t) { return t.time_since_epoch().count() % 1000 == 0; }

std::string_view typed_column(search_attribute_type t) {
    switch (t) {
    case search_attribute_type::integer:
    case search_attribute_type::boolean:
    case search_attribute_type::datetime: return "v.int_value";
    case search_attribute_type::floating: return "v.double_value";
    default: return "v.text_value";
    }
}

/// How a sort key on an attribute of type `t` reads back.
key_kind key_kind_of(search_attribute_type t) {
    switch (t) {
    case search_attribute_type::floating: return key_kind::floating;
    case search_attribute_type::keyword:
    case search_attribute_type::text:
    case search_attribute_type::keyword_list: return key_kind::text;
    default: return key_kind::integer;
    }
}

std::string_view sql_op(compare_op op) {
    switch (op) {
    case compare_op::eq: return " = ";
    case compare_op::ne: return " <> ";
    case compare_op::lt: return " < ";
    case compare_op::le: return " <= ";
    case compare_op::gt: return " > ";
    case compare_op::ge: return " >= ";
    }
    return " = ";
}

/// The prefix's successor in byte order: a string greater than every string starting with it
/// and not greater than any other; empty when there is none (a prefix of only 0xFF bytes).
std::string prefix_successor(std::string prefix) {
    while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
    if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
    return prefix;
}

std::string like_escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

/// The words of a Text value (what text_index_form joins), for matching one by one.
std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        const bool word_char = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || b >= 0x80;
        if (word_char) {
            word += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

class translator {
public:
    translator(const column_map& columns, const sql_options& options) : columns_(columns), options_(options) {}

    sql_filter run(const visibility_query& q) {
        out_.where_sql = q.root ? node(q, *q.root) : "TRUE";
        out_.where_params = out_.params.size();
        out_.order_by_sql = order_by(q);
        if (q.group_by) out_.group_by_sql = columns_.system[static_cast<std::size_t>(sa::execution_status)].value;
        return std::move(out_);
    }

private:
    std::string param(bound_value v) {
        out_.params.push_back(std::move(v));
        if (options_.placeholders == placeholder_style::question_mark) return "?";
        return "$" + std::to_string(options_.first_placeholder + out_.params.size() - 1);
    }

    /// A value as the column holds it; a time rounded to µs as `round_up` says.
    std::string value(const typed_value& v, bool round_up = false) {
        if (const auto* s = std::get_if<std::string>(&v)) return param(*s);
        if (const auto* i = std::get_if<std::int64_t>(&v)) return param(*i);
        if (const auto* d = std::get_if<double>(&v)) return param(*d);
        if (const auto* b = std::get_if<bool>(&v)) return param(std::int64_t{*b ? 1 : 0});
        const auto t = std::get<sys_nanoseconds>(v);
        return param(round_up ? ceil_micros(t) : floor_micros(t));
    }

    /// The node's condition, negated when `negate`. A negation is pushed down to the conditions
    /// (NOT (a AND b) is NOT a OR NOT b, in SQL's three-valued logic too), so NOTs never nest in
    /// the SQL: SQLite's parser has a stack of 100 entries.
    std::string node(const visibility_query& q, std::size_t index, bool negate = false) {
        const filter_node& n = q.nodes[index];
        switch (n.kind) {
        case node_kind::all_of:
        case node_kind::any_of: {
            const bool all = (n.kind == node_kind::all_of) != negate;
            std::string sql = "(";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i) sql += all ? " AND " : " OR ";
                sql += node(q, n.children[i], negate);
            }
            return sql + ")";
        }
        case node_kind::negation: return node(q, n.children.front(), !negate);
        default: {
            auto sql = n.attr.system ? system_predicate(n) : custom_predicate(n);
            return negate ? "(NOT " + sql + ")" : sql;
        }
        }
    }

    std::string system_predicate(const filter_node& n) {
        const system_column& c = columns_.system[static_cast<std::size_t>(*n.attr.system)];
        if (n.kind == node_kind::is_null) {
            if (c.present.empty()) return n.negated ? "TRUE" : "FALSE";
            return n.negated ? "(" + c.present + ")" : "(NOT (" + c.present + "))";
        }
        const std::string cond = condition(c.value, n);
        return c.present.empty() ? cond : "(" + c.present + " AND " + cond + ")";
    }

    /// The condition a predicate puts on one value in `column` (is_null excepted).
    std::string condition(const std::string& column, const filter_node& n) {
        const bool times = n.attr.type == search_attribute_type::datetime;
        switch (n.kind) {
        case node_kind::compare: {
            const auto& v = n.values.front();
            if (times && !whole_micros(std::get<sys_nanoseconds>(v))) {
                // No stored µs equals a time between two µs; the order operators round to match.
                if (n.op == compare_op::eq) return "FALSE";
                if (n.op == compare_op::ne) return "(" + column + " IS NOT NULL)";
            }
            const bool up = n.op == compare_op::ge || n.op == compare_op::lt;
            return "(" + column + std::string(sql_op(n.op)) + value(v, up) + ")";
        }
        case node_kind::in: {
            std::string list;
            for (const auto& v : n.values) {
                if (times && !whole_micros(std::get<sys_nanoseconds>(v))) continue;
                list += (list.empty() ? "" : ", ") + value(v);
            }
            if (list.empty()) return n.negated ? "(" + column + " IS NOT NULL)" : "FALSE";
            return "(" + column + (n.negated ? " NOT IN (" : " IN (") + list + "))";
        }
        case node_kind::between: {
            const auto low = value(n.values[0], true);
            const auto high = value(n.values[1], false);
            return "(" + column + (n.negated ? " NOT BETWEEN " : " BETWEEN ") + low + " AND " + high + ")";
        }
        default: return prefix_condition(column, n);
        }
    }

    std::string prefix_condition(const std::string& column, const filter_node& n) {
        const auto& prefix = std::get<std::string>(n.values.front());
        if (options_.placeholders == placeholder_style::dollar_number) {   // PostgreSQL: collations break byte ranges
            return "(" + column + (n.negated ? " NOT LIKE " : " LIKE ") + param(like_escaped(prefix) + "%") +
                   " ESCAPE '\\')";
        }
        // SQLite: a byte range, case-sensitive (LIKE is not) and served by the index.
        const std::string upper = prefix_successor(prefix);
        if (n.negated) {
            const std::string below = "(" + column + " < " + param(prefix) + ")";
            return upper.empty() ? below : "(" + below + " OR " + column + " >= " + param(upper) + ")";
        }
        const std::string from = "(" + column + " >= " + param(prefix);
        return upper.empty() ? from + ")" : from + " AND " + column + " < " + param(upper) + ")";
    }

    /// `v.ns_id = ? AND v.name = ?` for the custom attribute `a`. Parameters are appended in
    /// the order their placeholders appear, so each is added in its own statement.
    std::string attribute_key(const attribute_ref& a) {
        std::string sql = "v.ns_id = ";
        sql += param(options_.namespace_id);
        sql += " AND v.name = ";
        sql += param(a.name);
        return sql;
    }

    /// The runs with a value for the custom attribute `a` that meets `where()` (a condition on
    /// `v`, made after the key so that its parameters follow the key's).
    template <class Where>
    std::string runs_with(const attribute_ref& a, Where where) {
        std::string sql = columns_.run_key + " IN (SELECT v.run_key FROM " + columns_.values_table + " v WHERE ";
        sql += attribute_key(a);
        const std::string condition = where();
        return sql + (condition.empty() ? "" : " AND " + condition) + ")";
    }

    std::string runs_with(const attribute_ref& a) {
        return runs_with(a, [] { return std::string(); });
    }

    /// The runs with a value for `a` and none meeting `where()`: negation over a run's values.
    template <class Where>
    std::string runs_without(const attribute_ref& a, Where where) {
        const std::string has = runs_with(a);
        const std::string matching = runs_with(a, where);
        return "(" + has + " AND NOT " + matching + ")";
    }

    std::string custom_predicate(const filter_node& n) {
        const std::string column(typed_column(n.attr.type));
        if (n.kind == node_kind::is_null) return n.negated ? runs_with(n.attr) : "(NOT " + runs_with(n.attr) + ")";
        if (n.attr.type == search_attribute_type::text) return text_predicate(n);
        if (n.attr.type == search_attribute_type::keyword_list) {
            // = and IN: the list holds the value (one of them); != and NOT IN: it holds none.
            const bool negative = n.kind == node_kind::in ? n.negated : n.op == compare_op::ne;
            filter_node positive = n;
            positive.negated = false;
            positive.op = compare_op::eq;
            if (negative) return runs_without(n.attr, [&] { return condition(column, positive); });
            return runs_with(n.attr, [&] { return condition(column, positive); });
        }
        return runs_with(n.attr, [&] { return condition(column, n); });
    }

    /// Text = 'a b': the value holds the word a or the word b (Temporal's match on analyzed text).
    std::string text_predicate(const filter_node& n) {
        const auto ws = words(std::get<std::string>(n.values.front()));
        const auto any_word = [&] {
            std::string sql = "(";
            for (std::size_t i = 0; i < ws.size(); ++i)
                sql += (i ? " OR " : "") + std::string("v.text_value LIKE ") +
                       param("% " + like_escaped(ws[i]) + " %") + " ESCAPE '\\'";
            return sql + ")";
        };
        if (n.op == compare_op::ne) return ws.empty() ? runs_with(n.attr) : runs_without(n.attr, any_word);
        return ws.empty() ? "FALSE" : runs_with(n.attr, any_word);
    }

    std::string order_by(const visibility_query& q) {
        std::string sql;
        for (const auto& key :
             sort_keys(q, columns_, options_.namespace_id, [this](bound_value v) { return param(std::move(v)); })) {
            sql += (sql.empty() ? "" : ", ") + key.expr + (key.descending ? " DESC" : " ASC");
            sql += key.nulls_first ? " NULLS FIRST" : " NULLS LAST";
        }
        return sql;
    }

    const column_map& columns_;
    const sql_options& options_;
    sql_filter out_;
};

}   // namespace

column_map default_column_map() {
    column_map m{.run_key = "e.run_key", .values_table = "search_attribute_values"};
    const auto set = [&](sa a, std::string value, std::string present = {}) {
        m.system[static_cast<std::size_t>(a)] = {std::move(value), std::move(present)};
    };
    set(sa::workflow_id, "e.workflow_id");
    set(sa::run_id, "e.run_id");
    set(sa::workflow_type, "e.workflow_type");
    set(sa::task_queue, "e.task_queue");
    set(sa::execution_status, "e.status");
    set(sa::start_time, "e.start_time");
    set(sa::execution_time, "e.execution_time");
    set(sa::close_time, "e.close_time", "e.close_time <> 0");
    set(sa::execution_duration, "((e.close_time - e.execution_time) * 1000)", "e.close_time <> 0");
    set(sa::history_length, "e.history_length");
    set(sa::history_size_bytes, "e.history_size_bytes");
    set(sa::parent_workflow_id, "e.parent_workflow_id", "e.parent_workflow_id IS NOT NULL");
    set(sa::parent_run_id, "e.parent_run_id", "e.parent_run_id IS NOT NULL");
    set(sa::root_workflow_id, "e.root_workflow_id");
    set(sa::root_run_id, "e.root_run_id");
    return m;
}

std::vector<sort_key> sort_keys(const visibility_query& q, const column_map& columns, std::int64_t namespace_id,
                                const std::function<std::string(bound_value)>& param) {
    const auto& cols = columns.system;
    std::vector<sort_key> keys;
    if (q.order_by.empty()) {
        const auto& close = cols[static_cast<std::size_t>(sa::close_time)];
        keys.push_back({"CASE WHEN " + close.present + " THEN " + close.value + " END", key_kind::integer, true, true});
        keys.push_back({cols[static_cast<std::size_t>(sa::start_time)].value, key_kind::integer, true, false});
    }
    for (const auto& item : q.order_by) {
        std::string expr;
        if (item.attr.system) {
            const auto& c = cols[static_cast<std::size_t>(*item.attr.system)];
            expr = c.present.empty() ? c.value : "CASE WHEN " + c.present + " THEN " + c.value + " END";
        } else {   // parameters in the order their placeholders are written
            expr = "(SELECT " + std::string(typed_column(item.attr.type)) + " FROM " + columns.values_table +
                   " v WHERE v.ns_id = ";
            expr += param(namespace_id);
            expr += " AND v.name = ";
            expr += param(item.attr.name);
            expr += " AND v.run_key = " + columns.run_key + ")";
        }
        keys.push_back({std::move(expr), key_kind_of(item.attr.type), item.descending, false});
    }
    keys.push_back({columns.run_key, key_kind::integer, true, false});
    return keys;
}

sql_filter to_sql(const visibility_query& q, const column_map& columns, const sql_options& options) {
    return translator(columns, options).run(q);
}

std::string text_index_form(std::string_view text) {
    std::string out = " ";
    for (const auto& w : words(text)) out += w + " ";
    return out;
}

}   // namespace perdure::detail
