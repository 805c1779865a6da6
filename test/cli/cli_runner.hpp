// Running the real `perdure` binary and the engine-host process from the CLI tests: arguments
// in; exit code, standard output and standard error out.
#pragma once

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
