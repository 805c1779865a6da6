// What the visibility tests share: a namespace's custom attributes and the message a query
// is refused with.
#pragma once

#include "visibility/parser.hpp"

#include <perdure/error.hpp>

#include <string>
#include <string_view>

namespace perdure::testing {

inline const detail::attribute_types& custom_attributes() {
    static const detail::attribute_types types{
        {"Customer", search_attribute_type::keyword}, {"CustomerId", search_attribute_type::keyword},
        {"Amount", search_attribute_type::integer},   {"Price", search_attribute_type::floating},
        {"Urgent", search_attribute_type::boolean},   {"Due", search_attribute_type::datetime},
        {"Description", search_attribute_type::text}, {"Tags", search_attribute_type::keyword_list},
        {"Order", search_attribute_type::keyword},
    };
    return types;
}

inline detail::visibility_query parse(std::string_view query) {
    return detail::parse_query(query, custom_attributes());
}

/// The message parse_query refuses `query` with, or "(accepted)".
inline std::string refusal(std::string_view query, const detail::query_limits& limits = {}) {
    try {
        detail::parse_query(query, custom_attributes(), limits);
    } catch (const invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

}   // namespace perdure::testing
