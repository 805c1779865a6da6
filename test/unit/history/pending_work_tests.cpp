// What a history says is still open: activities, children and Nexus operations without an
// outcome, read on data.
#include "history/pending_work.hpp"
#include "support/history_builder.hpp"

#include <boost/test/unit_test.hpp>

using perdure::detail::event_type;
using perdure::detail::pending_from_history;
using perdure::test::history_builder;

BOOST_AUTO_TEST_SUITE(pending_work_from_history)

BOOST_AUTO_TEST_CASE(an_activity_is_pending_from_its_schedule_until_its_close) {
    history_builder h;
    h.started().boundary().activity_scheduled("Charge", "1").activity_scheduled("Ship", "2");
    const auto charge = h.last_id() - 1, ship = h.last_id();
    h.add(event_type::activity_task_cancel_requested, {{"scheduled_event_id", ship}});
    auto pending = pending_from_history(h.events());
    BOOST_REQUIRE_EQUAL(pending.activities.size(), 2u);
    BOOST_TEST(pending.activities[0].activity_type == "Charge");
    BOOST_TEST(pending.activities[0].scheduled_event_id == charge);
    BOOST_TEST(perdure::to_string(pending.activities[0].state) == std::string("scheduled"));
    BOOST_TEST(perdure::to_string(pending.activities[1].state) == std::string("cancel_requested"));

    h.activity_completed(charge, 1);
    pending = pending_from_history(h.events());
    BOOST_REQUIRE_EQUAL(pending.activities.size(), 1u);
    BOOST_TEST(pending.activities[0].activity_id == "2");
}

BOOST_AUTO_TEST_CASE(a_child_is_pending_until_it_closes_or_fails_to_start_and_knows_its_run_once_started) {
    history_builder h;
    h.started().boundary();
    h.add(event_type::start_child_workflow_execution_initiated,
          {{"workflow_id", "kid"}, {"workflow_type", {{"name", "Kid"}}}, {"parent_close_policy", "ABANDON"}});
    const auto kid = h.last_id();
    h.add(event_type::start_child_workflow_execution_initiated,
          {{"workflow_id", "twin"}, {"workflow_type", {{"name", "Kid"}}}});
    const auto twin = h.last_id();
    h.add(event_type::child_workflow_execution_started,
          {{"initiated_event_id", kid}, {"workflow_execution", {{"workflow_id", "kid"}, {"run_id", "r-1"}}}});
    h.add(event_type::start_child_workflow_execution_failed,
          {{"initiated_event_id", twin}, {"cause", "WORKFLOW_ALREADY_EXISTS"}});
    auto pending = pending_from_history(h.events());
    BOOST_REQUIRE_EQUAL(pending.children.size(), 1u);
    BOOST_TEST(pending.children[0].workflow_id == "kid");
    BOOST_TEST(pending.children[0].run_id == "r-1");
    BOOST_TEST(pending.children[0].workflow_type == "Kid");
    BOOST_TEST((pending.children[0].parent_close == perdure::parent_close_policy::abandon));
    h.add(event_type::child_workflow_execution_completed, {{"initiated_event_id", kid}});
    BOOST_TEST(pending_from_history(h.events()).children.empty());
}

BOOST_AUTO_TEST_CASE(a_nexus_operation_is_pending_until_its_outcome_with_its_token_once_started) {
    history_builder h;
    h.started().boundary();
    h.add(event_type::nexus_operation_scheduled, {{"endpoint", "orders-ep"},
                                                  {"service", "orders"},
                                                  {"operation", "ship"},
                                                  {"schedule_to_close_timeout", "60s"}});
    const auto op = h.last_id();
    auto pending = pending_from_history(h.events());
    BOOST_REQUIRE_EQUAL(pending.nexus_operations.size(), 1u);
    BOOST_TEST(perdure::to_string(pending.nexus_operations[0].state) == std::string("scheduled"));
    BOOST_TEST((pending.nexus_operations[0].schedule_to_close_deadline - pending.nexus_operations[0].scheduled_time ==
                std::chrono::seconds(60)));
    h.add(event_type::nexus_operation_started, {{"scheduled_event_id", op}, {"operation_token", "tok"}});
    h.add(event_type::nexus_operation_cancel_requested, {{"scheduled_event_id", op}});
    pending = pending_from_history(h.events());
    BOOST_TEST(perdure::to_string(pending.nexus_operations[0].state) == std::string("started"));
    BOOST_TEST(pending.nexus_operations[0].operation_token == "tok");
    BOOST_TEST(pending.nexus_operations[0].cancel_requested);
    h.add(event_type::nexus_operation_canceled, {{"scheduled_event_id", op}});
    BOOST_TEST(pending_from_history(h.events()).nexus_operations.empty());
}

BOOST_AUTO_TEST_CASE(events_that_name_nothing_open_are_ignored) {
    history_builder h;
    h.started().boundary();
    h.add(event_type::activity_task_completed, {{"scheduled_event_id", 99}});
    h.add(event_type::child_workflow_execution_started, {{"initiated_event_id", "not a number"}});
    h.add(event_type::nexus_operation_started, {});
    const auto pending = pending_from_history(h.events());
    BOOST_TEST(pending.activities.empty());
    BOOST_TEST(pending.children.empty());
    BOOST_TEST(pending.nexus_operations.empty());
}

BOOST_AUTO_TEST_SUITE_END()
