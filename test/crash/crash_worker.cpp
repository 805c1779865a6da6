// The process the crash test kills: many workflows at once, each with a fan-out of activities
// (all), a durable timer and sequential activities. Activities append a line to a side file
// before they return, so the test can check that every recorded result was really produced.
// Usage: crash-worker DB SIDE_FILE BATCHES PER_BATCH: starts (or attaches to) the workflows of
// batches 0..BATCHES-1 and exits 0 once every one of them completed.
#include <perdure/perdure.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>
#include <thread>

using namespace std::chrono_literals;

namespace {

int side_fd = -1;
std::atomic<std::uint64_t> nonce{0};

struct step {
    std::string workflow;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(step, (), (workflow, name))

std::string do_step(perdure::activity_context& ctx, step s) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 + std::random_device{}() % 2000));
    const std::string result = s.workflow + ":" + s.name + "#" + std::to_string(::getpid()) + "-" +
                               std::to_string(++nonce) + "@" + std::to_string(ctx.info().attempt);
    const std::string line = result + "\n";
    if (::write(side_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::abort();
    return result;
}
const perdure::activity_def step_activity{"Step", &do_step};

perdure::workflow<std::string> crash_flow(perdure::workflow_context& ctx, std::string id) {
    const perdure::activity_options opts{.start_to_close_timeout = 30s};
    auto [a, b, c] = co_await perdure::all(ctx.execute_activity(step_activity, step{id, "a"}, opts),
                                           ctx.execute_activity(step_activity, step{id, "b"}, opts),
                                           ctx.execute_activity(step_activity, step{id, "c"}, opts));
    co_await ctx.sleep(20ms);
    auto d = co_await ctx.execute_activity(step_activity, step{id, "d"}, opts);
    auto e = co_await ctx.execute_activity(step_activity, step{id, "e"}, opts);
    co_return a + "|" + b + "|" + c + "|" + d + "|" + e;
}
const perdure::workflow_def crash_workflow{"Crash", &crash_flow};

}   // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: crash-worker DB SIDE_FILE BATCHES PER_BATCH\n";
        return 2;
    }
    side_fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int batches = std::stoi(argv[3]), per_batch = std::stoi(argv[4]);
    perdure::engine engine({.database = argv[1], .activity_threads = 4});
    engine.namespaces().ensure("crash");
    engine.add_worker("crash", "q").register_workflow(crash_workflow).register_activity(step_activity);
    engine.start();
    auto client = engine.client_for("crash");
    std::vector<perdure::workflow_handle<std::string>> runs;
    for (int i = 0; i < batches * per_batch; ++i) {
        const std::string id = "wf-" + std::to_string(i / per_batch) + "-" + std::to_string(i % per_batch);
        // A rerun attaches to the open run, or returns the completed one (same request id).
        runs.push_back(client.start_workflow(crash_workflow, id,
                                             {.id = id,
                                              .task_queue = "q",
                                              .id_conflict = perdure::id_conflict_policy::use_existing,
                                              .request_id = "start-" + id}));
    }
    for (auto& r : runs) r.get();
    std::cout << "done\n";
    return 0;
}
