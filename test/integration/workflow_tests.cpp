// Workflows with activities and durable timers, end to end.
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

struct order {
    std::string id;
    int quantity = 0;
};
BOOST_DESCRIBE_STRUCT(order, (), (id, quantity))

std::string reserve(perdure::activity_context&, order o) {
    return "reserved " + std::to_string(o.quantity) + " of " + o.id;
}
const perdure::activity_def reserve_activity{"Reserve", &reserve};

perdure::workflow<std::string> order_flow(perdure::workflow_context& ctx, order o) {
    auto r = co_await ctx.execute_activity(reserve_activity, o, {.start_to_close_timeout = 5s});
    co_await ctx.sleep(1h);
    co_return r + " and shipped";
}
const perdure::workflow_def order_workflow{"Order", &order_flow};

void register_order(perdure::engine& e) {
    e.add_worker("default", "orders").register_workflow(order_workflow).register_activity(reserve_activity);
}

std::vector<std::string> types(const std::vector<perdure::history_event>& h) {
    std::vector<std::string> out;
    for (const auto& e : h) out.push_back(e.event_type);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(workflows)

BOOST_AUTO_TEST_CASE(activity_then_durable_timer_completes_when_time_passes) {
    engine_fixture f;
    f.open(register_order);
    auto run = f.client().start_workflow(order_workflow, order{"book", 2}, {.id = "o-1", .task_queue = "orders"});
    f.idle();
    BOOST_TEST(run.describe().status == perdure::workflow_status::running);
    f.advance(59min);
    BOOST_TEST(run.describe().status == perdure::workflow_status::running);
    f.advance(1min);
    BOOST_TEST(run.get() == "reserved 2 of book and shipped");
    const std::vector<std::string> expected = {
        "WorkflowExecutionStarted", "WorkflowTaskCompleted",     "ActivityTaskScheduled", "ActivityTaskStarted",
        "ActivityTaskCompleted",    "WorkflowTaskCompleted",     "TimerStarted",          "TimerFired",
        "WorkflowTaskCompleted",    "WorkflowExecutionCompleted"};
    BOOST_TEST(types(run.history()) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(history_attributes_use_temporal_names) {
    engine_fixture f;
    f.open(register_order);
    auto run = f.client().start_workflow(order_workflow, order{"pen", 1}, {.id = "o-2", .task_queue = "orders"});
    f.advance(1h);
    run.get();
    const auto h = run.history();
    BOOST_TEST(h[0].attributes.at("workflow_type").at("name").as_string() == "Order");
    BOOST_TEST(h[0].attributes.at("task_queue").at("name").as_string() == "orders");
    BOOST_TEST(h[0].attributes.at("input").at("id").as_string() == "pen");
    BOOST_TEST(h[2].attributes.at("activity_type").at("name").as_string() == "Reserve");
    BOOST_TEST(h[2].attributes.at("activity_id").as_string() == "1");
    BOOST_TEST(h[2].attributes.at("start_to_close_timeout").as_string() == "5s");
    BOOST_TEST(h[2].attributes.at("workflow_task_completed_event_id").as_int64() == 2);
    BOOST_TEST(h[3].attributes.at("attempt").as_int64() == 1);
    BOOST_TEST(h[4].attributes.at("scheduled_event_id").as_int64() == 3);
    BOOST_TEST(h[4].attributes.at("started_event_id").as_int64() == 4);
    BOOST_TEST(h[4].attributes.at("result").as_string() == "reserved 1 of pen");
    BOOST_TEST(h[6].attributes.at("timer_id").as_string() == "1");
    BOOST_TEST(h[6].attributes.at("start_to_fire_timeout").as_string() == "3600s");
    BOOST_TEST(h[7].attributes.at("timer_id").as_string() == "1");
    BOOST_TEST(h[7].attributes.at("started_event_id").as_int64() == 7);
    BOOST_TEST(h[9].attributes.at("result").as_string() == "reserved 1 of pen and shipped");
    // event_time is the activation time for the boundary and its commands
    BOOST_TEST((h[8].event_time - h[0].event_time == 1h));
}

BOOST_AUTO_TEST_CASE(timer_survives_reopen_and_fires_after_its_time) {
    engine_fixture f;
    f.open(register_order);
    f.client().start_workflow(order_workflow, order{"lamp", 1}, {.id = "o-3", .task_queue = "orders"});
    f.idle();
    f.close();
    f.clock->advance(2h);   // the timer came due while nothing was running
    f.open(register_order);
    f.idle();
    BOOST_TEST(f.client().get_handle<std::string>("o-3").get() == "reserved 1 of lamp and shipped");
}

BOOST_AUTO_TEST_CASE(every_activation_replays_with_an_empty_cache_and_gives_the_same_result) {
    engine_fixture f({.workflow_cache_size = 0});
    f.open(register_order);
    auto run = f.client().start_workflow(order_workflow, order{"cup", 3}, {.id = "o-4", .task_queue = "orders"});
    f.advance(1h);
    BOOST_TEST(run.get() == "reserved 3 of cup and shipped");
    BOOST_TEST(f.replays() >= 2u);
    BOOST_TEST(f.live_instances() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
