// throughput: many workflows of three sequential activities, started through
// async_start_workflow with up to 1,000 unfinished, from the first start to the last completion.
#include "common.hpp"
#include "client/core_access.hpp"
#include "driver.hpp"
#include "scenarios.hpp"
#include "store_counts.hpp"
#include "writer_mix.hpp"

#include "runtime/core.hpp"

#include <perdure/perdure.hpp>

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

}   // namespace perdure::bench
