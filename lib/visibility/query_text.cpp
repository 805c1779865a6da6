// A query printed back as text the parser reads into an equal query (the fuzz target's
// round-trip oracle, and what error reports can quote).
#include "visibility/query.hpp"

#include "visibility/lexer.hpp"

#include <charconv>
#include <cmath>

namespace perdure::detail {
namespace {

bool bare_name(std::string_view s) {
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (s.empty() || !alpha(s.front())) return false;
    std::string upper;
    for (char c : s) {
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
        upper += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return !is_keyword(upper);
}

void name(std::string& out, const attribute_ref& a) {
    if (bare_name(a.name)) {
        out += a.name;
        return;
    }
    out += '`';
    for (char c : a.name) out += c == '`' ? std::string("``") : std::string(1, c);
    out += '`';
}

void quoted(std::string& out, std::string_view s) {
    out += '\'';
    for (char c : s) {
        switch (c) {
        case '\'': out += "\\'"; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    out += '\'';
}

void value(std::string& out, const attribute_ref& a, const typed_value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return quoted(out, *s);
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        if (a.system == system_attribute::execution_status && *i >= 0 && *i < 7)
            return quoted(out, execution_status_names()[static_cast<std::size_t>(*i)]);
        out += std::to_string(*i);
        return;
    }
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[40];
        const auto r = std::to_chars(buf, buf + sizeof buf, *d);
        std::string text(buf, r.ptr);
        // Read back as a number, not an integer (a Double attribute takes both alike).
        if (text.find_first_of(".e") == std::string::npos) text += ".0";
        out += text;
        return;
    }
    if (const auto* b = std::get_if<bool>(&v)) {
        out += *b ? "true" : "false";
        return;
    }
    quoted(out, format_rfc3339(std::get<sys_nanoseconds>(v)));
}

constexpr std::string_view op_text(compare_op op) {
    switch (op) {
    case compare_op::eq: return " = ";
    case compare_op::ne: return " != ";
    case compare_op::lt: return " < ";
    case compare_op::le: return " <= ";
    case compare_op::gt: return " > ";
    case compare_op::ge: return " >= ";
    }
    return " = ";
}

void node(std::string& out, const visibility_query& q, std::size_t index);

void operand(std::string& out, const visibility_query& q, std::size_t index) {
    const auto kind = q.nodes[index].kind;
    const bool compound = kind == node_kind::all_of || kind == node_kind::any_of;
    if (compound) out += '(';
    node(out, q, index);
    if (compound) out += ')';
}

void node(std::string& out, const visibility_query& q, std::size_t index) {
    const filter_node& n = q.nodes[index];
    const std::string_view negated = n.negated ? " NOT" : "";
    switch (n.kind) {
    case node_kind::all_of:
    case node_kind::any_of:
        for (std::size_t i = 0; i < n.children.size(); ++i) {
            if (i) out += n.kind == node_kind::all_of ? " AND " : " OR ";
            operand(out, q, n.children[i]);
        }
        return;
    case node_kind::negation:
        out += "NOT ";
        operand(out, q, n.children.front());
        return;
    default: break;
    }
    name(out, n.attr);
    switch (n.kind) {
    case node_kind::compare:
        out += op_text(n.op);
        value(out, n.attr, n.values.front());
        break;
    case node_kind::in:
        out += negated;
        out += " IN (";
        for (std::size_t i = 0; i < n.values.size(); ++i) {
            if (i) out += ", ";
            value(out, n.attr, n.values[i]);
        }
        out += ')';
        break;
    case node_kind::between:
        out += negated;
        out += " BETWEEN ";
        value(out, n.attr, n.values[0]);
        out += " AND ";
        value(out, n.attr, n.values[1]);
        break;
    case node_kind::starts_with:
        out += negated;
        out += " STARTS_WITH ";
        value(out, n.attr, n.values.front());
        break;
    default: out += n.negated ? " IS NOT NULL" : " IS NULL"; break;
    }
}

}   // namespace

std::string to_text(const visibility_query& q) {
    std::string out;
    if (q.root) node(out, q, *q.root);
    if (!q.order_by.empty()) {
        out += out.empty() ? "ORDER BY " : " ORDER BY ";
        for (std::size_t i = 0; i < q.order_by.size(); ++i) {
            if (i) out += ", ";
            name(out, q.order_by[i].attr);
            if (q.order_by[i].descending) out += " DESC";
        }
    }
    if (q.group_by) {
        out += out.empty() ? "GROUP BY " : " GROUP BY ";
        name(out, *q.group_by);
    }
    return out;
}

}   // namespace perdure::detail
