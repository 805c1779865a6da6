// The deadline wheel on data: entries come out in due order, moving or removing one leaves the
// rest alone, and the engine is told when a new deadline is earlier than what it waits for.
#include "runtime/deadline_wheel.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace perdure::detail;

BOOST_AUTO_TEST_SUITE(deadline_wheel_on_data)

BOOST_AUTO_TEST_CASE(due_entries_come_out_earliest_first_and_only_once_due) {
    deadline_wheel w;
    w.arm(wheel_kind::timer, 1, 5, 300);
    w.arm(wheel_kind::activity_retry, 2, 7, 100);
    w.arm(wheel_kind::run_timeout, 1, 0, 200);
    BOOST_TEST(!w.pop_due(99));
    BOOST_TEST(w.pop_due(250)->due_us == 100);
    BOOST_TEST((w.pop_due(250)->kind == wheel_kind::run_timeout));
    BOOST_TEST(!w.pop_due(250));
    BOOST_TEST(w.pop_due(300)->seq == 5);
    BOOST_TEST(w.size() == 0u);
}

BOOST_AUTO_TEST_CASE(an_entry_comes_back_as_armed_whatever_its_kind_and_seq_and_a_seq_no_history_reaches_is_refused) {
    deadline_wheel w;
    const std::int64_t largest = (std::int64_t{1} << 55) - 1;
    w.arm(wheel_kind::activity_heartbeat_flush, 3, largest, 10);
    w.arm(wheel_kind::timer, 3, -largest - 1, 20);   // the outbox's seqs are negative
    auto first = w.pop_due(30);
    BOOST_TEST((first->kind == wheel_kind::activity_heartbeat_flush));
    BOOST_TEST(first->seq == largest);
    BOOST_TEST(first->run_key == 3);
    auto second = w.pop_due(30);
    BOOST_TEST((second->kind == wheel_kind::timer));
    BOOST_TEST(second->seq == -largest - 1);
    BOOST_CHECK_THROW(w.arm(wheel_kind::timer, 3, largest + 1, 40), perdure::storage_error);
    BOOST_CHECK_THROW(w.arm(wheel_kind::timer, 3, -largest - 2, 40), perdure::storage_error);
    BOOST_TEST(w.size() == 0u);
}

BOOST_AUTO_TEST_CASE(arming_an_entry_again_moves_it) {
    deadline_wheel w;
    w.arm(wheel_kind::timer, 1, 5, 300);
    w.arm(wheel_kind::timer, 1, 5, 50);
    BOOST_TEST(w.size() == 1u);
    BOOST_TEST(*w.due_of(wheel_kind::timer, 1, 5) == 50);
    BOOST_TEST(w.pop_due(60)->due_us == 50);
}

BOOST_AUTO_TEST_CASE(disarming_a_run_removes_its_entries_and_no_other) {
    deadline_wheel w;
    w.arm(wheel_kind::timer, 1, 5, 100);
    w.arm(wheel_kind::activity_heartbeat, 1, 9, 150);
    w.arm(wheel_kind::timer, 2, 5, 200);
    w.disarm_run(1);
    BOOST_TEST(w.size() == 1u);
    BOOST_TEST(w.next_due_snapshot() == 200);
    BOOST_TEST(!w.due_of(wheel_kind::timer, 1, 5));
    BOOST_TEST(*w.due_of(wheel_kind::timer, 2, 5) == 200);
}

BOOST_AUTO_TEST_CASE(a_deadline_earlier_than_the_planned_wait_asks_for_a_new_plan) {
    deadline_wheel w;
    BOOST_TEST(w.arm(wheel_kind::timer, 1, 1, 500));   // nothing is waited for yet
    BOOST_TEST(*w.plan_wait() == 500);
    BOOST_TEST(!w.arm(wheel_kind::timer, 1, 2, 800));   // later: the planned wait covers it
    BOOST_TEST(w.arm(wheel_kind::timer, 1, 3, 300));    // earlier: plan again
    BOOST_TEST(*w.plan_wait() == 300);
    w.woke();
    BOOST_TEST(w.arm(wheel_kind::timer, 1, 4, 900));   // after waking, any deadline needs a plan
}

BOOST_AUTO_TEST_CASE(the_snapshot_for_other_threads_follows_every_change) {
    deadline_wheel w;
    constexpr auto none = std::numeric_limits<std::int64_t>::max();
    BOOST_TEST(w.next_due_snapshot() == none);
    w.arm(wheel_kind::timer, 1, 1, 500);
    w.arm(wheel_kind::timer, 1, 2, 400);
    BOOST_TEST(w.next_due_snapshot() == 400);
    w.disarm(wheel_kind::timer, 1, 2);
    BOOST_TEST(w.next_due_snapshot() == 500);
    w.pop_due(500);
    BOOST_TEST(w.next_due_snapshot() == none);
    BOOST_TEST(!w.plan_wait());
}

BOOST_AUTO_TEST_SUITE_END()
