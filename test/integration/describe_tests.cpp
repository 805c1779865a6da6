// describe() of a running workflow shows what it waits for, as Temporal's
// DescribeWorkflowExecution does: pending activities with their attempts and failures, pending
// children, and nothing once the run has closed.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

const perdure::activity_def<int, int> card_check{"CardCheck", [](perdure::activity_context&, int) -> int {
                                                     throw perdure::application_error("card network down",
                                                                                      "Unavailable");
                                                 }};

perdure::workflow<int> sleeper(perdure::workflow_context& ctx, int hours) {
    co_await ctx.sleep(std::chrono::hours(hours));
    co_return hours;
}
const perdure::workflow_def sleeper_workflow{"Sleeper", &sleeper};

// A child that sleeps and an activity that keeps failing, retried every minute.
perdure::workflow<int> order(perdure::workflow_context& ctx, int) {
    auto child = ctx.execute_child_workflow(sleeper_workflow, 1, {.id = "order-7-shipping"});
    co_await ctx.execute_activity(
        card_check, 7,
        {.schedule_to_close_timeout = 24h,
         .start_to_close_timeout = 10s,
         .retry = perdure::retry_policy{.initial_interval = 1min, .backoff_coefficient = 1, .maximum_attempts = 50}});
    co_return co_await child;
}
const perdure::workflow_def order_workflow{"Order", &order};

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q")
        .register_workflow(order_workflow)
        .register_workflow(sleeper_workflow)
        .register_activity(card_check);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(describe_pending_work)

BOOST_AUTO_TEST_CASE(a_running_workflow_shows_its_failing_activity_and_its_child) {
    engine_fixture f;
    f.open(setup);
    const auto start = f.clock->now();
    auto run = f.client().start_workflow(order_workflow, 0, {.id = "order-7", .task_queue = "q"});
    f.idle();   // the first attempt failed; the second waits a minute
    auto info = run.describe();
    BOOST_REQUIRE_EQUAL(info.pending_activities.size(), 1u);
    const auto& a = info.pending_activities[0];
    BOOST_TEST(a.activity_type == "CardCheck");
    BOOST_TEST(!a.activity_id.empty());
    BOOST_TEST(a.attempt == 2);
    BOOST_TEST(a.maximum_attempts == 50);
    BOOST_TEST(perdure::to_string(a.state) == std::string("scheduled"));
    BOOST_REQUIRE(a.last_failure.has_value());
    BOOST_TEST(a.last_failure->message.find("card network down") != std::string::npos, a.last_failure->message);
    BOOST_TEST((a.next_attempt_schedule_time == start + 1min));
    BOOST_TEST((a.expiration_time == start + 24h));
    BOOST_TEST((a.scheduled_time == start));

    BOOST_REQUIRE_EQUAL(info.pending_children.size(), 1u);
    BOOST_TEST(info.pending_children[0].workflow_id == "order-7-shipping");
    BOOST_TEST(info.pending_children[0].workflow_type == "Sleeper");
    BOOST_TEST(!info.pending_children[0].run_id.empty());
    BOOST_TEST(info.pending_nexus_operations.empty());
    BOOST_TEST(!info.pending_workflow_task.has_value());

    f.advance(1min);   // a third attempt fails the same way
    info = run.describe();
    BOOST_REQUIRE_EQUAL(info.pending_activities.size(), 1u);
    BOOST_TEST(info.pending_activities[0].attempt == 3);
}

BOOST_AUTO_TEST_CASE(a_closed_workflow_has_no_pending_work_and_a_reopened_engine_still_shows_it) {
    engine_fixture f;
    f.open(setup);
    auto kid = f.client().start_workflow(sleeper_workflow, 1, {.id = "nap", .task_queue = "q"});
    f.idle();
    f.advance(1h);
    BOOST_TEST(kid.get() == 1);
    const auto closed = kid.describe();
    BOOST_TEST((closed.status == perdure::workflow_status::completed));
    BOOST_TEST(closed.pending_activities.empty());
    BOOST_TEST(closed.pending_children.empty());

    f.client().start_workflow(order_workflow, 0, {.id = "order-8", .task_queue = "q"});
    f.idle();
    f.close();
    f.open(setup);
    f.idle();
    const auto info = f.client().get_handle<int>("order-8").describe();
    BOOST_REQUIRE_EQUAL(info.pending_activities.size(), 1u);   // from its history, after the restart
    BOOST_TEST(info.pending_activities[0].activity_type == "CardCheck");
    BOOST_REQUIRE_EQUAL(info.pending_children.size(), 1u);
    BOOST_TEST(info.pending_children[0].workflow_id == "order-7-shipping");
}

BOOST_AUTO_TEST_SUITE_END()
