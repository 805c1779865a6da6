// The flags and targets the workflow commands share, named as `temporal workflow` names them:
// --namespace/-n, --workflow-id/-w, --run-id/-r.
#pragma once

#include "command.hpp"

#include "store/inbox_command.hpp"

#include <perdure/engine.hpp>

#include <boost/program_options/options_description.hpp>

namespace perdure::cli {

/// --namespace (default "default"), --workflow-id (required), --run-id.
void add_run_flags(boost::program_options::options_description&);

/// The run the flags name, for an inbox command.
detail::workflow_target target_of(const invocation&);

/// A handle on the run the flags name, through an engine this process opened.
workflow_handle<boost::json::value> handle_of(perdure::engine&, const invocation&);

/// The commands that need the application's engine to run workflow code (start, execute,
/// query, stack, update execute) and `result`; defined in workflow_run_commands.cpp.
std::vector<command> workflow_run_commands();

}   // namespace perdure::cli
