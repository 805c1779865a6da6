// The JSON a command takes from its flags (--input): parsed, and refused with a message that
// says how to quote it, so a mistyped value never reaches a workflow.
#pragma once

#include "command.hpp"

#include <boost/json/value.hpp>

namespace perdure::cli {

/// The flag's JSON value, or null when it was not given. A value that is not JSON, or holds a
/// number JSON cannot carry back, is a cli_error (user error) naming the flag.
boost::json::value json_flag(const invocation&, const char* flag);

}   // namespace perdure::cli
