// Workflow tasks and runs as Temporal records them: a failing task is written once as
// WorkflowTaskFailed with Temporal's cause; a start is accepted whatever its type; run timeouts
// are retried under the workflow's retry policy; memo and continue-as-new options carry over.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

perdure::workflow<int> slow_first(perdure::workflow_context& ctx, int) {
    if (ctx.info().attempt == 1) co_await ctx.sleep(1h);   // times out under a 10 min run timeout
    co_return ctx.info().attempt;
}
const perdure::workflow_def slow_first_workflow{"SlowFirst", &slow_first};

perdure::workflow<std::string> where_am_i(perdure::workflow_context& ctx, int generation) {
    if (generation == 1)
        co_await ctx.continue_as_new(
            2, {.task_queue = "q2", .run_timeout = 5min, .memo = boost::json::object{{"gen", 2}}});
    if (generation == 2) co_await ctx.continue_as_new(3);   // keeps the queue, timeout and memo it has
    co_return ctx.info().task_queue;
}
const perdure::workflow_def where_workflow{"WhereAmI", &where_am_i};

perdure::workflow<int> flaky_child(perdure::workflow_context& ctx, int) {
    if (ctx.info().attempt == 1) throw perdure::application_error("first attempt fails", "Flaky");
    co_return ctx.info().attempt;
}
const perdure::workflow_def flaky_child_workflow{"FlakyChild", &flaky_child};

perdure::workflow<std::string> parent(perdure::workflow_context& ctx, int) {
    try {
        const int attempt = co_await ctx.execute_child_workflow(
            flaky_child_workflow, 0, {.id = "child", .retry = perdure::retry_policy{.maximum_attempts = 2}});
        co_return "child succeeded on attempt " + std::to_string(attempt);
    } catch (const perdure::child_workflow_error&) {
        co_return std::string("child failed");
    }
}
const perdure::workflow_def parent_workflow{"Parent", &parent};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(slow_first_workflow)
        .register_workflow(where_workflow)
        .register_workflow(flaky_child_workflow)
        .register_workflow(parent_workflow);
    e.add_worker("default", "q2").register_workflow(where_workflow);
}

std::vector<perdure::history_event> of_type(const std::vector<perdure::history_event>& h, const std::string& type) {
    std::vector<perdure::history_event> out;
    for (const auto& e : h)
        if (e.event_type == type) out.push_back(e);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(workflow_tasks)

BOOST_AUTO_TEST_CASE(a_start_of_a_type_no_worker_there_knows_is_accepted_and_its_task_fails_visibly) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow<int>("Unknown", 1, {.id = "u", .task_queue = "q"});
    f.idle();
    f.advance(1s);   // retried: still one WorkflowTaskFailed
    f.advance(2s);
    const auto failed = of_type(run.history(), "WorkflowTaskFailed");
    BOOST_REQUIRE_EQUAL(failed.size(), 1u);
    BOOST_TEST(failed[0].attributes.at("cause").as_string() ==
               "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE");
    const std::string message = failed[0].attributes.at("failure").at("message").as_string().c_str();
    BOOST_TEST(message.find("workflow type Unknown is not registered on task queue q") != std::string::npos, message);
    BOOST_TEST(message.find("SlowFirst") != std::string::npos, message);   // what is registered there
    const auto info = run.describe();
    BOOST_TEST((info.status == perdure::workflow_status::running));
    BOOST_TEST(info.task_failure.find("workflow type Unknown is not registered") != std::string::npos,
               info.task_failure);
    // describe()'s pending workflow task says the same, with the attempt it is on.
    BOOST_REQUIRE(info.pending_workflow_task.has_value());
    BOOST_TEST(info.pending_workflow_task->attempt >= 2);
    BOOST_TEST(
        info.pending_workflow_task->last_failure.find("workflow type Unknown is not registered") != std::string::npos,
        info.pending_workflow_task->last_failure);
    BOOST_TEST(!info.pending_workflow_task->blocked);
}

BOOST_AUTO_TEST_CASE(a_start_on_a_queue_without_workers_waits_for_one_without_failing) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(slow_first_workflow, 1, {.id = "later", .task_queue = "nobody-yet"});
    f.idle();
    BOOST_TEST(of_type(run.history(), "WorkflowTaskFailed").empty());
    BOOST_TEST(run.describe().task_failure.empty());
    f.engine().add_worker("default", "nobody-yet").register_workflow(slow_first_workflow);
    f.advance(1h);
    BOOST_TEST(run.get() == 1);
}

BOOST_AUTO_TEST_CASE(a_run_timeout_is_retried_under_the_retry_policy_and_the_memo_carries_over) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(slow_first_workflow, 0,
                                         {.id = "slow",
                                          .task_queue = "q",
                                          .run_timeout = 10min,
                                          .retry = perdure::retry_policy{.maximum_attempts = 3},
                                          .memo = boost::json::object{{"customer", 42}}});
    f.advance(10min);   // attempt 1 times out; attempt 2 starts after its 1 s backoff
    f.advance(1s);
    BOOST_TEST(run.get() == 2);
    const auto first = f.client().get_handle("slow", run.run_id()).history();
    BOOST_TEST(first.back().event_type == "WorkflowExecutionTimedOut");
    BOOST_TEST(first.back().attributes.at("retry_state").as_string() == "IN_PROGRESS");
    BOOST_TEST(first.back().attributes.contains("new_execution_run_id"));
    const auto latest = f.client().get_handle("slow").describe();
    BOOST_TEST(latest.run_id != run.run_id());
    BOOST_TEST(latest.memo == (boost::json::object{{"customer", 42}}));
}

BOOST_AUTO_TEST_CASE(continue_as_new_takes_a_task_queue_timeouts_and_memo_and_otherwise_keeps_them) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(where_workflow, 1,
                                         {.id = "where", .task_queue = "q", .memo = boost::json::object{{"gen", 1}}});
    BOOST_TEST(run.get() == "q2");
    const auto latest = f.client().get_handle("where").describe();
    BOOST_TEST(latest.task_queue == "q2");
    BOOST_TEST(latest.memo == (boost::json::object{{"gen", 2}}));
    const auto started = f.client().get_handle("where").history().front();
    BOOST_TEST(started.attributes.at("workflow_run_timeout").as_string() == "300s");
    BOOST_TEST(started.attributes.at("memo") == (boost::json::object{{"gen", 2}}));
}

BOOST_AUTO_TEST_CASE(a_retried_child_tells_its_parent_only_how_its_last_run_ended) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(parent_workflow, 0, {.id = "parent", .task_queue = "q"});
    f.advance(1s);   // the child's retry backoff
    BOOST_TEST(run.get() == "child succeeded on attempt 2");
    BOOST_TEST(of_type(run.history(), "ChildWorkflowExecutionFailed").empty());
}

BOOST_AUTO_TEST_SUITE_END()
