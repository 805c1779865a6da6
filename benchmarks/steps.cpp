// step_latency and long_history: one workflow running sequential activities that return a
// small value. The workflow measures each step itself, as the difference between the times of
// consecutive activations (ctx.now()), and returns the list.
#include "common.hpp"
#include "client/core_access.hpp"
#include "scenarios.hpp"
#include "step_workflow.hpp"

#include "runtime/core.hpp"

#include <perdure/perdure.hpp>

#include <algorithm>

using namespace std::chrono_literals;

namespace perdure::bench {

namespace {
int echo(perdure::activity_context&, int i) { return i; }

/// Runs `steps` activities with the given options; returns the microseconds between activations.
perdure::workflow<std::vector<std::int64_t>> time_activities(perdure::workflow_context& ctx, int steps,
                                                             perdure::activity_options options) {
    std::vector<std::int64_t> gaps_us;
    gaps_us.reserve(static_cast<std::size_t>(steps));
    auto last = ctx.now();
    for (int i = 0; i < steps; ++i) {
        co_await ctx.execute_activity(echo_activity, i, options);
        const auto now = ctx.now();
        gaps_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - last).count());
        last = now;
    }
    co_return gaps_us;
}

perdure::workflow<std::vector<std::int64_t>> steps_impl(perdure::workflow_context& ctx, int steps) {
    return time_activities(ctx, steps, {.start_to_close_timeout = 10s});
}

/// Activities the retry policy never repeats: each attempt is marked durably before it runs.
perdure::workflow<std::vector<std::int64_t>> single_attempt_steps_impl(perdure::workflow_context& ctx, int steps) {
    return time_activities(ctx, steps,
                           {.start_to_close_timeout = 10s, .retry = perdure::retry_policy{.maximum_attempts = 1}});
}
const perdure::workflow_def<std::vector<std::int64_t>, int> single_attempt_steps_workflow{"SingleAttemptSteps",
                                                                                          &single_attempt_steps_impl};
}   // namespace

extern const perdure::activity_def<int, int> echo_activity{"Echo", &echo};
extern const perdure::workflow_def<std::vector<std::int64_t>, int> steps_workflow{"Steps", &steps_impl};

std::vector<double> time_steps(perdure::client c, const std::string& task_queue, const std::string& id, int steps) {
    const auto gaps = c.start_workflow(steps_workflow, steps, {.id = id, .task_queue = task_queue}).get();
    if (gaps.size() != static_cast<std::size_t>(steps))
        throw std::runtime_error("the workflow ran a wrong number of steps");
    return {gaps.begin(), gaps.end()};
}

namespace {

struct step_run {
    std::vector<double> gaps_us;
    std::uint64_t commits = 0;
    /// The mean time a batch took in the store's writer: the step's part spent in the database.
    double batch_us = 0;
};

step_run run_steps(const settings& s, const char* name, int steps,
                   const perdure::workflow_def<std::vector<std::int64_t>, int>& workflow = steps_workflow) {
    const std::string path = fresh_database(s, name);
    step_run out;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(workflow).register_activity(echo_activity);
        engine.start();
        const auto& core = *perdure::detail::core_access::core(engine);
        const auto before = core.batches();
        const auto committing_before = core.committing_time();
        const auto gaps =
            engine.client_for("bench").start_workflow(workflow, steps, {.id = name, .task_queue = "bench"}).get();
        if (gaps.size() != static_cast<std::size_t>(steps))
            throw std::runtime_error("the workflow ran a wrong number of steps");
        out.gaps_us.assign(gaps.begin(), gaps.end());
        out.commits = core.batches() - before;
        if (out.commits > 0)
            out.batch_us = static_cast<double>((core.committing_time() - committing_before).count()) /
                           static_cast<double>(out.commits);
    }
    remove_database(s, path);
    return out;
}

}   // namespace

void run_step_latency(const settings& s) {
    const int steps = static_cast<int>(s.size(1000, 20));
    const auto r = run_steps(s, "step-latency", steps);
    const auto l = summarize(r.gaps_us);
    emit({{"scenario", "step_latency"},
          {"durability", to_string(s.durability)},
          {"steps", steps},
          {"mean_us", l.mean},
          {"p50_us", l.p50},
          {"p99_us", l.p99},
          {"commits_per_step", static_cast<double>(r.commits) / steps},
          {"batch_us", r.batch_us}});
}

void run_step_latency_single_attempt(const settings& s) {
    const int steps = static_cast<int>(s.size(1000, 20));
    const auto r = run_steps(s, "step-latency-single-attempt", steps, single_attempt_steps_workflow);
    const auto l = summarize(r.gaps_us);
    emit({{"scenario", "step_latency_single_attempt"},
          {"durability", to_string(s.durability)},
          {"steps", steps},
          {"mean_us", l.mean},
          {"p50_us", l.p50},
          {"p99_us", l.p99},
          {"commits_per_step", static_cast<double>(r.commits) / steps},
          {"batch_us", r.batch_us}});
}

void run_long_history(const settings& s) {
    const int steps = static_cast<int>(s.size(12'500, 300));   // 50,002 events
    // A window of 1,000 steps holds several WAL checkpoints wherever it falls (one every 250
    // or so steps, a few ms each); 100 steps would hold none or one, and the ratio would say
    // where the checkpoints fell rather than whether steps slow down as the history grows.
    const std::size_t window = std::min<std::size_t>(1000, static_cast<std::size_t>(steps) / 3);
    const auto r = run_steps(s, "long-history", steps);
    const double early = mean(r.gaps_us, 0, window);
    const double late = mean(r.gaps_us, r.gaps_us.size() - window, r.gaps_us.size());
    emit({{"scenario", "long_history"},
          {"durability", to_string(s.durability)},
          {"steps", steps},
          {"window_steps", window},
          {"late_to_early_step_ratio", late / early},
          {"first_window_mean_us", early},
          {"last_window_mean_us", late},
          {"mean_us", summarize(r.gaps_us).mean}});
}

}   // namespace perdure::bench
