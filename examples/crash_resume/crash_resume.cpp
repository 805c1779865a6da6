// crash_resume: a workflow of three steps whose process is killed (SIGKILL) in the middle of
// step 2. Reopening the same file finishes the workflow: step 1's recorded result is used and
// step 1 does not run again; step 2 runs again with attempt 2; step 3 runs once.
#include <perdure/perdure.hpp>

#include <csignal>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;

std::string run_step(perdure::activity_context& ctx, int n) {
    std::cout << "  process " << ::getpid() << ": step " << n << ", attempt " << ctx.info().attempt << std::endl;
    if (n == 2 && ctx.info().attempt == 1) {
        std::cout << "  process " << ::getpid() << ": killed with SIGKILL" << std::endl;
        std::raise(SIGKILL);
    }
    return "step " + std::to_string(n) + " done in process " + std::to_string(::getpid());
}
const perdure::activity_def step{"Step", &run_step};

perdure::workflow<std::vector<std::string>> three_steps(perdure::workflow_context& ctx) {
    std::vector<std::string> results;
    for (int n = 1; n <= 3; ++n)
        results.push_back(co_await ctx.execute_activity(step, n, {.start_to_close_timeout = 10s}));
    co_return results;
}
const perdure::workflow_def three_steps_workflow{"ThreeSteps", &three_steps};

// Opens the database, starts the workflow (or attaches to it) and waits for its result.
std::vector<std::string> run(const std::string& db) {
    perdure::engine engine({.database = db});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "steps").register_workflow(three_steps_workflow).register_activity(step);
    engine.start();
    auto handle = engine.client_for("default").start_workflow(
        three_steps_workflow,
        {.id = "three-steps", .task_queue = "steps", .id_conflict = perdure::id_conflict_policy::use_existing});
    return handle.get();
}

int main(int argc, char** argv) {
    const std::string db = argc > 1 ? argv[1] : "crash_resume.db";
    std::cout << "first process:" << std::endl;
    const pid_t child = ::fork();
    if (child == 0) {
        run(db);
        return 0;
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFSIGNALED(status)) return 1;
    std::cout << "second process, same file:" << std::endl;
    const auto results = run(db);
    for (const auto& r : results) std::cout << "  result: " << r << "\n";
    // Step 1 was recorded before the kill: its result comes from the first process.
    return results.front() == "step 1 done in process " + std::to_string(child) ? 0 : 1;
}
