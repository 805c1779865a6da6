// retention: what deleting closed runs costs the workflows that are running. A backlog of
// closed one-activity workflows is made to expire at once (retention 1 ms) while a step
// workflow in another namespace runs; its step latency is compared with the same workflow's
// before the backlog expired. Each step is one commit, so the step p99 is the commit p99 as
// a workflow sees it.
#include "common.hpp"
#include "driver.hpp"
#include "scenarios.hpp"
#include "step_workflow.hpp"
#include "store_counts.hpp"

#include <perdure/perdure.hpp>

using namespace std::chrono_literals;

namespace perdure::bench {
namespace {

perdure::workflow<int> short_impl(perdure::workflow_context& ctx, int n) {
    co_return co_await ctx.execute_activity(echo_activity, n, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def short_workflow{"Short", &short_impl};

}   // namespace

void run_retention(const settings& s) {
    const std::size_t backlog = s.size(20'000, 300);
    const int steps = static_cast<int>(s.size(5'000, 50));
    const std::string path = fresh_database(s, "retention");
    std::vector<double> before, during;
    double deleting_s = 0;
    std::int64_t left = 0;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("old");
        engine.namespaces().ensure("live");
        engine.add_worker("old", "q").register_workflow(short_workflow).register_activity(echo_activity);
        engine.add_worker("live", "q").register_workflow(steps_workflow).register_activity(echo_activity);
        engine.start();
        drive(engine.client_for("old"), short_workflow, {.count = backlog, .id_prefix = "old-", .task_queue = "q"});
        auto live = engine.client_for("live");
        before = time_steps(live, "q", "before", steps);
        const auto t0 = steady::now();
        engine.namespaces().set_retention("old", 1ms);   // the whole backlog expires now
        during = time_steps(live, "q", "during", steps);
        deleting_s = elapsed_ms(t0) / 1000;
    }
    left = count_runs(path, std::nullopt, "old");
    remove_database(path);
    const auto b = summarize(before), d = summarize(during);
    const auto deleted = static_cast<std::int64_t>(backlog) - left;
    if (deleted <= 0) throw std::runtime_error("no expired run was deleted while the step workflow ran");
    emit({{"scenario", "retention"},
          {"durability", to_string(s.durability)},
          {"backlog", backlog},
          {"steps", steps},
          {"p99_us_without_deletion", b.p99},
          {"p99_us_with_deletion", d.p99},
          {"p99_ratio", d.p99 / b.p99},
          {"mean_us_without_deletion", b.mean},
          {"mean_us_with_deletion", d.mean},
          {"runs_deleted", deleted},
          {"runs_deleted_per_second", static_cast<double>(deleted) / deleting_s}});
}

}   // namespace perdure::bench
