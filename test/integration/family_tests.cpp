// Child workflows and their close policies, external signals and cancels, continue-as-new,
// workflow timeouts and retries, memo.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

perdure::workflow<int> square(perdure::workflow_context& ctx, int n) {
    if (n < 0) throw perdure::application_error("negative input", "Negative", true);
    co_await ctx.sleep(1s);
    co_return n* n;
}
const perdure::workflow_def square_workflow{"Square", &square};

perdure::workflow<int> sum_of_squares(perdure::workflow_context& ctx, std::vector<int> ns) {
    std::vector<perdure::future<int>> children;
    for (int n : ns)
        children.push_back(ctx.execute_child_workflow(square_workflow, n, {.id = "sq-" + std::to_string(n)}));
    int sum = 0;
    for (int v : co_await perdure::all(children)) sum += v;
    co_return sum;
}
const perdure::workflow_def sum_workflow{"SumOfSquares", &sum_of_squares};

perdure::workflow<std::string> child_failure(perdure::workflow_context& ctx) {
    try {
        co_await ctx.execute_child_workflow(square_workflow, -1);
    } catch (const perdure::child_workflow_error& e) {
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::application_error& cause) {
            co_return e.workflow_type() + " failed: " + cause.type();
        }
    }
    co_return "no failure";
}
const perdure::workflow_def child_failure_workflow{"ChildFailure", &child_failure};

perdure::workflow<void> sleeper(perdure::workflow_context& ctx) { co_await ctx.sleep(24h); }
const perdure::workflow_def sleeper_workflow{"Sleeper", &sleeper};

struct family_plan {
    std::string policy;
};
BOOST_DESCRIBE_STRUCT(family_plan, (), (policy))
perdure::workflow<void> parent_that_leaves(perdure::workflow_context& ctx, family_plan plan) {
    const auto policy = plan.policy == "abandon"          ? perdure::parent_close_policy::abandon
                        : plan.policy == "request_cancel" ? perdure::parent_close_policy::request_cancel
                                                          : perdure::parent_close_policy::terminate;
    auto child = ctx.execute_child_workflow(sleeper_workflow, {.id = "kid", .parent_close = policy});
    co_await ctx.sleep(1s);   // the child is running; the parent now completes
}
const perdure::workflow_def leaving_parent{"LeavingParent", &parent_that_leaves};

perdure::workflow<int> counter(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(1ms);
    if (n == 0) co_return 0;
    co_await ctx.continue_as_new(n - 1);
    co_return -1;   // never reached
}
const perdure::workflow_def counter_workflow{"Counter", &counter};

/// Runs a Counter child that continues as new twice.
perdure::workflow<int> counting_parent(perdure::workflow_context& ctx) {
    co_return co_await ctx.execute_child_workflow(counter_workflow, 2, {.id = "counting-kid"});
}
const perdure::workflow_def counting_parent_workflow{"CountingParent", &counting_parent};

/// Continues as new at once, `n` times.
perdure::workflow<int> hopper(perdure::workflow_context& ctx, int n) {
    if (n == 0) co_return 0;
    co_await ctx.continue_as_new(n - 1);
    co_return -1;
}
const perdure::workflow_def hopper_workflow{"Hopper", &hopper};

perdure::workflow<int> nest(perdure::workflow_context& ctx, int depth);
const perdure::workflow_def nest_workflow{"Nest", &nest};
/// Starts one child at once, which starts one, `depth` levels down; returns the depth.
perdure::workflow<int> nest(perdure::workflow_context& ctx, int depth) {
    if (depth == 0) co_return 0;
    const int below =
        co_await ctx.execute_child_workflow(nest_workflow, depth - 1, {.id = "nest-" + std::to_string(depth - 1)});
    co_return below + 1;
}

perdure::workflow<std::vector<std::string>> inbox(perdure::workflow_context& ctx, int round) {
    auto ch = ctx.signal_channel<std::string>("msg");
    std::vector<std::string> got;
    if (round == 0) {
        got.push_back(co_await ch.receive());
        co_await ctx.sleep(1s);   // more signals arrive meanwhile and stay unread
        co_await ctx.continue_as_new(1);
    }
    while (auto m = ch.try_receive()) got.push_back(*m);
    co_return got;
}
const perdure::workflow_def inbox_workflow{"Inbox", &inbox};

perdure::workflow<std::string> relay(perdure::workflow_context& ctx, int round) {
    if (round == 0) {
        co_await ctx.sleep(1s);
        co_await ctx.continue_as_new(1);
    }
    co_return co_await ctx.signal_channel<std::string>("msg").receive();
}
const perdure::workflow_def relay_workflow{"Relay", &relay};

perdure::workflow<std::string> pinger(perdure::workflow_context& ctx, std::string target) {
    co_await ctx.signal_external_workflow(target, "", "msg", std::string("ping"));
    try {
        co_await ctx.signal_external_workflow("nobody", "", "msg", std::string("ping"));
    } catch (const perdure::application_error& e) {
        co_return e.type();
    }
    co_return "delivered to nobody";
}
const perdure::workflow_def pinger_workflow{"Pinger", &pinger};

/// Asked to cancel, it takes an hour to clean up.
perdure::workflow<std::string> stubborn(perdure::workflow_context& ctx) {
    try {
        co_await ctx.sleep(24h);
    } catch (const perdure::canceled_error&) {
    }
    co_await ctx.sleep(1h);
    co_return "cleaned up";
}
const perdure::workflow_def stubborn_workflow{"Stubborn", &stubborn};

perdure::workflow<void> canceler(perdure::workflow_context& ctx, std::string target) {
    co_await ctx.request_cancel_external_workflow(target);
    co_await ctx.request_cancel_external_workflow(target);
}
const perdure::workflow_def canceler_workflow{"Canceler", &canceler};

std::atomic<int> flaky_runs{0};
perdure::workflow<int> flaky_workflow_fn(perdure::workflow_context& ctx) {
    if (++flaky_runs < 3) throw perdure::application_error("not yet", "NotYet");
    co_return ctx.info().attempt;
}
const perdure::workflow_def flaky_workflow{"FlakyWorkflow", &flaky_workflow_fn};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(square_workflow)
        .register_workflow(sum_workflow)
        .register_workflow(child_failure_workflow)
        .register_workflow(sleeper_workflow)
        .register_workflow(leaving_parent)
        .register_workflow(counter_workflow)
        .register_workflow(counting_parent_workflow)
        .register_workflow(inbox_workflow)
        .register_workflow(relay_workflow)
        .register_workflow(pinger_workflow)
        .register_workflow(stubborn_workflow)
        .register_workflow(canceler_workflow)
        .register_workflow(flaky_workflow)
        .register_workflow(hopper_workflow)
        .register_workflow(nest_workflow);
}

std::vector<std::string> types(const std::vector<perdure::history_event>& h) {
    std::vector<std::string> out;
    for (const auto& e : h) out.push_back(e.event_type);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(family)

BOOST_AUTO_TEST_CASE(children_run_to_completion_and_their_results_reach_the_parent) {
    for (std::size_t cache : {10u, 0u}) {
        engine_fixture f({.workflow_cache_size = cache});
        f.open(setup);
        auto run = f.client().start_workflow(sum_workflow, std::vector<int>{1, 2, 3}, {.id = "sum", .task_queue = "q"});
        f.advance(1s);
        BOOST_TEST(run.get() == 14);
        const auto t = types(run.history());
        BOOST_TEST(std::count(t.begin(), t.end(), "StartChildWorkflowExecutionInitiated") == 3);
        BOOST_TEST(std::count(t.begin(), t.end(), "ChildWorkflowExecutionStarted") == 3);
        BOOST_TEST(std::count(t.begin(), t.end(), "ChildWorkflowExecutionCompleted") == 3);
        BOOST_TEST(f.client().get_handle<int>("sq-3").get() == 9);
        const auto child_start = f.client().get_handle("sq-2").history().front();
        BOOST_TEST(child_start.attributes.at("parent_workflow_execution").at("workflow_id").as_string() == "sum");
    }
}

BOOST_AUTO_TEST_CASE(every_run_of_a_childs_chain_names_its_parent) {
    engine_fixture f;
    f.open(setup);
    auto parent = f.client().start_workflow(counting_parent_workflow, {.id = "counting", .task_queue = "q"});
    for (int i = 0; i < 5; ++i) f.advance(1ms);
    BOOST_TEST(parent.get() == 0);
    std::int64_t initiated = 0;
    for (const auto& e : parent.history())
        if (e.event_type == "StartChildWorkflowExecutionInitiated") initiated = e.event_id;
    const auto runs = f.client().list("WorkflowId = 'counting-kid'").executions;
    BOOST_REQUIRE_EQUAL(runs.size(), 3u);   // the child and its two continuations
    for (const auto& run : runs) {
        const auto started = f.client().get_handle("counting-kid", run.run_id).history().front().attributes;
        BOOST_TEST(started.at("parent_workflow_execution").at("workflow_id").as_string() == "counting");
        BOOST_TEST(started.at("parent_workflow_execution").at("run_id").as_string() == parent.run_id());
        BOOST_TEST(started.at("parent_initiated_event_id").as_int64() == initiated);
    }
}

BOOST_AUTO_TEST_CASE(children_finish_after_the_parent_process_restarts) {
    engine_fixture f;
    f.open(setup);
    f.client().start_workflow(sum_workflow, std::vector<int>{4, 5}, {.id = "sum", .task_queue = "q"});
    f.idle();
    f.close();
    f.open(setup);
    f.advance(1s);
    BOOST_TEST(f.client().get_handle<int>("sum").get() == 41);
}

BOOST_AUTO_TEST_CASE(a_child_failure_surfaces_as_child_workflow_error_with_its_cause) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(child_failure_workflow, {.id = "cf", .task_queue = "q"});
    BOOST_TEST(run.get() == "Square failed: Negative");
}

BOOST_AUTO_TEST_CASE(parent_close_policies_terminate_cancel_or_abandon_the_child) {
    const std::pair<const char*, perdure::workflow_status> cases[] = {
        {"terminate", perdure::workflow_status::terminated},
        {"request_cancel", perdure::workflow_status::canceled},
        {"abandon", perdure::workflow_status::running}};
    for (const auto& [policy, expected] : cases) {
        engine_fixture f;
        f.open(setup);
        auto run = f.client().start_workflow(leaving_parent, family_plan{policy}, {.id = "p", .task_queue = "q"});
        f.advance(1s);
        run.get();
        f.idle();
        BOOST_TEST_CONTEXT(policy) { BOOST_TEST(f.client().get_handle("kid").describe().status == expected); }
    }
}

BOOST_AUTO_TEST_CASE(a_workflow_asked_twice_to_cancel_another_records_one_request_there) {
    engine_fixture f;
    f.open(setup);
    auto target = f.client().start_workflow(stubborn_workflow, {.id = "stubborn", .task_queue = "q"});
    auto source =
        f.client().start_workflow(canceler_workflow, std::string("stubborn"), {.id = "canceler", .task_queue = "q"});
    source.get();
    const auto count = [](const std::vector<perdure::history_event>& h, const char* type) {
        return std::count_if(h.begin(), h.end(), [&](const auto& e) { return e.event_type == type; });
    };
    BOOST_TEST(count(source.history(), "ExternalWorkflowExecutionCancelRequested") == 2);
    f.advance(1h);
    BOOST_TEST(target.get() == "cleaned up");
    BOOST_TEST(count(target.history(), "WorkflowExecutionCancelRequested") == 1);   // as Temporal: asked once
}

BOOST_AUTO_TEST_CASE(continue_as_new_keeps_each_run_small_and_handles_follow_the_id) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(counter_workflow, 50, {.id = "count", .task_queue = "q"});
    for (int i = 0; i < 60; ++i) f.advance(1ms);
    BOOST_TEST(run.get() == 0);   // get() follows the chain to the last run
    const auto runs = f.client().list();
    BOOST_TEST(runs.size() == 51u);
    for (const auto& r : runs) BOOST_TEST(r.history_length <= 8);
    // Empty braces for the status pick the status overload: every status, newest first.
    const auto newest = f.client().list({}, 2);
    BOOST_TEST(newest.size() == 2u);
    BOOST_TEST(newest.at(0).status == perdure::workflow_status::completed);
    BOOST_TEST(newest.at(1).status == perdure::workflow_status::continued_as_new);
    const auto first = f.client().get_handle("count", run.run_id()).history();
    BOOST_TEST(first.back().event_type == "WorkflowExecutionContinuedAsNew");
    BOOST_TEST(f.client().get_handle("count").describe().status == perdure::workflow_status::completed);
}

BOOST_AUTO_TEST_CASE(a_long_chain_of_runs_each_continuing_at_once_completes_and_get_follows_it) {
    engine_fixture f;
    f.open(setup);
    // Each run starts the next within its own first activation: the engine must not nest a call
    // per run (it overflowed the stack a few thousand runs in), nor give up following the chain.
    auto run = f.client().start_workflow(hopper_workflow, 12'000, {.id = "hop", .task_queue = "q"});
    BOOST_TEST(run.get() == 0);
    BOOST_TEST(f.client().get_handle<int>("hop").get() == 0);
    BOOST_TEST(f.client().count("WorkflowId = 'hop'") == 12'001);
}

BOOST_AUTO_TEST_CASE(a_deep_line_of_children_each_started_at_once_completes) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(nest_workflow, 8'000, {.id = "nest-8000", .task_queue = "q"});
    BOOST_TEST(run.get() == 8'000);
}

BOOST_AUTO_TEST_CASE(a_childs_close_names_its_started_event_even_when_both_arrive_together) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(nest_workflow, 1, {.id = "nest-1", .task_queue = "q"});
    BOOST_TEST(run.get() == 1);
    std::int64_t started = 0;
    for (const auto& e : run.history()) {
        if (e.event_type == "ChildWorkflowExecutionStarted") started = e.event_id;
        if (e.event_type == "ChildWorkflowExecutionCompleted")
            BOOST_TEST(e.attributes.at("started_event_id") == boost::json::value(started));
    }
    BOOST_TEST(started > 0);
}

BOOST_AUTO_TEST_CASE(unread_signals_are_carried_to_the_next_run) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(inbox_workflow, 0, {.id = "in", .task_queue = "q"});
    run.signal("msg", std::string("a"));
    f.idle();
    run.signal("msg", std::string("b"));
    run.signal("msg", std::string("c"));
    f.advance(1s);
    BOOST_TEST(run.get() == (std::vector<std::string>{"b", "c"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_started_handle_follows_its_chain_and_a_run_handle_stays_on_its_run) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(relay_workflow, 0, {.id = "chain", .task_queue = "q"});
    const auto first_run = run.run_id();
    f.advance(1s);   // the first run continues as new
    BOOST_TEST(run.describe().run_id != first_run);
    BOOST_TEST(run.run_id() == first_run);
    BOOST_CHECK_THROW(f.client().get_handle("chain", first_run).signal("msg", std::string("lost")), perdure::not_found);
    run.signal("msg", std::string("b"));   // as in Temporal SDKs: reaches the chain's latest run
    BOOST_TEST(run.get() == "b");

    // The id is reused by a new chain: the old handle must not cancel it.
    auto next = f.client().start_workflow(sleeper_workflow, {.id = "chain", .task_queue = "q"});
    BOOST_CHECK_THROW(run.cancel(), perdure::not_found);
    BOOST_CHECK_THROW(run.terminate(), perdure::not_found);
    next.terminate("done");
    BOOST_TEST(f.client().get_handle("chain").describe().status == perdure::workflow_status::terminated);
}

BOOST_AUTO_TEST_CASE(signal_external_reaches_the_target_or_fails_when_it_does_not_exist) {
    engine_fixture f;
    f.open(setup);
    auto target = f.client().start_workflow(inbox_workflow, 0, {.id = "target", .task_queue = "q"});
    (void)target;
    auto run = f.client().start_workflow(pinger_workflow, std::string("target"), {.id = "pinger", .task_queue = "q"});
    BOOST_TEST(run.get() == "ExternalWorkflowExecutionNotFound");
    const auto t = types(f.client().get_handle("target").history());
    BOOST_TEST(std::count(t.begin(), t.end(), "WorkflowExecutionSignaled") == 1);
}

BOOST_AUTO_TEST_CASE(run_and_execution_timeouts_end_the_run_timed_out) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(sleeper_workflow, {.id = "slow", .task_queue = "q", .run_timeout = 1h});
    f.advance(1h);
    BOOST_TEST(run.describe().status == perdure::workflow_status::timed_out);
    // No retry policy: recorded as Temporal records it.
    BOOST_TEST(run.history().back().attributes.at("retry_state") == "RETRY_POLICY_NOT_SET");
    try {
        run.get();
        BOOST_FAIL("expected workflow_failed_error");
    } catch (const perdure::workflow_failed_error& e) {
        BOOST_CHECK_THROW(std::rethrow_exception(e.cause()), perdure::timeout_error);
    }
    auto chain =
        f.client().start_workflow(counter_workflow, 1000, {.id = "chain", .task_queue = "q", .execution_timeout = 5ms});
    for (int i = 0; i < 10; ++i) f.advance(1ms);
    BOOST_TEST(f.client().get_handle("chain").describe().status == perdure::workflow_status::timed_out);
    const auto last = f.client().get_handle("chain").history();
    BOOST_TEST(last.back().attributes.at("retry_state") == "TIMEOUT");
    // Every run of the chain records the chain's execution timeout, as on Temporal.
    BOOST_TEST(last.front().attributes.at("continued_execution_run_id") != "");
    BOOST_TEST(last.front().attributes.at("workflow_execution_timeout") ==
               chain.history().front().attributes.at("workflow_execution_timeout"));
    BOOST_TEST(last.front().attributes.at("workflow_execution_timeout") != "0s");
}

BOOST_AUTO_TEST_CASE(a_workflow_retry_policy_starts_new_attempts_after_backoff) {
    engine_fixture f;
    f.open(setup);
    flaky_runs = 0;
    auto run = f.client().start_workflow(
        flaky_workflow, {.id = "fw", .task_queue = "q", .retry = perdure::retry_policy{.initial_interval = 10s}});
    f.idle();
    BOOST_TEST(flaky_runs == 1);
    f.advance(10s);
    BOOST_TEST(flaky_runs == 2);
    f.advance(20s);
    BOOST_TEST(run.get() == 3);
    const auto first = f.client().get_handle("fw", run.run_id()).history();
    BOOST_TEST(first.back().attributes.at("retry_state").as_string() == "IN_PROGRESS");
}

// A policy left at its defaults backs off 1 s, then doubles, as its WorkflowExecutionStarted
// records it: the engine waits what the history says.
BOOST_AUTO_TEST_CASE(a_workflow_retry_policy_left_unset_backs_off_as_its_recorded_defaults_say) {
    engine_fixture f;
    f.open(setup);
    flaky_runs = 0;
    auto run = f.client().start_workflow(
        flaky_workflow, {.id = "fd", .task_queue = "q", .retry = perdure::retry_policy{.maximum_attempts = 5}});
    f.idle();
    BOOST_TEST(flaky_runs == 1);
    const auto started = f.client().get_handle("fd", run.run_id()).history().front();
    BOOST_TEST(started.attributes.at("retry_policy").at("initial_interval").as_string() == "1s");
    f.advance(999ms);
    BOOST_TEST(flaky_runs == 1);
    f.advance(1ms);
    BOOST_TEST(flaky_runs == 2);
    f.advance(1999ms);
    BOOST_TEST(flaky_runs == 2);
    f.advance(1ms);
    BOOST_TEST(run.get() == 3);
}

// The default maximum interval is 100 x the initial one, for the run that is running as for one
// read back after a restart (which fills the default in from the stored policy).
BOOST_AUTO_TEST_CASE(a_workflow_retry_backoff_stops_growing_at_the_default_maximum_interval) {
    engine_fixture f;
    f.open(setup);
    flaky_runs = -6;   // eight runs fail, the ninth completes
    auto run = f.client().start_workflow(
        flaky_workflow, {.id = "cap", .task_queue = "q", .retry = perdure::retry_policy{.maximum_attempts = 20}});
    f.idle();
    for (const auto backoff : {1s, 2s, 4s, 8s, 16s, 32s, 64s}) f.advance(backoff);
    BOOST_TEST(flaky_runs == 2);   // eight runs so far
    f.advance(99s);
    BOOST_TEST(flaky_runs == 2);
    f.advance(1s);   // 100 s, not 128 s
    BOOST_REQUIRE(flaky_runs == 3);
    BOOST_TEST(run.get() == 9);
}

BOOST_AUTO_TEST_CASE(memo_given_at_start_is_returned_by_describe) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(square_workflow, 3,
                                         {.id = "m", .task_queue = "q", .memo = {{"owner", "ops"}, {"priority", 2}}});
    const auto info = run.describe();
    BOOST_TEST(info.memo.at("owner").as_string() == "ops");
    BOOST_TEST(info.memo.at("priority").as_int64() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
