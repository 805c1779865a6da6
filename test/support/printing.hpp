// Lets Boost.Test print perdure values in failed checks.
#pragma once

#include <perdure/client.hpp>

#include <ostream>

namespace perdure {
inline std::ostream& operator<<(std::ostream& os, workflow_status s) { return os << to_string(s); }
}   // namespace perdure
