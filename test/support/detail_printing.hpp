// Lets Boost.Test print the engine's own values (event types, run states, task failure causes,
// search attribute types) in failed checks of the unit tests.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"
#include "store/rows.hpp"

#include <perdure/search_attributes.hpp>

#include <ostream>

namespace perdure {
inline std::ostream& operator<<(std::ostream& os, search_attribute_type t) { return os << to_string(t); }
}   // namespace perdure

namespace perdure::detail {
inline std::ostream& operator<<(std::ostream& os, event_type t) { return os << event_type_name(t); }
inline std::ostream& operator<<(std::ostream& os, task_failure::cause c) { return os << to_string(c); }
/// As the store numbers it: 0 running, then completed, failed, canceled, terminated,
/// continued_as_new, timed_out.
inline std::ostream& operator<<(std::ostream& os, run_status s) { return os << "run_status " << static_cast<int>(s); }
}   // namespace perdure::detail
