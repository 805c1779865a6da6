// Limits and hostile input: payload and history limits as Temporal applies them, retention of
// closed runs, names with quotes, unicode and SQL fragments, namespace isolation.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

const perdure::activity_def<std::string, std::string> echo{"Echo",
                                                           [](perdure::activity_context&, std::string s) { return s; }};

perdure::workflow<std::string> send_big(perdure::workflow_context& ctx, int bytes) {
    co_return co_await ctx.execute_activity(echo, std::string(static_cast<std::size_t>(bytes), 'x'),
                                            {.start_to_close_timeout = 10s});
}
const perdure::workflow_def big_workflow{"SendBig", &send_big};

perdure::workflow<int> endless(perdure::workflow_context& ctx) {
    for (int i = 0;; ++i) co_await ctx.execute_activity(echo, std::to_string(i), {.start_to_close_timeout = 10s});
}
const perdure::workflow_def endless_workflow{"Endless", &endless};

perdure::workflow<std::string> quick(perdure::workflow_context&, std::string s) { co_return s; }
const perdure::workflow_def quick_workflow{"Quick", &quick};

perdure::workflow<std::string> poke(perdure::workflow_context& ctx, std::string target) {
    try {
        co_await ctx.signal_external_workflow(target, "", "hello", 1);
    } catch (const perdure::application_error& e) {
        co_return e.type();
    }
    co_return "delivered";
}
const perdure::workflow_def poke_workflow{"Poke", &poke};

perdure::workflow<void> waiting(perdure::workflow_context& ctx) { co_await ctx.signal_channel<int>("hello").receive(); }
const perdure::workflow_def waiting_workflow{"Waiting", &waiting};

// A child id holding NUL is refused where the workflow asks for the child, before anything is recorded.
perdure::workflow<std::string> nul_child(perdure::workflow_context& ctx) {
    try {
        co_return co_await ctx.execute_child_workflow(quick_workflow, "x", {.id = std::string("kid\0x", 5)});
    } catch (const perdure::invalid_argument& e) {
        co_return e.what();
    }
}
const perdure::workflow_def nul_child_workflow{"NulChild", &nul_child};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(nul_child_workflow)
        .register_workflow(big_workflow)
        .register_workflow(endless_workflow)
        .register_workflow(quick_workflow)
        .register_workflow(poke_workflow)
        .register_workflow(waiting_workflow)
        .register_activity(echo);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(an_oversized_payload_is_refused_with_the_limit_named) {
    engine_fixture f({.limits = {.max_payload_bytes = 1000}});
    f.open(setup);
    try {
        f.client().start_workflow(quick_workflow, std::string(5000, 'y'), {.id = "q", .task_queue = "q"});
        BOOST_FAIL("expected invalid_argument");
    } catch (const perdure::invalid_argument& e) {
        BOOST_TEST(
            std::string(e.what()).find("the limit is 1000 (engine_limits::max_payload_bytes)") != std::string::npos,
            e.what());
    }
    // A command carrying one terminates the run, as Temporal's server does: the task would fail
    // the same way each time.
    auto run = f.client().start_workflow(big_workflow, 5000, {.id = "b", .task_queue = "q"});
    f.idle();
    BOOST_TEST(run.describe().status == perdure::workflow_status::terminated);
    const auto history = run.history();
    BOOST_REQUIRE(history.size() >= 2u);
    BOOST_TEST(history[history.size() - 2].event_type == "WorkflowTaskFailed");
    BOOST_TEST(history.back().attributes.at("reason").as_string().find("payloads are limited to 1000 bytes") !=
               std::string::npos);
    BOOST_CHECK_THROW(run.signal("s", std::string(5000, 'z')), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_run_past_the_history_limit_is_terminated_saying_why) {
    engine_fixture f({.limits = {.max_history_events = 40}});
    f.open(setup);
    auto run = f.client().start_workflow(endless_workflow, {.id = "e", .task_queue = "q"});
    f.idle();
    const auto info = run.describe();
    BOOST_TEST(info.status == perdure::workflow_status::terminated);
    BOOST_TEST(info.history_length <= 45);
    BOOST_TEST(run.history().back().attributes.at("reason").as_string().find("history count exceeds limit (40") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(closed_runs_are_deleted_after_the_namespace_retention) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(quick_workflow, std::string("old"), {.id = "old", .task_queue = "q"});
    run.get();
    auto open_run = f.client().start_workflow(waiting_workflow, {.id = "open", .task_queue = "q"});
    f.advance(24h * 6);
    BOOST_TEST(run.describe().status == perdure::workflow_status::completed);
    f.advance(24h * 2);   // past the 7-day retention
    f.idle();
    BOOST_CHECK_THROW(run.describe(), perdure::not_found);
    BOOST_TEST(open_run.describe().status == perdure::workflow_status::running);   // open runs are kept
}

BOOST_AUTO_TEST_CASE(a_namespace_retention_can_be_shortened_and_bad_values_are_refused) {
    engine_fixture f;
    f.open(setup);
    BOOST_TEST(f.engine().namespaces().describe("default").retention == std::chrono::milliseconds(24h * 7));
    BOOST_TEST(f.engine().namespaces().set_retention("default", 1h).retention == std::chrono::milliseconds(1h));
    BOOST_CHECK_THROW(f.engine().namespaces().set_retention("default", 0ms), perdure::invalid_argument);
    BOOST_CHECK_THROW(f.engine().namespaces().set_retention("nowhere", 1h), perdure::not_found);
    auto run = f.client().start_workflow(quick_workflow, std::string("short"), {.id = "short", .task_queue = "q"});
    run.get();
    f.advance(61min);
    f.idle();
    BOOST_CHECK_THROW(run.describe(), perdure::not_found);
    f.open(setup);   // the retention is persisted
    BOOST_TEST(f.engine().namespaces().describe("default").retention == std::chrono::milliseconds(1h));
}

BOOST_AUTO_TEST_CASE(hostile_names_are_stored_and_shown_exactly) {
    engine_fixture f;
    f.open(setup);
    for (const std::string& id : {std::string("quote'\"; DROP TABLE history; --"), std::string("unicode ✓ 雪 🚀"),
                                  std::string("%_ LIKE wildcards"), std::string(1000, 'l')}) {
        auto run = f.client().start_workflow(quick_workflow, id, {.id = id, .task_queue = "q"});
        BOOST_TEST(run.get() == id);
        BOOST_TEST(f.client().get_handle(id).describe().workflow_id == id);
    }
    BOOST_CHECK_THROW(
        f.client().start_workflow(quick_workflow, std::string(), {.id = std::string(1001, 'l'), .task_queue = "q"}),
        perdure::invalid_argument);
    // PostgreSQL's text cannot hold NUL, so no store takes it: the same program runs on both.
    BOOST_CHECK_EXCEPTION(f.client().start_workflow(quick_workflow, std::string("x"),
                                                    {.id = std::string("nul\0inside", 10), .task_queue = "q"}),
                          perdure::invalid_argument, [](const perdure::invalid_argument& e) {
                              return std::string(e.what()).find("NUL character at byte 3") != std::string::npos;
                          });
    auto parent = f.client().start_workflow(nul_child_workflow, {.id = "nul-child", .task_queue = "q"});
    BOOST_TEST(parent.get().find("child_workflow_options::id holds a NUL character") != std::string::npos);
    for (const auto& e : parent.history()) BOOST_TEST(e.event_type != "StartChildWorkflowExecutionInitiated");
    // In an input it is JSON's \u0000, and comes back exactly.
    const std::string with_nul("a\0b", 3);
    BOOST_TEST(f.client().start_workflow(quick_workflow, with_nul, {.id = "nul-input", .task_queue = "q"}).get() ==
               with_nul);
    BOOST_TEST(f.client().list().size() == 6u);
}

BOOST_AUTO_TEST_CASE(one_namespace_cannot_reach_another_except_through_nexus) {
    engine_fixture f;
    f.open([](perdure::engine& e) {
        e.namespaces().ensure("other");
        setup(e);
        e.add_worker("other", "q").register_workflow(waiting_workflow);
    });
    f.client("other").start_workflow(waiting_workflow, {.id = "secret", .task_queue = "q"});
    auto run = f.client().start_workflow(poke_workflow, std::string("secret"), {.id = "p", .task_queue = "q"});
    BOOST_TEST(run.get() == "ExternalWorkflowExecutionNotFound");
    BOOST_CHECK_THROW(f.client().get_handle("secret").describe(), perdure::not_found);
    BOOST_CHECK_THROW(f.client().get_handle("secret").signal("hello", 1), perdure::not_found);
    BOOST_TEST(f.client("other").get_handle("secret").describe().status == perdure::workflow_status::running);
}

BOOST_AUTO_TEST_SUITE_END()
