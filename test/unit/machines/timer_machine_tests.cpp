// The timer machine against a fake host: StartTimer, TimerStarted, TimerFired, and
// cancellation before and after the timer was recorded.
#include "machines/timer_machine.hpp"
#include "support/fake_machine_host.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::canceled_error;
using perdure::detail::command_kind;
using perdure::detail::event;
using perdure::detail::event_type;
using perdure::detail::timer_machine;
using perdure::test::fake_machine_host;

namespace {

/// A timer whose StartTimer was recorded; returns the TimerStarted event id.
std::int64_t start(fake_machine_host& host) { return host.commit().at(0).id; }

}   // namespace

BOOST_AUTO_TEST_SUITE(timer_machine_tests)

BOOST_AUTO_TEST_CASE(new_timer_emits_start_timer_with_its_id_and_duration) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(3, 1500ms);
    host.expect_command(command_kind::start_timer)
        .with("timer_id", "3")
        .with("start_to_fire_timeout", "1.500s")
        .owned_by(&timer);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::pending(timer.future()));
    BOOST_TEST(timer.future()->cancel == &timer);
}

BOOST_AUTO_TEST_CASE(recorded_timer_waits_under_its_started_event) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    const auto started = start(host);
    BOOST_TEST(host.indexed(started) == &timer);
    BOOST_TEST(fake_machine_host::pending(timer.future()));
    BOOST_TEST(!host.retired(timer));
}

BOOST_AUTO_TEST_CASE(timer_fired_resolves_the_future_and_retires_the_timer) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    const auto started = start(host);
    BOOST_TEST(host.deliver(event_type::timer_fired, {{"started_event_id", started}}));
    BOOST_TEST(fake_machine_host::succeeded(timer.future()));
    BOOST_TEST(host.retired(timer));
    BOOST_TEST(host.indexed_ids(timer).empty());
}

BOOST_AUTO_TEST_CASE(timer_fired_without_a_timer_id_is_recorded_with_the_timers_id) {
    // The runtime's deadline knows only the started event; the timer names itself.
    fake_machine_host host;
    host.add<timer_machine>(7, 10s);
    const auto started = start(host);
    host.deliver(event_type::timer_fired, {{"started_event_id", started}});
    BOOST_TEST(host.history().back().attrs.at("timer_id") == "7");
}

BOOST_AUTO_TEST_CASE(timer_fired_keeps_the_timer_id_history_already_has) {
    fake_machine_host host;
    host.add<timer_machine>(7, 10s);
    const auto started = start(host);
    host.deliver(event_type::timer_fired, {{"started_event_id", started}, {"timer_id", "recorded"}});
    BOOST_TEST(host.history().back().attrs.at("timer_id") == "recorded");
}

BOOST_AUTO_TEST_CASE(cancel_before_recorded_drops_the_command_and_rejects_the_future) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    host.request_cancel(timer.future());
    host.expect_dropped_command(command_kind::start_timer);
    host.expect_no_more_commands();
    BOOST_TEST(host.commit().empty());
    auto err = fake_machine_host::error_of<canceled_error>(timer.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "timer canceled");
    BOOST_TEST(host.retired(timer));
}

BOOST_AUTO_TEST_CASE(cancel_after_started_emits_cancel_timer_and_rejects_at_once) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(2, 10s);
    const auto started = start(host);
    host.request_cancel(timer.future());
    host.expect_command(command_kind::cancel_timer)
        .with("timer_id", "2")
        .with("started_event_id", started)
        .owned_by(nullptr);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(timer.future()).has_value());
    BOOST_TEST(host.retired(timer));
    BOOST_TEST(host.indexed_ids(timer).empty());
}

BOOST_AUTO_TEST_CASE(timer_fired_after_cancel_reaches_no_machine) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    const auto started = start(host);
    host.request_cancel(timer.future());
    host.commit();
    BOOST_TEST(!host.deliver(event_type::timer_fired, {{"started_event_id", started}}));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(timer.future()).has_value());
}

BOOST_AUTO_TEST_CASE(cancel_after_fired_emits_nothing_and_keeps_the_result) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    const auto started = start(host);
    host.deliver(event_type::timer_fired, {{"started_event_id", started}});
    host.request_cancel(timer.future());
    timer.request_cancel();   // even when asked directly, past the settled future
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::succeeded(timer.future()));
}

BOOST_AUTO_TEST_CASE(run_cancellation_cancels_a_started_timer) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    start(host);
    host.cancel_run();
    host.expect_command(command_kind::cancel_timer).with("timer_id", "1");
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(timer.future()).has_value());
}

BOOST_AUTO_TEST_CASE(run_cancellation_before_recorded_drops_the_start) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    host.cancel_run();
    host.expect_dropped_command(command_kind::start_timer);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(timer.future()).has_value());
}

BOOST_AUTO_TEST_CASE(other_events_for_the_started_id_leave_the_timer_waiting) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    const auto started = start(host);
    BOOST_TEST(host.deliver(event_type::activity_task_completed, {{"started_event_id", started}}));
    BOOST_TEST(host.deliver(event_type::timer_canceled, {{"started_event_id", started}}));
    BOOST_TEST(fake_machine_host::pending(timer.future()));
    BOOST_TEST(host.indexed(started) == &timer);
}

BOOST_AUTO_TEST_CASE(timer_fired_before_the_timer_was_recorded_is_ignored) {
    fake_machine_host host;
    auto& timer = host.add<timer_machine>(1, 10s);
    timer.apply(event{5, event_type::timer_fired, 0, {{"started_event_id", 5}}});
    BOOST_TEST(fake_machine_host::pending(timer.future()));
    const auto started = start(host);
    host.deliver(event_type::timer_fired, {{"started_event_id", started}});
    BOOST_TEST(fake_machine_host::succeeded(timer.future()));
}

BOOST_AUTO_TEST_CASE(two_timers_fire_independently) {
    fake_machine_host host;
    auto& first = host.add<timer_machine>(1, 10s);
    auto& second = host.add<timer_machine>(2, 20s);
    const auto events = host.commit();
    BOOST_TEST_REQUIRE(events.size() == 2u);
    host.deliver(event_type::timer_fired, {{"started_event_id", events[1].id}});
    BOOST_TEST(fake_machine_host::pending(first.future()));
    BOOST_TEST(fake_machine_host::succeeded(second.future()));
    BOOST_TEST(host.history().back().attrs.at("timer_id") == "2");
}

BOOST_AUTO_TEST_SUITE_END()
