// Random identifiers: run ids, request ids, endpoint ids.
#pragma once

#include <string>

namespace perdure::detail {

/// A random (version 4) UUID for run ids and request ids.
std::string new_uuid();

}   // namespace perdure::detail
