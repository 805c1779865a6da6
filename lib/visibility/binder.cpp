// Name resolution and type rules of the visibility query, as Temporal's SQL visibility applies
// them: Text takes only = and !=, KeywordList = (contains), != and IN, ranges need an ordered
// type, STARTS_WITH a Keyword, ExecutionStatus its status names.
#include "visibility/binder.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace perdure::detail {
namespace {

constexpr std::size_t max_text_words = 32;
constexpr std::size_t max_suggested_name = 128;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string at(const token& t) { return " at column " + std::to_string(t.column); }

std::string shown_name(std::string_view name) {
    return "'" + std::string(name.substr(0, 64)) + (name.size() > 64 ? "..." : "") + "'";
}

/// A status name with case, underscores and Temporal's enum prefix ignored.
std::string status_key(std::string_view s) {
    std::string key;
    for (char c : s)
        if (c != '_') key += lower(c);
    constexpr std::string_view prefix = "workflowexecutionstatus";
    if (key.starts_with(prefix)) key.erase(0, prefix.size());
    return key;
}

std::string_view type_name(const attribute_ref& a) {
    return a.system == system_attribute::execution_duration ? "Int (nanoseconds)" : to_string(a.type);
}

std::string_view literal_kind(const token& t) {
    switch (t.kind) {
    case token_kind::string: return "a string";
    case token_kind::integer:
    case token_kind::number: return "a number";
    default: return t.text == "NULL" ? "not a value (use IS NULL)" : "a boolean";
    }
}

[[noreturn]] void mismatch(const attribute_ref& a, const token& t, std::string_view what) {
    throw invalid_argument(a.name + " is " + std::string(type_name(a)) + "; " + describe(t) + at(t) + " is " +
                           std::string(what));
}

std::string_view uses_of(const attribute_ref& a) {
    if (a.system == system_attribute::execution_status) return "=, !=, IN and IS NULL";
    switch (a.type) {
    case search_attribute_type::keyword: return "=, !=, <, <=, >, >=, IN, BETWEEN, STARTS_WITH and IS NULL";
    case search_attribute_type::text: return "= and != (a word match) and IS NULL";
    case search_attribute_type::boolean: return "=, !=, IN and IS NULL";
    case search_attribute_type::keyword_list: return "= (contains), !=, IN and IS NULL";
    default: return "=, !=, <, <=, >, >=, IN, BETWEEN and IS NULL";
    }
}

bool allowed(const attribute_ref& a, attribute_use use) {
    using enum attribute_use;
    if (use == equality || use == null_check) return true;
    if (use == group_by) return a.system == system_attribute::execution_status;
    if (a.system == system_attribute::execution_status) return use == in_list || use == order_by;
    switch (a.type) {
    case search_attribute_type::keyword: return true;
    case search_attribute_type::text: return false;
    case search_attribute_type::boolean: return use == in_list || use == order_by;
    case search_attribute_type::keyword_list: return use == in_list;
    default: return use != prefix;
    }
}

std::int64_t integer_literal(const attribute_ref& a, const token& t) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc{} || end != t.text.data() + t.text.size()) mismatch(a, t, "out of range");
    return v;
}

typed_value status_value(const attribute_ref& a, const token& t) {
    if (t.kind == token_kind::integer) {   // Temporal's enum numbers: 1 Running ... 7 TimedOut
        const auto v = integer_literal(a, t);
        if (v >= 1 && v <= 7) return std::int64_t{v - 1};
    } else if (t.kind == token_kind::string) {
        const auto key = status_key(t.text);
        const auto names = execution_status_names();
        for (std::size_t i = 0; i < names.size(); ++i)
            if (status_key(names[i]) == key) return static_cast<std::int64_t>(i);
    }
    std::string message =
        "ExecutionStatus is one of Running, Completed, Failed, Canceled, Terminated, "
        "ContinuedAsNew, TimedOut; " +
        describe(t) + at(t) + " is not";
    if (t.kind == token_kind::string && t.text.size() <= max_suggested_name) {
        for (auto name : execution_status_names())
            if (edit_distance(name, t.text) <= 2) {
                message += " (did you mean '" + std::string(name) + "'?)";
                break;
            }
    }
    throw invalid_argument(message);
}

}   // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

attribute_ref binder::resolve(const token& name) const {
    if (const auto* s = find_system_attribute(name.text)) return {std::string(s->name), s->type, s->id};
    if (auto it = custom_.find(name.text); it != custom_.end()) return {it->first, it->second, std::nullopt};
    if (const char* why = unsupported_temporal_attribute(name.text))
        throw invalid_argument("search attribute " + shown_name(name.text) + at(name) + " is not available: " + why);
    std::string message = "unknown search attribute " + shown_name(name.text) + at(name);
    if (name.text.size() <= max_suggested_name) {
        std::string_view best;
        std::size_t best_distance = std::min<std::size_t>(3, std::max<std::size_t>(1, name.text.size() / 3)) + 1;
        const auto consider = [&](std::string_view candidate) {
            const auto d = edit_distance(name.text, candidate);
            if (d < best_distance) best = candidate, best_distance = d;
        };
        for (const auto& s : system_attributes()) consider(s.name);
        for (const auto& [custom, type] : custom_) consider(custom);
        if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
    }
    throw invalid_argument(message);
}

void binder::check_use(const attribute_ref& attr, attribute_use use, const token& op) const {
    if (allowed(attr, use)) return;
    if (use == attribute_use::group_by)
        throw invalid_argument("GROUP BY" + at(op) + " supports only ExecutionStatus, not " + attr.name);
    if (use == attribute_use::order_by)
        throw invalid_argument("ORDER BY" + at(op) + " cannot sort by " + attr.name + ", a " +
                               std::string(to_string(attr.type)) + " attribute");
    throw invalid_argument("operator " + op.text + at(op) + " does not apply to " + attr.name + ", a " +
                           std::string(type_name(attr)) + " attribute (it takes " + std::string(uses_of(attr)) + ")");
}

typed_value binder::value(const attribute_ref& a, const token& t) const {
    if (t.kind == token_kind::keyword && t.text == "NULL") mismatch(a, t, literal_kind(t));
    if (a.system == system_attribute::execution_status) return status_value(a, t);
    const bool is_string = t.kind == token_kind::string;
    const bool is_number = t.kind == token_kind::integer || t.kind == token_kind::number;
    switch (a.type) {
    case search_attribute_type::keyword:
    case search_attribute_type::keyword_list:
        if (!is_string) mismatch(a, t, literal_kind(t));
        return t.text;
    case search_attribute_type::text: {
        if (!is_string) mismatch(a, t, literal_kind(t));
        std::size_t words = 0;
        bool in_word = false;
        for (char c : t.text) {
            const bool word_char = std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
            if (word_char && !in_word) ++words;
            in_word = word_char;
        }
        if (words > max_text_words) mismatch(a, t, "more than 32 words");
        return t.text;
    }
    case search_attribute_type::integer:
        if (a.system == system_attribute::execution_duration && is_string) {
            if (auto d = parse_duration_nanos(t.text)) return *d;
            mismatch(a, t, "not a duration (write '1h30m', '90s', 'hh:mm:ss' or an integer of nanoseconds)");
        }
        if (t.kind == token_kind::number) mismatch(a, t, "not an integer");
        if (t.kind != token_kind::integer) mismatch(a, t, literal_kind(t));
        return integer_literal(a, t);
    case search_attribute_type::floating: {
        if (!is_number) mismatch(a, t, literal_kind(t));
        double v = 0;
        const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (ec != std::errc{} || end != t.text.data() + t.text.size() || !std::isfinite(v))
            mismatch(a, t, "out of range");
        return v;
    }
    case search_attribute_type::boolean:
        if (t.kind == token_kind::keyword) return t.text == "TRUE";
        if (is_string) {
            if (status_key(t.text) == "true") return true;
            if (status_key(t.text) == "false") return false;
            mismatch(a, t, "not true or false");
        }
        mismatch(a, t, literal_kind(t));
    case search_attribute_type::datetime:
        if (t.kind == token_kind::integer)   // nanoseconds since 1970, as Temporal reads an integer time
            return sys_nanoseconds(std::chrono::nanoseconds(integer_literal(a, t)));
        if (!is_string) mismatch(a, t, literal_kind(t));
        if (auto time = parse_rfc3339_bound(t.text)) return *time;
        mismatch(a, t, "not an RFC 3339 time (write '2025-01-31T00:00:00Z')");
    }
    mismatch(a, t, literal_kind(t));
}

}   // namespace perdure::detail
