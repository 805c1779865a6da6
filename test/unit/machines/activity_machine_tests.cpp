// The activity machine against a fake host: ScheduleActivityTask, its outcome events, and
// cancellation before scheduling and under each cancellation type.
#include "machines/activity_machine.hpp"
#include "machines/activity_options.hpp"
#include "support/fake_machine_host.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace perdure;
using detail::activity_machine;
using detail::command_kind;
using detail::event;
using detail::event_type;
using test::exception_as;
using test::failure_record;
using test::fake_machine_host;

namespace {

boost::json::object charge_attrs() {
    return {{"activity_id", "1"},
            {"activity_type", {{"name", "Charge"}}},
            {"task_queue", {{"name", "q"}}},
            {"input", "card"},
            {"start_to_close_timeout", "10s"}};
}

/// An activity "Charge" (id 1) whose command was recorded as ActivityTaskScheduled `id`.
struct scheduled_activity {
    explicit scheduled_activity(fake_machine_host& host, cancellation_type cancellation = cancellation_type::try_cancel)
        : machine(host.add<activity_machine>(charge_attrs(), cancellation)), id(host.commit().at(0).id) {}
    activity_machine& machine;
    std::int64_t id;
    const std::shared_ptr<detail::future_state>& future() const { return machine.future(); }
};

boost::json::object outcome(std::int64_t scheduled_id, boost::json::object more = {}) {
    more["scheduled_event_id"] = scheduled_id;
    more["started_event_id"] = scheduled_id + 1;
    return more;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(activity_machine_tests)

BOOST_AUTO_TEST_CASE(new_activity_emits_schedule_activity_with_its_attributes) {
    fake_machine_host host;
    auto& activity = host.add<activity_machine>(charge_attrs(), cancellation_type::try_cancel);
    host.expect_command(command_kind::schedule_activity)
        .with("activity_id", "1")
        .with("activity_type", {{"name", "Charge"}})
        .with("input", "card")
        .owned_by(&activity);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::pending(activity.future()));
}

BOOST_AUTO_TEST_CASE(started_and_unrelated_events_leave_the_activity_waiting) {
    fake_machine_host host;
    scheduled_activity activity(host);
    BOOST_TEST(host.indexed(activity.id) == &activity.machine);
    host.deliver(event_type::activity_task_started, {{"scheduled_event_id", activity.id}, {"attempt", 1}});
    host.deliver(event_type::timer_fired, {{"scheduled_event_id", activity.id}});
    BOOST_TEST(fake_machine_host::pending(activity.future()));
    BOOST_TEST(!host.retired(activity.machine));
}

BOOST_AUTO_TEST_CASE(activity_completed_resolves_with_its_result) {
    fake_machine_host host;
    scheduled_activity activity(host);
    BOOST_TEST(host.deliver(event_type::activity_task_completed, outcome(activity.id, {{"result", "charged"}})));
    BOOST_TEST(fake_machine_host::value_of(activity.future()) == "charged");
    BOOST_TEST(host.retired(activity.machine));
    BOOST_TEST(host.indexed_ids(activity.machine).empty());
}

BOOST_AUTO_TEST_CASE(activity_completed_without_a_result_resolves_with_null) {
    fake_machine_host host;
    scheduled_activity activity(host);
    host.deliver(event_type::activity_task_completed, outcome(activity.id));
    BOOST_TEST(fake_machine_host::succeeded(activity.future()));
    BOOST_TEST(fake_machine_host::value_of(activity.future()).is_null());
}

BOOST_AUTO_TEST_CASE(activity_failed_rejects_with_activity_error_carrying_the_cause) {
    fake_machine_host host;
    scheduled_activity activity(host);
    host.deliver(event_type::activity_task_failed,
                 outcome(activity.id, {{"failure", failure_record("card declined", "Declined")},
                                       {"retry_state", "NON_RETRYABLE_FAILURE"}}));
    auto err = fake_machine_host::error_of<activity_error>(activity.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "activity Charge (id 1) failed: card declined");
    BOOST_TEST(err->activity_type() == "Charge");
    BOOST_TEST(err->activity_id() == "1");
    BOOST_TEST(err->scheduled_event_id() == activity.id);
    BOOST_TEST(err->failure().info.at("started_event_id") == activity.id + 1);
    BOOST_TEST(to_string(err->retry_state()) == std::string("NON_RETRYABLE_FAILURE"));
    auto cause = exception_as<application_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->type() == "Declined");
    BOOST_TEST(cause->failure().message == "card declined");
    BOOST_TEST(host.retired(activity.machine));
}

BOOST_AUTO_TEST_CASE(activity_timed_out_rejects_with_a_timeout_cause) {
    fake_machine_host host;
    scheduled_activity activity(host);
    const failure timeout{"activity StartToClose timeout", failure_kind::timeout, {{"timeout_type", "START_TO_CLOSE"}}};
    host.deliver(event_type::activity_task_timed_out,
                 outcome(activity.id, {{"failure", timeout.to_json()}, {"retry_state", "TIMEOUT"}}));
    auto err = fake_machine_host::error_of<activity_error>(activity.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "activity Charge (id 1) timed out: activity StartToClose timeout");
    BOOST_TEST(to_string(err->retry_state()) == std::string("TIMEOUT"));
    auto cause = exception_as<timeout_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(to_string(cause->timeout_type()) == std::string("START_TO_CLOSE"));
}

BOOST_AUTO_TEST_CASE(activity_failed_without_a_failure_record_rejects_without_a_cause) {
    fake_machine_host host;
    scheduled_activity activity(host);
    host.deliver(event_type::activity_task_failed, {{"scheduled_event_id", activity.id}});
    auto err = fake_machine_host::error_of<activity_error>(activity.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "activity Charge (id 1) failed");
    BOOST_TEST(!err->cause());
    BOOST_TEST(to_string(err->retry_state()) == std::string("UNSPECIFIED"));
}

BOOST_AUTO_TEST_CASE(cancel_before_scheduled_drops_the_command_and_rejects) {
    fake_machine_host host;
    auto& activity = host.add<activity_machine>(charge_attrs(), cancellation_type::wait_completed);
    host.request_cancel(activity.future());
    host.expect_dropped_command(command_kind::schedule_activity);
    host.expect_no_more_commands();
    BOOST_TEST(host.commit().empty());
    auto err = fake_machine_host::error_of<canceled_error>(activity.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "activity canceled before it was scheduled");
    BOOST_TEST(host.retired(activity));
}

BOOST_AUTO_TEST_CASE(try_cancel_requests_cancellation_and_rejects_before_the_canceled_event) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::try_cancel);
    host.request_cancel(activity.future());
    host.expect_command(command_kind::request_cancel_activity)
        .with("scheduled_event_id", activity.id)
        .owned_by(nullptr);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(activity.future()).has_value());
    BOOST_TEST(!host.retired(activity.machine));   // still hears how the activity ends
    host.commit();
    BOOST_TEST(host.deliver(event_type::activity_task_canceled, outcome(activity.id)));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(activity.future()).has_value());
    BOOST_TEST(host.retired(activity.machine));
}

BOOST_AUTO_TEST_CASE(try_cancel_keeps_the_cancellation_when_the_activity_completes_anyway) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::try_cancel);
    host.request_cancel(activity.future());
    host.commit();
    host.deliver(event_type::activity_task_completed, outcome(activity.id, {{"result", "charged"}}));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(activity.future()).has_value());
    BOOST_TEST(host.retired(activity.machine));
}

BOOST_AUTO_TEST_CASE(wait_cancellation_requested_rejects_once_the_cancel_is_requested) {
    // An activity has no later "cancel delivered" event, so the request itself settles it.
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::wait_requested);
    host.request_cancel(activity.future());
    host.expect_command(command_kind::request_cancel_activity).with("scheduled_event_id", activity.id);
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(activity.future()).has_value());
    BOOST_TEST(host.indexed(activity.id) == &activity.machine);
}

BOOST_AUTO_TEST_CASE(wait_cancellation_completed_waits_for_the_canceled_event) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::wait_completed);
    host.request_cancel(activity.future());
    host.expect_command(command_kind::request_cancel_activity).with("scheduled_event_id", activity.id);
    BOOST_TEST(fake_machine_host::pending(activity.future()));
    host.commit();
    host.deliver(event_type::activity_task_canceled, outcome(activity.id));
    auto err = fake_machine_host::error_of<canceled_error>(activity.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "activity canceled");
    BOOST_TEST(host.retired(activity.machine));
}

BOOST_AUTO_TEST_CASE(wait_cancellation_completed_delivers_a_completion_that_won_the_race) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::wait_completed);
    host.request_cancel(activity.future());
    host.commit();
    host.deliver(event_type::activity_task_completed, outcome(activity.id, {{"result", "charged"}}));
    BOOST_TEST(fake_machine_host::value_of(activity.future()) == "charged");
}

BOOST_AUTO_TEST_CASE(a_second_cancel_request_emits_nothing_more) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::wait_completed);
    host.request_cancel(activity.future());
    host.request_cancel(activity.future());
    host.cancel_run();
    host.expect_command(command_kind::request_cancel_activity);
    host.expect_no_more_commands();
}

BOOST_AUTO_TEST_CASE(cancellation_type_abandon_rejects_at_once_and_forgets_the_activity) {
    fake_machine_host host;
    scheduled_activity activity(host, cancellation_type::abandon);
    host.request_cancel(activity.future());
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(activity.future()).has_value());
    BOOST_TEST(host.retired(activity.machine));
    BOOST_TEST(!host.deliver(event_type::activity_task_completed, outcome(activity.id, {{"result", "late"}})));
}

BOOST_AUTO_TEST_CASE(run_cancellation_follows_the_cancellation_type) {
    fake_machine_host host;
    scheduled_activity waiting(host, cancellation_type::wait_completed);
    auto& unscheduled = host.add<activity_machine>(charge_attrs(), cancellation_type::try_cancel);
    host.cancel_run();
    host.expect_dropped_command(command_kind::schedule_activity);
    host.expect_command(command_kind::request_cancel_activity);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::pending(waiting.future()));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(unscheduled.future()).has_value());
}

BOOST_AUTO_TEST_CASE(outcome_before_the_activity_was_scheduled_is_ignored) {
    fake_machine_host host;
    auto& activity = host.add<activity_machine>(charge_attrs(), cancellation_type::try_cancel);
    activity.apply(event{9, event_type::activity_task_completed, 0, {{"scheduled_event_id", 9}, {"result", "x"}}});
    BOOST_TEST(fake_machine_host::pending(activity.future()));
    BOOST_TEST(!host.retired(activity));
}

BOOST_AUTO_TEST_CASE(names_longer_than_temporal_allows_are_refused_before_anything_is_scheduled) {
    const auto problem = [](std::string_view type, std::string queue) {
        boost::json::object out;
        const auto why = detail::activity_schedule_attrs(
            type, "1", 0, {.start_to_close_timeout = std::chrono::seconds(1), .task_queue = std::move(queue)}, "q",
            std::chrono::milliseconds(0), out);
        return why.value_or("(scheduled)");
    };
    BOOST_TEST(problem("Charge", std::string(1000, 'q')) == "(scheduled)");
    BOOST_TEST(problem("Charge", std::string(1001, 'q')) ==
               "activity Charge: activity_options::task_queue is limited to 1000 bytes");
    BOOST_TEST(problem(std::string(1001, 'C'), "") == "an activity type name is limited to 1000 bytes");
}

BOOST_AUTO_TEST_SUITE_END()
