// The write side of the CLI: a change is made through a maintenance engine when no engine owns
// the database, and through the inbox (applied by the running engine) when one does.
#pragma once

#include "command.hpp"

#include "store/rows.hpp"

#include <perdure/engine.hpp>

#include <functional>
#include <string>

namespace perdure::cli {

/// One change, in both forms: the inbox command a running engine applies (DESIGN.md, "Other
/// processes: the CLI"), and the same change made with the library's public API.
struct write_request {
    detail::inbox_command command;
    std::function<detail::inbox_answer(perdure::engine&)> apply;   ///< returns what the engine would answer
    /// A create command: where no file exists, the database is created first (and stderr says so),
    /// so namespaces and endpoints can be set up before the application first runs.
    bool creates_database = false;
};

enum class write_route { maintenance, inbox };

struct write_outcome {
    detail::inbox_answer result;   ///< what was created or changed, or nothing (never a failure: those are thrown)
    write_route route = write_route::maintenance;
};

/// Makes the change and returns once it is committed. A failure the engine reports becomes the
/// matching perdure::error; a database that cannot be used (missing, unless the request
/// creates_database), or a running engine that did not answer, is a cli_error with exit code 3
/// (the message says whether anything changed).
write_outcome perform_write(const std::string& db, const write_request&);

/// "inbox" or "maintenance", as the JSON output names the route.
const char* route_name(write_route);

/// Prints the outcome: `message` for a table, {"op", "route", "result"} for JSON.
void print_write(const invocation&, const write_request&, const write_outcome&, const std::string& message);

}   // namespace perdure::cli
