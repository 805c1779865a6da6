// An object's JSON text with one member's value already serialized: a payload is serialized
// once, to check its size, and that text goes into every stored form that carries it.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace perdure::detail {

/// Appends to `out` the text boost::json::serialize makes of `o` ({"key":value,...}, no
/// spaces), with the value of `member` taken as `member_json`, not serialized again.
void append_with_member(std::string& out, const boost::json::object& o, std::string_view member,
                        std::string_view member_json);

}   // namespace perdure::detail
