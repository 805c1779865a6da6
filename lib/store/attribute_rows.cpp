// Search attribute values to rows of the values table.
#include "store/attribute_rows.hpp"

#include "store/visibility_sql.hpp"

namespace perdure::detail {

std::vector<attribute_value_row> attribute_value_rows(const typed_attributes& attrs) {
    std::vector<attribute_value_row> out;
    for (const auto& [name, a] : attrs) {
        const auto add = [&](attribute_value_row r) {
            r.name = name;
            out.push_back(std::move(r));
        };
        switch (a.type) {
        case search_attribute_type::keyword: add({.text_value = std::get<std::string>(a.value)}); break;
        case search_attribute_type::text: add({.text_value = text_index_form(std::get<std::string>(a.value))}); break;
        case search_attribute_type::integer: add({.int_value = std::get<std::int64_t>(a.value)}); break;
        case search_attribute_type::floating:
            add({.double_value = std::holds_alternative<double>(a.value)
                                     ? std::get<double>(a.value)
                                     : static_cast<double>(std::get<std::int64_t>(a.value))});
            break;
        case search_attribute_type::boolean: add({.int_value = std::get<bool>(a.value) ? 1 : 0}); break;
        case search_attribute_type::datetime: {
            const auto t = std::get<std::chrono::system_clock::time_point>(a.value);
            add({.int_value = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count()});
            break;
        }
        case search_attribute_type::keyword_list:
            for (const auto& s : std::get<std::vector<std::string>>(a.value)) add({.text_value = s});
            break;
        }
    }
    return out;
}

}   // namespace perdure::detail
