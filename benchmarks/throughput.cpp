// throughput: many workflows of three sequential activities, started through
// async_start_workflow with up to 1,000 unfinished, from the first start to the last completion.
// processes (PostgreSQL): the same workflows run by 1, 2 and 4 engine processes on one database,
// each process registering the same worker and starting an equal share from its own client.
#include "common.hpp"
#include "client/core_access.hpp"
#include "driver.hpp"
#include "scenarios.hpp"
#include "store_counts.hpp"
#include "writer_mix.hpp"

#include "runtime/core.hpp"

#include <perdure/perdure.hpp>

#include <csignal>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace perdure::bench {
namespace {

constexpr int activities = 3;

int step(perdure::activity_context&, int i) { return i + 1; }
const perdure::activity_def step_activity{"Step", &step};

perdure::workflow<int> throughput_impl(perdure::workflow_context& ctx, int n) {
    for (int i = 0; i < activities; ++i)
        n = co_await ctx.execute_activity(step_activity, n, {.start_to_close_timeout = 10s});
    co_return n;
}
const perdure::workflow_def throughput_workflow{"Throughput", &throughput_impl};

}   // namespace

void run_throughput(const settings& s) {
    const std::size_t workflows = s.size(20'000, 200);
    const std::size_t in_flight = s.size(1'000, 50);
    const std::string path = fresh_database(s, "throughput");
    drive_result r;
    std::uint64_t commits = 0;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(throughput_workflow).register_activity(step_activity);
        engine.start();
        const auto before = perdure::detail::core_access::core(engine)->batches();
        r = drive(engine.client_for("bench"), throughput_workflow,
                  {.count = workflows, .in_flight = in_flight, .id_prefix = "tp-", .task_queue = "bench"});
        commits = perdure::detail::core_access::core(engine)->batches() - before;
    }
    // Rows written per workflow: its history rows, counted in the file, and the writes that
    // leave no row behind (execution insert and close, task rows written then deleted).
    const auto history = count_events(path);
    const auto completed = count_runs(path, perdure::detail::run_status::completed);
    remove_database(s, path);
    if (completed != static_cast<std::int64_t>(workflows)) throw std::runtime_error("not every workflow completed");
    const double rows =
        static_cast<double>(history) / static_cast<double>(workflows) + other_writes_per_workflow(activities);
    const double seconds = elapsed_ms(r.first_start, r.last_closed) / 1000;
    emit({{"scenario", "throughput"},
          {"durability", to_string(s.durability)},
          {"workflows", workflows},
          {"steps_per_workflow", activities},
          {"workflows_per_second", static_cast<double>(workflows) / seconds},
          {"rows_per_workflow", rows},
          {"p99_start_to_close_ms", summarize(r.start_to_close_ms).p99},
          {"p50_start_to_close_ms", summarize(r.start_to_close_ms).p50},
          {"in_flight", in_flight},
          {"commits", commits},
          {"workflows_per_commit", static_cast<double>(workflows) / static_cast<double>(commits)}});
}

namespace {

/// One byte at a time between the scenario and its processes: ready, go, done, stop.
void send_byte(int fd) {
    const char b = 1;
    if (::write(fd, &b, 1) != 1) throw std::runtime_error("a process of the scenario went away");
}
void take_byte(int fd) {
    char b = 0;
    if (::read(fd, &b, 1) != 1) throw std::runtime_error("a process of the scenario exited early");
}

struct process_share {
    std::size_t index, workflows, in_flight;
};

[[noreturn]] void run_process(const settings& s, const std::string& path, process_share share, int from_parent,
                              int to_parent) {
    try {
        perdure::engine engine(engine_options_for(s, path));
        if (share.index == 0) engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(throughput_workflow).register_activity(step_activity);
        engine.start();
        send_byte(to_parent);
        take_byte(from_parent);
        drive(engine.client_for("bench"), throughput_workflow,
              {.count = share.workflows,
               .in_flight = share.in_flight,
               .id_prefix = "p" + std::to_string(share.index) + "-",
               .task_queue = "bench"});
        send_byte(to_parent);
        // Every engine stays until all are done, so no takeover falls inside the timed part.
        take_byte(from_parent);
        engine.shutdown();
        ::_exit(0);
    } catch (const std::exception& e) {
        std::cerr << "perdure-bench: processes: process " << share.index << ": " << e.what() << std::endl;
    }
    ::_exit(1);
}

/// The processes of one run, killed if the run fails before they are reaped.
struct process_set {
    std::vector<pid_t> pids;
    std::vector<int> to, from;

    ~process_set() {
        for (const int fd : to) ::close(fd);
        for (const int fd : from) ::close(fd);
        for (const pid_t pid : pids) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    bool all_exited_cleanly() {
        bool clean = true;
        for (const pid_t pid : pids) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            clean = clean && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
        pids.clear();
        return clean;
    }
};

/// Workflows a second with `processes` engine processes on a new database.
double workflows_per_second(const settings& s, std::size_t processes, std::size_t workflows, std::size_t in_flight) {
    const std::string path = fresh_database(s, "processes");
    process_set set;
    // One at a time, each once the one before has started: the first owns the database, the
    // others stand by beside it. This process starts no thread, so each child is an ordinary one.
    for (std::size_t i = 0; i < processes; ++i) {
        int down[2], up[2];
        if (::pipe(down) != 0 || ::pipe(up) != 0) throw std::runtime_error("pipe failed");
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            for (const int fd : set.to) ::close(fd);
            for (const int fd : set.from) ::close(fd);
            ::close(down[1]);
            ::close(up[0]);
            run_process(s, path, {i, workflows / processes, std::max<std::size_t>(1, in_flight / processes)}, down[0],
                        up[1]);
        }
        ::close(down[0]);
        ::close(up[1]);
        set.pids.push_back(pid);
        set.to.push_back(down[1]);
        set.from.push_back(up[0]);
        take_byte(up[0]);
    }
    const auto go = steady::now();
    for (const int fd : set.to) send_byte(fd);
    for (const int fd : set.from) take_byte(fd);
    const double seconds = elapsed_ms(go, steady::now()) / 1000;
    for (const int fd : set.to) send_byte(fd);
    if (!set.all_exited_cleanly()) throw std::runtime_error("a process of the scenario failed");
    const auto completed = count_runs(path, perdure::detail::run_status::completed);
    remove_database(s, path);
    if (completed != static_cast<std::int64_t>(workflows)) throw std::runtime_error("not every workflow completed");
    return static_cast<double>(workflows) / seconds;
}

}   // namespace

void run_processes(const settings& s) {
    const std::size_t workflows = s.size(20'000, 200);
    const std::size_t in_flight = s.size(1'000, 50);
    boost::json::object line{{"scenario", "processes"}, {"workflows", workflows}, {"in_flight", in_flight}};
    for (const std::size_t n : {1, 2, 4})
        line["workflows_per_second_" + std::to_string(n)] = workflows_per_second(s, n, workflows, in_flight);
    line["durability"] = to_string(s.durability);
    emit(line);
}

}   // namespace perdure::bench
