// Fuzz target: visibility queries (Temporal's list filter) as users type them. parse_query must
// refuse bad input with invalid_argument only; a query it accepts must print back to text that
// parses to the same query, and translate to SQL whose only quotes are LIKE's escape clause,
// with one placeholder per parameter and none of the query's bytes outside ASCII. Search
// attribute values written as text and RFC 3339 times go through the same checks.
#include "oracle.hpp"

#include "visibility/literals.hpp"
#include "visibility/parser.hpp"
#include "store/visibility_sql.hpp"

#include <perdure/error.hpp>
#include <perdure/search_attributes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace perdure::detail;
using perdure::fuzz::check;
constexpr const char* target = "visibility";

const attribute_types& custom() {
    static const attribute_types types{
        {"Customer", perdure::search_attribute_type::keyword},  {"Amount", perdure::search_attribute_type::integer},
        {"Price", perdure::search_attribute_type::floating},    {"Urgent", perdure::search_attribute_type::boolean},
        {"Due", perdure::search_attribute_type::datetime},      {"Description", perdure::search_attribute_type::text},
        {"Tags", perdure::search_attribute_type::keyword_list}, {"Order", perdure::search_attribute_type::keyword},
    };
    return types;
}

/// Only perdure's own SQL text: ASCII, no control bytes, no quotes but ESCAPE '\', no comment
/// or statement separator.
bool trusted_text(std::string sql) {
    constexpr std::string_view escape = "ESCAPE '\\'";
    for (auto at = sql.find(escape); at != std::string::npos; at = sql.find(escape, at)) sql.erase(at, escape.size());
    const bool plain = std::all_of(sql.begin(), sql.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b >= 0x20 && b < 0x7F && c != '\'' && c != '"' && c != '`' && c != ';';
    });
    return plain && sql.find("--") == std::string::npos && sql.find("/*") == std::string::npos;
}

void check_sql(const visibility_query& q, placeholder_style style) {
    const auto sql =
        to_sql(q, default_column_map(), {.placeholders = style, .first_placeholder = 2, .namespace_id = 9});
    for (const auto* part : {&sql.where_sql, &sql.order_by_sql, &sql.group_by_sql})
        check(trusted_text(*part), target, "the SQL holds text that is not perdure's");
    const char mark = style == placeholder_style::question_mark ? '?' : '$';
    const auto marks = std::count(sql.where_sql.begin(), sql.where_sql.end(), mark) +
                       std::count(sql.order_by_sql.begin(), sql.order_by_sql.end(), mark) +
                       std::count(sql.group_by_sql.begin(), sql.group_by_sql.end(), mark);
    check(static_cast<std::size_t>(marks) == sql.params.size(), target, "placeholders and parameters differ in number");
    check(!sql.where_sql.empty() && !sql.order_by_sql.empty(), target, "a query without WHERE or ORDER BY SQL");
    check(sql.group_by_sql.empty() == !q.group_by, target, "GROUP BY SQL without GROUP BY, or the reverse");
}

void check_values(std::string_view input) {
    using perdure::search_attribute_type;
    for (auto type : {search_attribute_type::keyword, search_attribute_type::text, search_attribute_type::integer,
                      search_attribute_type::floating, search_attribute_type::boolean, search_attribute_type::datetime,
                      search_attribute_type::keyword_list}) {
        try {
            const auto v = perdure::parse_search_attribute_value("Fuzzed", type, input);
            perdure::validate_search_attribute("Fuzzed", type, v);
        } catch (const perdure::invalid_argument&) {
        }
    }
    if (const auto t = parse_rfc3339(input)) {
        const auto again = parse_rfc3339(format_rfc3339(*t));
        check(again && *again == *t, target, "an RFC 3339 time does not print back to itself");
    }
    (void)parse_duration_nanos(input);
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        check_values(input);
        visibility_query q;
        try {
            q = parse_query(input, custom());
        } catch (const perdure::invalid_argument& e) {
            check(std::string_view(e.what()).find(" at column ") != std::string_view::npos, target,
                  "a refusal that names no column");
            return 0;
        }
        const auto printed = to_text(q);
        visibility_query again;
        try {
            again = parse_query(printed, custom());
        } catch (const perdure::invalid_argument&) {
            check(false, target, "a parsed query prints to text the parser refuses");
        }
        check(again == q, target, "a parsed query prints to text that parses to another query");
        check(to_text(again) == printed, target, "printing is not stable");
        check_sql(q, placeholder_style::question_mark);
        check_sql(q, placeholder_style::dollar_number);
    } catch (...) {
        perdure::fuzz::unexpected_exception(target);
    }
    return 0;
}
