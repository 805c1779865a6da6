// Deterministic workflow primitives give the same answers live and when rebuilt by replay:
// time, randomness, side effects, all / any, spawned tasks and conditions.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

std::atomic<int> side_effect_calls{0};
std::vector<std::string> live_draws;   // what the first, live activation saw

struct observations {
    std::vector<std::string> values;
};
BOOST_DESCRIBE_STRUCT(observations, (), (values))

perdure::workflow<observations> observe(perdure::workflow_context& ctx) {
    observations o;
    auto stamp = [&] {
        return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count());
    };
    o.values.push_back(stamp());
    o.values.push_back(std::to_string(ctx.random()));
    o.values.push_back(ctx.uuid());
    o.values.push_back(std::to_string(co_await ctx.side_effect([] { return ++side_effect_calls * 1000; })));
    if (!ctx.is_replaying()) live_draws = o.values;
    co_await ctx.sleep(1h);
    o.values.push_back(stamp());
    o.values.push_back(std::to_string(ctx.random()));
    co_return o;
}
const perdure::workflow_def observe_workflow{"Observe", &observe};

const perdure::activity_def<int, int> twice{"Twice", [](perdure::activity_context&, int n) { return 2 * n; }};
const perdure::activity_def<int, int> fail_for{"FailFor", [](perdure::activity_context&, int n) -> int {
                                                   throw perdure::application_error("failing " + std::to_string(n), "F",
                                                                                    true);
                                               }};

perdure::workflow<std::string> fan_out(perdure::workflow_context& ctx) {
    const perdure::activity_options o{.start_to_close_timeout = 10s};
    auto [a, b, c] =
        co_await perdure::all(ctx.execute_activity(twice, 1, o), ctx.execute_activity(twice, 2, o), ctx.sleep(1s));
    (void)c;
    std::vector<perdure::future<int>> many;
    for (int i = 0; i < 5; ++i) many.push_back(ctx.execute_activity(twice, i, o));
    auto all_many = co_await perdure::all(many);
    int sum = 0;
    for (int v : all_many) sum += v;
    auto slow = ctx.sleep(1h);
    auto fast = ctx.sleep(1min);
    const auto first = co_await perdure::any(slow, fast);
    std::string failure;
    try {
        co_await perdure::all(ctx.execute_activity(twice, 1, o), ctx.execute_activity(fail_for, 7, o));
    } catch (const perdure::activity_error& e) {
        failure = e.what();
    }
    co_return std::to_string(a + b) + "," + std::to_string(sum) + "," + std::to_string(first) + "," + failure;
}
const perdure::workflow_def fan_out_workflow{"FanOut", &fan_out};

perdure::workflow<std::string> tasks_and_conditions(perdure::workflow_context& ctx) {
    std::vector<std::string> log;
    int counter = 0;
    auto t1 = ctx.spawn([&]() -> perdure::workflow<void> {
        co_await ctx.sleep(2s);
        counter += 1;
        log.push_back("t1");
    });
    auto t2 = ctx.spawn([&]() -> perdure::workflow<void> {
        co_await ctx.sleep(1s);
        counter += 10;
        log.push_back("t2");
    });
    const bool reached = co_await ctx.wait_condition([&] { return counter == 11; });
    const bool timed_out = !(co_await ctx.wait_condition([&] { return counter == 99; }, 5s));
    co_await perdure::all(t1, t2);
    std::string out;
    for (const auto& l : log) out += l + " ";
    co_return out + (reached ? "reached " : "") + (timed_out ? "timed-out" : "");
}
const perdure::workflow_def tasks_workflow{"Tasks", &tasks_and_conditions};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(observe_workflow)
        .register_workflow(fan_out_workflow)
        .register_workflow(tasks_workflow)
        .register_activity(twice)
        .register_activity(fail_for);
}

void run_until_closed(engine_fixture& f, const perdure::detail::workflow_handle_base& h) {
    for (int i = 0; i < 100 && const_cast<perdure::detail::workflow_handle_base&>(h).describe().status ==
                                   perdure::workflow_status::running;
         ++i)
        f.advance(1s);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(determinism)

BOOST_AUTO_TEST_CASE(time_randomness_and_side_effects_are_the_same_live_and_replayed) {
    // Live with a cache, then the same start on a fresh file with every activation replayed.
    std::vector<std::string> results[2];
    int calls[2];
    for (int pass = 0; pass < 2; ++pass) {
        engine_fixture f({.workflow_cache_size = pass == 0 ? 10u : 0u});
        f.open(setup);
        side_effect_calls = 0;
        auto run = f.client().start_workflow(observe_workflow, {.id = "o", .task_queue = "q"});
        f.advance(1h);
        results[pass] = run.get().values;
        calls[pass] = side_effect_calls;
        // The final values were computed again by replay (pass 1) and match the live draws.
        for (std::size_t i = 0; i < live_draws.size(); ++i) BOOST_TEST(results[pass][i] == live_draws[i]);
        BOOST_TEST(results[pass][4] == std::to_string(std::stoll(results[pass][0]) + 3600));
    }
    BOOST_TEST(calls[0] == 1);
    BOOST_TEST(calls[1] == 1);   // replays read the recorded marker instead of calling again
    BOOST_TEST(results[0][3] == "1000");
    BOOST_TEST(results[1][3] == "1000");
    BOOST_TEST(results[0][2].size() == 36u);
}

BOOST_AUTO_TEST_CASE(all_and_any_resolve_in_event_order_live_and_replayed) {
    for (std::size_t cache : {10u, 0u}) {
        engine_fixture f({.workflow_cache_size = cache});
        f.open(setup);
        auto run = f.client().start_workflow(fan_out_workflow, {.id = "f", .task_queue = "q"});
        run_until_closed(f, run);
        const auto r = run.get();
        BOOST_TEST(r.find("6,20,1,activity FailFor (id 9) failed: failing 7") == 0u, r);
    }
}

BOOST_AUTO_TEST_CASE(spawned_tasks_and_conditions_interleave_the_same_way_on_replay) {
    for (std::size_t cache : {10u, 0u}) {
        engine_fixture f({.workflow_cache_size = cache});
        f.open(setup);
        auto run = f.client().start_workflow(tasks_workflow, {.id = "t", .task_queue = "q"});
        run_until_closed(f, run);
        BOOST_TEST(run.get() == "t2 t1 reached timed-out");
    }
}

BOOST_AUTO_TEST_SUITE_END()
