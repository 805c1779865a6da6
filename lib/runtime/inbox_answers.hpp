// What an applied inbox command answers with. The CLI prints the same objects when it applies
// a command itself in maintenance mode, so its output does not depend on the route taken.
#pragma once

#include <perdure/engine.hpp>

#include <boost/json/object.hpp>

namespace perdure::detail {

boost::json::object inbox_answer(const namespace_info&);
boost::json::object inbox_answer(const nexus::endpoint&);

}  // namespace perdure::detail
