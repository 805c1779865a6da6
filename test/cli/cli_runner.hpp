// Running the real `perdure` binary and the engine-host process from the CLI tests: arguments
// in; exit code, standard output and standard error out.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace perdure::test {

struct cli_result {
    int code = -1;   ///< the exit code; -1 when the process was killed
    std::string out, err;
};

/// Runs `perdure args...` with PERDURE_DB set to `db_env` (unset when empty). A run longer than
/// 60 s is killed and fails the test.
cli_result run_cli(const std::vector<std::string>& args, const std::string& db_env = {});

/// `perdure args...` running beside the test, for commands that keep going (show --follow): the
/// test reads what it printed so far, acts, then waits for it to end. Killed after 60 s.
class cli_process {
public:
    cli_process(const std::vector<std::string>& args, const std::string& db_env);
    ~cli_process();
    cli_process(const cli_process&) = delete;
    cli_process& operator=(const cli_process&) = delete;
    /// Reads until standard output contains `text` (true), or the process ended or 60 s passed (false).
    bool read_until(std::string_view text);
    /// Reads everything until the process ends and returns its result.
    cli_result finish();

private:
    /// Reads what is ready, waiting at most `ms`; false once both pipes are closed.
    bool pump(int ms);

    pid_t pid_ = -1;
    int fds_[2] = {-1, -1};
    cli_result result_;
    bool killed_ = false;
    std::chrono::steady_clock::time_point deadline_;
};
/// `line` split on spaces: the seed command lines, which need no quoting.
std::vector<std::string> words(std::string_view line);

/// An application's engine in another process (engine-host) on `db`; constructed once it
/// printed "ready", stopped cleanly by closing its standard input.
class engine_host {
public:
    explicit engine_host(const std::string& db);
    ~engine_host();
    engine_host(const engine_host&) = delete;
    engine_host& operator=(const engine_host&) = delete;
    /// Closes its input and waits; returns its exit code.
    int stop();

private:
    pid_t pid_ = -1;
    int input_ = -1;
};

}   // namespace perdure::test
