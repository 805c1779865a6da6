// A run's search attribute values as rows of the values table: one per value (a KeywordList one
// per element), in the column its type uses. Both stores write these rows.
#pragma once

#include "history/typed_attributes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perdure::detail {

struct attribute_value_row {
    std::string name;
    std::optional<std::int64_t> int_value;   ///< Int, Bool (0/1), Datetime (µs since 1970)
    std::optional<double> double_value;      ///< Double
    std::optional<std::string> text_value;   ///< Keyword, KeywordList elements, Text's index form
};

/// The rows of `attrs`' values.
std::vector<attribute_value_row> attribute_value_rows(const typed_attributes& attrs);

}   // namespace perdure::detail
