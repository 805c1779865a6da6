// Search attributes: the typed, indexed values a workflow carries so that visibility queries
// ("CustomerId = '42' AND ExecutionStatus = 'Running'") can find it, with Temporal's types and
// their names.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace perdure {

/// The type of a search attribute, as Temporal's IndexedValueType.
enum class search_attribute_type { keyword, text, integer, floating, boolean, datetime, keyword_list };

/// A search attribute's value: std::string for keyword and text, std::int64_t for integer,
/// double for floating, bool for boolean, a time point for datetime, and a list of strings
/// for keyword_list.
using search_attribute_value = std::variant<std::string, std::int64_t, double, bool,
                                            std::chrono::system_clock::time_point, std::vector<std::string>>;

/// Search attributes by name.
using search_attributes = std::map<std::string, search_attribute_value, std::less<>>;

/// Temporal's name of a type: "Keyword", "Text", "Int", "Double", "Bool", "Datetime" or
/// "KeywordList".
std::string_view to_string(search_attribute_type) noexcept;

/// The type Temporal's name stands for, in any case ("keyword", "KEYWORDLIST"), as Temporal's
/// CLI accepts it. Throws invalid_argument naming the accepted names.
search_attribute_type parse_search_attribute_type(std::string_view name);

/// Checks that `value` can be stored in the search attribute `name` of type `type`: a string
/// for Keyword and Text, an integer for Int, a finite double (or an integer) for Double, a bool
/// for Bool, a time point for Datetime, a list of strings for KeywordList. Throws
/// invalid_argument saying what is wrong ("search attribute 'Amount' is Int; \"abc\" is not an
/// integer").
void validate_search_attribute(std::string_view name, search_attribute_type type, const search_attribute_value& value);

/// The value of the search attribute `name` of type `type` written as text (as a command line
/// gives it): Keyword and Text as is, Int as a decimal integer, Double as a decimal number,
/// Bool as true or false (any case), Datetime in RFC 3339 ("2025-01-31T12:00:00Z", an offset
/// or up to nine fractional digits allowed), KeywordList as one keyword. Throws
/// invalid_argument as validate_search_attribute does.
search_attribute_value parse_search_attribute_value(std::string_view name, search_attribute_type type,
                                                    std::string_view text);

}   // namespace perdure
