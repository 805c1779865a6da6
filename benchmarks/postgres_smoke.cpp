// bench-postgres-smoke: perdure-bench --store at tiny sizes against the tests' private
// PostgreSQL cluster. It checks that the floor and each engine scenario run on the server and
// that the last line relates them; the numbers mean nothing (that cluster runs with fsync off).
// Exits 77, which Meson reports as skipped, when there are no PostgreSQL binaries.
#include "support/postgres_cluster.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <sys/wait.h>

namespace {

constexpr int skipped = 77;

/// Every line perdure-bench printed, or an empty string when it failed.
std::string run_bench(const std::string& server_uri) {
    const std::string command =
        std::string(PERDURE_BENCH) + " --scenario all --smoke --durability full --store '" + server_uri + "'";
    FILE* out = ::popen(command.c_str(), "r");
    if (!out) return {};
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) text.append(buf, n);
    const int status = ::pclose(out);
    std::cout << text;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? text : std::string();
}

}   // namespace

int main() {
    auto& cluster = perdure::test::postgres_cluster::instance();
    if (!cluster.available()) {
        std::cout << "skipped: " << cluster.why_not() << "\n";
        return skipped;
    }
    const std::string text = run_bench(cluster.uri("postgres"));
    if (text.empty()) {
        std::cerr << "perdure-bench --store failed\n";
        return 1;
    }
    int failures = 0;
    for (const char* scenario : {"postgres_limit", "step_latency", "throughput", "nexus_sync", "nexus_async"})
        if (text.find(std::string("{\"scenario\":\"") + scenario + "\"") == std::string::npos) {
            std::cerr << "no line of " << scenario << "\n";
            ++failures;
        }
    const auto ratios = text.find("{\"scenario\":\"postgres_ratios\"");
    if (ratios == std::string::npos || text.find("null", ratios) != std::string::npos) {
        std::cerr << "no postgres_ratios line with every ratio\n";
        ++failures;
    }
    if (text.find("sqlite_limit") != std::string::npos) {
        std::cerr << "a SQLite-only scenario ran with --store\n";
        ++failures;
    }
    std::cout << (failures ? "1 failed" : "passed") << "\n";
    return failures ? 1 : 0;
}
