// The start options a workflow.start inbox command carries beyond its workflow id, task queue
// and request id (an engine's client passes the API's on), in the command's stored form. Only
// options away from their defaults are written, so a CLI's command reads as it always did.
#pragma once

#include "store/inbox_command.hpp"

#include <boost/json/object.hpp>

namespace perdure::detail {

/// A start of `type` in namespace `ns` with the API's options (its signal left empty).
workflow_start_command start_command_of(std::string ns, std::string type, boost::json::value input,
                                        start_workflow_options o);
/// The API's options a start command carries, moved out of it.
start_workflow_options options_of(workflow_start_command& c);

/// Adds the command's options that are not at their defaults to `o`.
void put_start_options(boost::json::object& o, const workflow_start_command& c);
/// Reads them back into `c`. Throws invalid_argument ("malformed inbox command: ...") for a
/// field of the wrong type or out of range: the command is refused, never half read.
void read_start_options(const boost::json::object& o, workflow_start_command& c);

}   // namespace perdure::detail
