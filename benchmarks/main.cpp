// perdure-bench: runs the standard scenarios and prints one JSON object per line. With
// `--scenario all` each scenario runs in a fresh process of this program, so one scenario's
// memory, threads and page cache never count against the next. With `--compare` the scenarios
// always run in child processes whose output is kept, then compared with the saved run.
#include "common.hpp"
#include "compare.hpp"
#include "scenarios.hpp"

#include <boost/program_options.hpp>

#include <fcntl.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char** environ;

namespace po = boost::program_options;
using namespace perdure::bench;

namespace {

const scenario* find_scenario(const std::string& name) {
    for (const auto& s : scenarios)
        if (name == s.name) return &s;
    return nullptr;
}

/// Runs one scenario in this process; returns the exit status.
int run_here(const scenario& sc, const settings& s) {
    try {
        sc.run(s);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "perdure-bench: " << sc.name << ": " << e.what() << std::endl;
    }
    return 1;
}

/// Runs one scenario in a child process of this program, its output going to `output` when
/// given; returns its exit status.
int run_child(const scenario& sc, const settings& s, const std::string& output = {}) {
    std::vector<std::string> args{"perdure-bench",         "--scenario", sc.name, "--durability",
                                  to_string(s.durability), "--db-dir",   s.db_dir};
    if (s.smoke) args.emplace_back("--smoke");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t redirect;
    ::posix_spawn_file_actions_init(&redirect);
    if (!output.empty())
        ::posix_spawn_file_actions_addopen(&redirect, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                           0644);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, "/proc/self/exe", &redirect, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&redirect);
    if (rc != 0) {
        std::cerr << "perdure-bench: cannot start a process for " << sc.name << ": " << std::strerror(rc) << std::endl;
        return 1;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    std::cerr << "perdure-bench: " << sc.name << " was killed by signal " << WTERMSIG(status) << std::endl;
    return 1;
}

/// Runs `which` in child processes, passes their output on and compares it with `baseline`.
int run_and_compare(const std::vector<const scenario*>& which, const settings& s, const figures& baseline) {
    const std::string output = s.db_dir + "/scenario-output.jsonl";
    figures now;
    int failures = 0;
    for (const auto* sc : which) {
        failures += run_child(*sc, s, output) != 0;
        std::ifstream in(output);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::cout << text << std::flush;
        std::istringstream lines(text);
        for (auto& [scenario, figures_of] : read_figures(lines, std::string(sc->name) + "'s output"))
            now[scenario] = figures_of;
    }
    print_comparison(baseline, now, std::cerr);
    return failures;
}

}   // namespace

int main(int argc, char** argv) {
    std::string scenario_name, durability, db_dir;
    po::options_description desc("perdure-bench: the standard scenarios, one JSON object per line on stdout.\nOptions");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help")
        ("scenario", po::value(&scenario_name)->default_value("all"), "all, or one scenario by name (see --list)")
        ("durability", po::value(&durability)->default_value("full"), "full (fsync per commit) or normal")
        ("db-dir", po::value(&db_dir), "directory for the databases (default: a new temporary directory)")
        ("smoke", "tiny sizes: checks that every scenario works; the numbers mean nothing")
        ("list", "list the scenarios")
        ("compare", po::value<std::string>(), "BASELINE.jsonl: a saved run (or several); after the run, prints each "
                                              "figure's ratio to it on stderr");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "perdure-bench: " << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    if (vm.count("list")) {
        for (const auto& s : scenarios) std::cout << s.name << "\n";
        return 0;
    }
    settings s;
    s.smoke = vm.count("smoke") > 0;
    if (durability == "full") {
        s.durability = perdure::durability::full;
    } else if (durability == "normal") {
        s.durability = perdure::durability::normal;
    } else {
        std::cerr << "perdure-bench: --durability must be full or normal, not " << durability << "\n";
        return 2;
    }
    const scenario* one = nullptr;
    if (scenario_name != "all" && !(one = find_scenario(scenario_name))) {
        std::cerr << "perdure-bench: no scenario named " << scenario_name << "; --list shows them\n";
        return 2;
    }

    std::optional<figures> baseline;
    if (vm.count("compare")) {
        const auto path = vm["compare"].as<std::string>();
        std::ifstream in(path);
        if (!in) {
            std::cerr << "perdure-bench: cannot read the baseline " << path
                      << "; save one with: perdure-bench > BASELINE.jsonl\n";
            return 2;
        }
        try {
            baseline = read_figures(in, path);
        } catch (const std::exception& e) {
            std::cerr << "perdure-bench: " << e.what() << "\n";
            return 2;
        }
    }

    std::optional<temp_dir> own_dir;
    if (db_dir.empty()) {
        own_dir.emplace();
        db_dir = own_dir->path();
    }
    s.db_dir = db_dir;
    warn_if_memory_backed(s.db_dir);

    int failures = 0;
    if (baseline) {
        std::vector<const scenario*> which;
        for (const auto& sc : scenarios)
            if (!one || one == &sc) which.push_back(&sc);
        failures = run_and_compare(which, s, *baseline);
    } else if (one) {
        return run_here(*one, s);
    } else {
        for (const auto& sc : scenarios) failures += run_child(sc, s) != 0;
    }
    if (failures) std::cerr << "perdure-bench: " << failures << " scenario(s) failed\n";
    return failures ? 1 : 0;
}
