// The built-in __stack_trace query: what each coroutine of a blocked run waits on, with the
// line of its co_await, live and after the engine is reopened (the run rebuilt from history).
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <source_location>
#include <thread>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

/// The line of each co_await the waiter workflow blocks on, by wait kind.
std::map<std::string, unsigned> lines;
unsigned next_line(std::source_location here = std::source_location::current()) { return here.line() + 1; }

/// Holds the activity until the test ends, so the run stays blocked on it.
struct hold {
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;
    void wait() {
        std::unique_lock lk(mutex);
        changed.wait(lk, [&] { return released; });
    }
    void release() {
        std::lock_guard lk(mutex);
        released = true;
        changed.notify_all();
    }
} activity_hold;

const perdure::activity_def<std::string, std::string> held_activity{"Held",
                                                                    [](perdure::activity_context&, std::string s) {
                                                                        activity_hold.wait();
                                                                        return s;
                                                                    }};

perdure::workflow<void> nap(perdure::workflow_context& ctx) {
    lines["nap"] = next_line();
    co_await ctx.sleep(2h);
}

perdure::workflow<std::string> waiter(perdure::workflow_context& ctx, std::string kind);
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

/// Blocks on the wait `kind` names, so the stack trace has something to say about it.
perdure::workflow<std::string> waiter(perdure::workflow_context& ctx, std::string kind) {
    bool flag = false;
    ctx.set_update_handler("approve", [&](std::string who) -> perdure::workflow<std::string> {
        lines["update"] = next_line();
        co_await ctx.wait_condition([&] { return flag; });
        co_return who;
    });
    auto go = ctx.signal_channel<std::string>("go");
    if (kind == "timer") {
        lines[kind] = next_line();
        co_await ctx.sleep(1h);
    } else if (kind == "activity") {
        lines[kind] = next_line();
        co_await ctx.execute_activity(held_activity, "x", {.start_to_close_timeout = 1h});
    } else if (kind == "child") {
        lines[kind] = next_line();
        co_await ctx.execute_child_workflow(waiter_workflow, "signal", {.id = "the-child"});
    } else if (kind == "nexus") {
        lines[kind] = next_line();
        co_await ctx.nexus_client("ep", "svc").execute_operation<std::string>("op", std::string("x"));
    } else if (kind == "signal") {
        lines[kind] = next_line();
        co_await go.receive();
    } else if (kind == "condition") {
        lines[kind] = next_line();
        co_await ctx.wait_condition([&] { return flag; }, 30min);
    } else if (kind == "any") {
        auto timer = ctx.sleep(1h);
        auto signal = go.receive();
        lines[kind] = next_line();
        co_await perdure::any(timer, signal);
    } else if (kind == "helper") {
        lines[kind] = next_line();
        co_await nap(ctx);
    } else if (kind == "task") {
        auto task = ctx.spawn([&]() -> perdure::workflow<void> {
            lines["task-body"] = next_line();
            co_await go.receive();
        });
        lines[kind] = next_line();
        co_await task;
    }
    lines["main-signal"] = next_line();
    co_await go.receive();
    co_return kind;
}

void setup(perdure::engine& e) {
    e.namespaces().ensure("handler-ns");
    e.nexus_endpoints().ensure({.name = "ep", .target_namespace = "handler-ns", .target_task_queue = "nobody-tq"});
    e.add_worker("default", "q").register_workflow(waiter_workflow).register_activity(held_activity);
}

std::string at(const std::string& kind) { return "stack_trace_tests.cpp:" + std::to_string(lines.at(kind)) + ":"; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}   // namespace

BOOST_AUTO_TEST_SUITE(stack_trace)

BOOST_AUTO_TEST_CASE(a_blocked_run_says_what_it_waits_on_and_where) {
    struct expectation {
        std::string kind, waiting;
    };
    const std::vector<expectation> cases{
        {"timer", "coroutine main [waiting on timer 1 (3600s)]"},
        {"activity", "coroutine main [waiting on activity Held (activity id 1)]"},
        {"child", "coroutine main [waiting on child workflow Waiter (workflow id the-child)]"},
        {"nexus", "coroutine main [waiting on Nexus operation svc/op (endpoint ep)]"},
        {"signal", "coroutine main [waiting on signal channel go]"},
        {"condition", "coroutine main [waiting on condition (timeout 1800s)]"},
        {"any", "coroutine main [waiting on any of: timer 1 (3600s), signal channel go]"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.kind) {
            engine_fixture f;
            f.open(setup);
            auto run = f.client().start_workflow(waiter_workflow, c.kind, {.id = "w-" + c.kind, .task_queue = "q"});
            f.settle();
            const auto before = run.history().size();
            const auto trace = run.query<std::string>("__stack_trace");
            BOOST_TEST(trace.starts_with(c.waiting + ":\n"), trace);
            BOOST_TEST(has(trace, at(c.kind)), trace);
            BOOST_TEST(has(trace, "waiter("), trace);
            BOOST_TEST(run.history().size() == before);   // asking recorded nothing
            if (c.kind == "activity") activity_hold.release();
        }
    }
}

BOOST_AUTO_TEST_CASE(a_helper_coroutine_shows_as_a_frame_above_its_caller) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(waiter_workflow, "helper", {.id = "h", .task_queue = "q"});
    f.idle();
    const auto trace = run.query<std::string>("__stack_trace");
    BOOST_TEST(trace.starts_with("coroutine main [waiting on timer 1 (7200s)]:\n"), trace);
    // Innermost first, as a stack: the helper's co_await, then the one in the workflow function.
    const auto inner = trace.find(at("nap")), outer = trace.find(at("helper"));
    BOOST_TEST(inner != std::string::npos, trace);
    BOOST_TEST(outer != std::string::npos, trace);
    BOOST_TEST(inner < outer, trace);
    BOOST_TEST(trace.find("nap(") < trace.find("waiter("), trace);
}

BOOST_AUTO_TEST_CASE(spawned_tasks_and_update_handlers_get_a_block_each) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(waiter_workflow, "task", {.id = "t", .task_queue = "q"});
    f.idle();
    std::thread updater([&] {
        try {
            run.update<std::string>("approve", std::string("ada"), "u-1");
        } catch (...) {
        }
    });
    // The update is accepted once its handler runs: wait for its block, without sleeping.
    std::string trace;
    for (int i = 0; i < 10'000 && !has(trace, "coroutine update"); ++i) {
        f.idle();
        trace = run.query<std::string>("__stack_trace");
    }
    BOOST_TEST(has(trace, "coroutine main [waiting on task 1 (ctx.spawn)]:\n"), trace);
    BOOST_TEST(has(trace, at("task")), trace);
    BOOST_TEST(has(trace, "coroutine task 1 [waiting on signal channel go]:\n"), trace);
    BOOST_TEST(has(trace, at("task-body")), trace);
    BOOST_TEST(has(trace, "coroutine update approve (update id u-1) [waiting on condition]:\n"), trace);
    BOOST_TEST(has(trace, at("update")), trace);

    const auto json = run.query<boost::json::object>("__enhanced_stack_trace");
    const auto& stacks = json.at("stacks").as_array();
    BOOST_TEST(stacks.size() == 3u);
    const auto& main = stacks.at(0).as_object();
    BOOST_TEST(main.at("coroutine") == "main");
    BOOST_TEST(main.at("waiting_on").as_array().at(0).at("kind") == "task");
    BOOST_TEST(main.at("locations").as_array().at(0).at("line").to_number<unsigned>() == lines.at("task"));

    run.terminate("done");
    updater.join();
}

BOOST_AUTO_TEST_CASE(a_run_rebuilt_from_history_after_a_reopen_answers_the_same) {
    for (std::size_t cache : {10u, 0u}) {
        BOOST_TEST_CONTEXT("cache " << cache) {
            engine_fixture f({.workflow_cache_size = cache});
            f.open(setup);
            auto run = f.client().start_workflow(waiter_workflow, "helper", {.id = "r", .task_queue = "q"});
            f.idle();
            const auto live = run.query<std::string>("__stack_trace");
            f.close();
            f.open(setup);
            const auto replays = f.replays();
            auto again = f.client().get_handle("r");
            const auto replayed = again.query<std::string>("__stack_trace");
            BOOST_TEST(replayed == live);
            BOOST_TEST(f.replays() > replays);   // it was rebuilt from history to answer
            // Once the timers fired and the run moved on, it waits on its signal instead.
            f.advance(2h);
            f.idle();
            const auto moved = again.query<std::string>("__stack_trace");
            BOOST_TEST(moved.starts_with("coroutine main [waiting on signal channel go]:\n"), moved);
            BOOST_TEST(has(moved, at("main-signal")), moved);
            again.signal("go", std::string("now"));
            BOOST_TEST(again.get().as_string() == "helper");
            // Closed: nothing waits any more.
            BOOST_TEST(again.query<std::string>("__stack_trace") == "");
        }
    }
}

perdure::workflow<int> own_trace(perdure::workflow_context& ctx) {
    ctx.set_query_handler("__stack_trace", [] { return std::string("mine"); });
    co_await ctx.sleep(1h);
    co_return 1;
}

BOOST_AUTO_TEST_CASE(a_workflow_handler_named_stack_trace_takes_precedence) {
    const perdure::workflow_def own{"Own", &own_trace};
    engine_fixture f;
    f.open([&](perdure::engine& e) { e.add_worker("default", "q").register_workflow(own); });
    auto run = f.client().start_workflow(own, {.id = "o", .task_queue = "q"});
    f.idle();
    BOOST_TEST(run.query<std::string>("__stack_trace") == "mine");
}

BOOST_AUTO_TEST_SUITE_END()
