// Deterministic concurrency: workflows with randomly shaped interleavings of spawned tasks,
// timers, activities and conditions run live; after a restart, replay must rebuild exactly
// the same trace. Also versioning with patches across code changes.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

const perdure::activity_def<int, int> echo{"Echo", [](perdure::activity_context&, int n) { return n; }};

/// Several tasks doing seed-shaped steps; every step appends to one trace.
perdure::workflow<std::vector<std::string>> interleave(perdure::workflow_context& ctx, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> trace;
    int progress = 0;
    ctx.set_query_handler("trace", [&] { return trace; });
    const int tasks = 2 + static_cast<int>(rng() % 4);
    std::vector<perdure::future<void>> running;
    for (int t = 0; t < tasks; ++t) {
        std::vector<int> plan;
        for (int s = 0, n = 2 + static_cast<int>(rng() % 4); s < n; ++s) plan.push_back(static_cast<int>(rng() % 100));
        running.push_back(ctx.spawn(
            [&ctx, &trace, &progress](int id, std::vector<int> steps) -> perdure::workflow<void> {
                for (std::size_t s = 0; s < steps.size(); ++s) {
                    const int kind = steps[s] % 4;
                    if (kind == 0) co_await ctx.sleep(std::chrono::milliseconds(1 + steps[s] % 5));
                    if (kind == 1) co_await ctx.execute_activity(echo, steps[s], {.start_to_close_timeout = 10s});
                    if (kind == 2)
                        co_await ctx.wait_condition([&progress, s] { return progress >= static_cast<int>(s); });
                    if (kind == 3)
                        co_await perdure::any(ctx.sleep(2ms),
                                              ctx.execute_activity(echo, s, {.start_to_close_timeout = 10s}));
                    ++progress;
                    trace.push_back(std::to_string(id) + "." + std::to_string(s) + ":" + std::to_string(kind));
                }
            },
            t, plan));
    }
    co_await perdure::all(running);
    co_return trace;
}
const perdure::workflow_def interleave_workflow{"Interleave", &interleave};

const perdure::activity_def<std::string, std::string> old_step{
    "OldStep", [](perdure::activity_context&, std::string s) { return "old " + s; }};
const perdure::activity_def<std::string, std::string> new_step{
    "NewStep", [](perdure::activity_context&, std::string s) { return "new " + s; }};

// The change: OldStep becomes NewStep. Runs that already did OldStep must replay it.
perdure::workflow<std::string> versioned_v1(perdure::workflow_context& ctx, std::string s) {
    auto r = co_await ctx.execute_activity(old_step, s, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(1h);
    co_return r;
}
perdure::workflow<std::string> versioned_v2(perdure::workflow_context& ctx, std::string s) {
    std::string r;
    if (ctx.patched("new-step"))
        r = co_await ctx.execute_activity(new_step, s, {.start_to_close_timeout = 10s});
    else
        r = co_await ctx.execute_activity(old_step, s, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(1h);
    co_return r;
}
perdure::workflow<std::string> versioned_v3(perdure::workflow_context& ctx, std::string s) {
    ctx.deprecate_patch("new-step");
    auto r = co_await ctx.execute_activity(new_step, s, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(1h);
    co_return r;
}
const perdure::workflow_def v1_def{"Versioned", &versioned_v1};
const perdure::workflow_def v2_def{"Versioned", &versioned_v2};
const perdure::workflow_def v3_def{"Versioned", &versioned_v3};

}   // namespace

BOOST_AUTO_TEST_SUITE(interleaving)

BOOST_AUTO_TEST_CASE(one_hundred_random_interleavings_replay_to_the_same_trace_after_a_restart) {
    engine_fixture f;
    auto setup = [](perdure::engine& e) {
        e.add_worker("default", "q").register_workflow(interleave_workflow).register_activity(echo);
    };
    f.open(setup);
    std::vector<std::vector<std::string>> live;
    for (unsigned seed = 0; seed < 100; ++seed) {
        auto run = f.client().start_workflow(interleave_workflow, seed,
                                             {.id = "i-" + std::to_string(seed), .task_queue = "q"});
        for (int i = 0; i < 300 && run.describe().status == perdure::workflow_status::running; ++i) f.advance(1ms);
        live.push_back(run.get());
    }
    f.close();
    f.open(setup);
    for (unsigned seed = 0; seed < 100; ++seed) {
        BOOST_TEST_CONTEXT("seed " << seed) {
            const auto replayed =
                f.client().get_handle("i-" + std::to_string(seed)).query<std::vector<std::string>>("trace");
            BOOST_TEST(replayed == live[seed], boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_patch_keeps_old_runs_on_the_old_branch_and_new_runs_on_the_new_one) {
    engine_fixture f;
    auto with = [](const perdure::workflow_def<std::string, std::string>& def) {
        return [&def](perdure::engine& e) {
            e.add_worker("default", "q").register_workflow(def).register_activity(old_step).register_activity(new_step);
        };
    };
    f.open(with(v1_def));
    f.client().start_workflow(v1_def, std::string("a"), {.id = "before-patch", .task_queue = "q"});
    f.idle();
    f.close();

    f.open(with(v2_def));   // deployed after "before-patch" did OldStep, while it waits on its timer
    f.client().start_workflow(v2_def, std::string("b"), {.id = "after-patch", .task_queue = "q"});
    f.advance(1h);
    BOOST_TEST(f.client().get_handle<std::string>("before-patch").get() == "old a");
    BOOST_TEST(f.client().get_handle<std::string>("after-patch").get() == "new b");
    f.close();

    f.open(with(v3_def));   // every run before the patch has closed: deprecate it
    f.client().start_workflow(v3_def, std::string("c"), {.id = "deprecated", .task_queue = "q"});
    f.advance(1h);
    BOOST_TEST(f.client().get_handle<std::string>("deprecated").get() == "new c");
    // Runs recorded with v2 still replay under v3: a query on a closed run replays it.
    try {
        f.client().get_handle("after-patch").query<int>("none");
        BOOST_FAIL("expected query_failed_error");
    } catch (const perdure::query_failed_error& e) {
        BOOST_TEST(std::string(e.what()).find("no query handler named 'none'") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
