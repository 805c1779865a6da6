// What an applied inbox command answers with. The CLI prints the same answers when it applies
// a command itself in maintenance mode, so its output does not depend on the route taken.
#pragma once

#include "store/rows.hpp"

#include <perdure/engine.hpp>

namespace perdure::detail {

namespace_answer inbox_answer_of(const namespace_info&);
endpoint_answer inbox_answer_of(const nexus::endpoint&);
/// An endpoint's health as the owner answers a standby's `endpoint.health`.
boost::json::value health_json(const nexus::endpoint_health&);
/// The health the owner answered; storage_error when `v` is not one.
nexus::endpoint_health health_of(const boost::json::value& v);

}   // namespace perdure::detail
