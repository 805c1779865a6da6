// perdure-bench: runs the standard scenarios and prints one JSON object per line. With
// `--scenario all` each scenario runs in a fresh process of this program, so one scenario's
// memory, threads and page cache never count against the next. With `--compare` the scenarios
// always run in child processes whose output is kept, then compared with the saved run. With
// `--store postgresql://...` the engine scenarios run on that server after its floor,
// postgres_limit, and a last line gives their ratios to it.
#include "common.hpp"
#include "compare.hpp"
#include "postgres_databases.hpp"
#include "scenarios.hpp"

#include <boost/program_options.hpp>

#include <fcntl.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
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
    if (s.on_postgres()) {
        args.emplace_back("--store");
        args.push_back(s.store);
    }
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

/// Runs `which` in child processes, passes their output on and adds their figures to `now`;
/// returns how many failed.
int run_collecting(const std::vector<const scenario*>& which, const settings& s, figures& now) {
    const std::string output = s.db_dir + "/scenario-output.jsonl";
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
    return failures;
}

/// Figure `name` of `scenario` in one run's figures; NaN (printed as null) when it is missing.
double figure_of(const figures& run, const std::string& scenario, const std::string& name) {
    for (const auto& [key, by_name] : run)
        if (key.rfind(scenario + " (", 0) == 0)
            if (const auto it = by_name.find(name); it != by_name.end()) return it->second;
    return std::numeric_limits<double>::quiet_NaN();
}

/// The engine's figures on PostgreSQL as ratios to the floor the same run measured: latencies
/// to one synchronous commit, throughput to the writer mix.
void emit_postgres_ratios(const figures& run, const settings& s) {
    const double commit = figure_of(run, "postgres_limit", "pg_commit_us");
    const double mix = figure_of(run, "postgres_limit", "pg_writer_mix_workflows_per_second");
    emit({{"scenario", "postgres_ratios"},
          {"durability", to_string(s.durability)},
          {"step_latency_mean_to_pg_commit", figure_of(run, "step_latency", "mean_us") / commit},
          {"step_latency_p50_to_pg_commit", figure_of(run, "step_latency", "p50_us") / commit},
          {"throughput_to_pg_writer_mix", figure_of(run, "throughput", "workflows_per_second") / mix},
          {"nexus_sync_p50_to_pg_commit", figure_of(run, "nexus_sync", "p50_us") / commit},
          {"nexus_async_p50_to_pg_commit", figure_of(run, "nexus_async", "p50_us") / commit}});
}

}   // namespace

int main(int argc, char** argv) {
    std::string scenario_name, durability, db_dir, store_uri;
    po::options_description desc("perdure-bench: the standard scenarios, one JSON object per line on stdout.\nOptions");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help")
        ("scenario", po::value(&scenario_name)->default_value("all"), "all, or one scenario by name (see --list)")
        ("durability", po::value(&durability)->default_value("full"), "full (fsync per commit) or normal")
        ("db-dir", po::value(&db_dir), "directory for the databases (default: a new temporary directory)")
        ("smoke", "tiny sizes: checks that every scenario works; the numbers mean nothing")
        ("store", po::value(&store_uri), "postgresql://...: run the engine scenarios on this PostgreSQL server, each in a "
                                       "database of its own that it makes (the role needs CREATEDB) and drops, after "
                                       "the server's floor (postgres_limit); SQLite-only scenarios are skipped")
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
    if (vm.count("store")) {
        if (store_uri.rfind("postgresql://", 0) != 0 && store_uri.rfind("postgres://", 0) != 0) {
            std::cerr << "perdure-bench: --store takes a postgresql:// URI (without it, SQLite files in --db-dir)\n";
            return 2;
        }
        if (!postgres_built()) {
            std::cerr << "perdure-bench: this build has no PostgreSQL store (configure with -Dpostgresql=enabled and "
                         "libpq-dev installed)\n";
            return 2;
        }
        s.store = store_uri;
        set_store_label("postgresql");
    }
    const scenario* one = nullptr;
    if (scenario_name != "all" && !(one = find_scenario(scenario_name))) {
        std::cerr << "perdure-bench: no scenario named " << scenario_name << "; --list shows them\n";
        return 2;
    }
    if (one && !one->runs_on(s)) {
        std::cerr << "perdure-bench: " << one->name
                  << (s.on_postgres() ? " measures SQLite or this process only; it does not run with --store\n"
                                      : " measures a PostgreSQL server: give --store postgresql://...\n");
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
    if (!s.on_postgres()) warn_if_memory_backed(s.db_dir);   // a server's disk is its own business

    std::vector<const scenario*> which;
    for (const auto& sc : scenarios) {
        if (one && one != &sc) continue;
        if (sc.runs_on(s))
            which.push_back(&sc);
        else if (s.on_postgres())
            std::cerr << "perdure-bench: " << sc.name << " skipped: it measures SQLite or this process only\n";
    }
    int failures = 0;
    if (baseline || (s.on_postgres() && !one)) {
        figures now;
        failures = run_collecting(which, s, now);
        if (s.on_postgres() && !one) emit_postgres_ratios(now, s);
        if (baseline) print_comparison(*baseline, now, std::cerr);
    } else if (one) {
        return run_here(*one, s);
    } else {
        for (const auto* sc : which) failures += run_child(*sc, s) != 0;
    }
    if (failures) std::cerr << "perdure-bench: " << failures << " scenario(s) failed\n";
    return failures ? 1 : 0;
}
