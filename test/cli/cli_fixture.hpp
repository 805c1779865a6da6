// A database as an application leaves it, for the CLI to work on: namespace "app" with three
// WaitForGo runs still running (order-1, order-2, order-3) and one completed (order-0), made by
// an engine in this process that is closed again before the CLI runs.
#pragma once

#include "cli_runner.hpp"

#include "support/temp_dir.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace perdure::test {

struct cli_fixture {
    cli_fixture();

    /// Runs `perdure <line>` with PERDURE_DB naming the fixture's database.
    cli_result perdure(std::string_view line) const { return run_cli(words(line), db); }
    cli_result perdure(const std::vector<std::string>& args) const { return run_cli(args, db); }
    /// Runs a read with --output json and parses what it printed; fails the test on a non-zero exit.
    boost::json::value json(std::string_view line) const;
    /// The status of workflow `id` in "app" once it is `status`, or the last one seen after 10 s.
    /// (An engine in another process closes a run after the command that caused it returned.)
    std::string wait_for_status(const std::string& id, const std::string& status) const;

    temp_dir dir;
    std::string db;
};

}   // namespace perdure::test
