// JSON text read back exactly. Boost.JSON 1.81's parser reads a number with a fraction or an
// exponent by a fast method that misses the nearest double for some of them (about one in
// twelve random doubles came back one unit in the last place off), so a double stored in a
// history, a search attribute or a page token would not be the one written. This parser is
// Boost's, with every such number read again by std::from_chars, which is exact.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <string_view>

namespace perdure::detail {

/// As boost::json::parse(text, ec) with default options, numbers read exactly.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);
/// As boost::json::parse(text): throws boost::system::system_error when `text` is not JSON.
boost::json::value parse_json(std::string_view text);

}   // namespace perdure::detail
