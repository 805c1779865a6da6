// The child workflow machine and the external signal / cancel machine against a fake host:
// the start, each way a child ends, cancellation under each cancellation type, and the
// external commands' outcomes.
#include "machines/child_machine.hpp"
#include "support/fake_machine_host.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace perdure;
using detail::child_machine;
using detail::command_kind;
using detail::event;
using detail::event_type;
using detail::external_machine;
using test::exception_as;
using test::failure_record;
using test::fake_machine_host;

namespace {

boost::json::object ship_attrs() {
    return {{"namespace", "ns"},
            {"workflow_id", "ship-1"},
            {"workflow_type", {{"name", "Ship"}}},
            {"task_queue", {{"name", "q"}}},
            {"input", "parcel"},
            {"parent_close_policy", "TERMINATE"}};
}

/// What the runtime puts in every event about the child.
boost::json::object about_child(std::int64_t initiated, boost::json::object more = {}) {
    more["namespace"] = "ns";
    more["initiated_event_id"] = initiated;
    more["workflow_type"] = {{"name", "Ship"}};
    more["workflow_execution"] = {{"workflow_id", "ship-1"}, {"run_id", "run-7"}};
    return more;
}

/// A close event as the runtime sends it: it does not know the started event's id.
boost::json::object closed(std::int64_t initiated, boost::json::object more = {}) {
    more["started_event_id"] = nullptr;
    return about_child(initiated, std::move(more));
}

/// A child "Ship" whose start was recorded and, when `started`, that started as run-7.
struct running_child {
    running_child(fake_machine_host& host, cancellation_type cancellation, bool started = true)
        : machine(host.add<child_machine>(ship_attrs(), cancellation)), initiated(host.commit().at(0).id) {
        if (!started) return;
        host.deliver(event_type::child_workflow_execution_started, about_child(initiated));
        started_id = host.last_event_id();
    }
    child_machine& machine;
    std::int64_t initiated;
    std::int64_t started_id = 0;
};

boost::json::object signal_attrs() {
    return {{"namespace", "ns"},
            {"workflow_execution", {{"workflow_id", "w-9"}, {"run_id", ""}}},
            {"signal_name", "poke"},
            {"input", 1},
            {"child_workflow_only", false}};
}

}   // namespace

BOOST_AUTO_TEST_SUITE(child_machine_tests)

BOOST_AUTO_TEST_CASE(new_child_emits_start_child_workflow_with_its_attributes) {
    fake_machine_host host;
    auto& child = host.add<child_machine>(ship_attrs(), cancellation_type::wait_completed);
    host.expect_command(command_kind::start_child_workflow)
        .with("workflow_id", "ship-1")
        .with("workflow_type", {{"name", "Ship"}})
        .with("input", "parcel")
        .owned_by(&child);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::pending(child.future()));
}

BOOST_AUTO_TEST_CASE(child_started_keeps_the_future_waiting) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    BOOST_TEST(host.indexed(child.initiated) == &child.machine);
    BOOST_TEST(fake_machine_host::pending(child.machine.future()));
}

BOOST_AUTO_TEST_CASE(child_completed_resolves_with_its_result_and_names_its_started_event) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.deliver(event_type::child_workflow_execution_completed, closed(child.initiated, {{"result", "shipped"}}));
    BOOST_TEST(fake_machine_host::value_of(child.machine.future()) == "shipped");
    BOOST_TEST(host.history().back().attrs.at("started_event_id") == child.started_id);
    BOOST_TEST(host.retired(child.machine));
    BOOST_TEST(host.indexed_ids(child.machine).empty());
}

BOOST_AUTO_TEST_CASE(child_failed_rejects_with_child_workflow_error_carrying_the_cause) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.deliver(event_type::child_workflow_execution_failed,
                 closed(child.initiated, {{"failure", failure_record("out of stock", "Stock")}}));
    auto err = fake_machine_host::error_of<child_workflow_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "child workflow Ship (ship-1): out of stock");
    BOOST_TEST(err->workflow_id() == "ship-1");
    BOOST_TEST(err->workflow_type() == "Ship");
    BOOST_TEST(err->failure().info.at("run_id") == "run-7");
    BOOST_TEST(err->failure().info.at("initiated_event_id") == child.initiated);
    BOOST_TEST(err->failure().info.at("started_event_id") == child.started_id);
    auto cause = exception_as<application_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->type() == "Stock");
    BOOST_TEST(host.retired(child.machine));
}

BOOST_AUTO_TEST_CASE(child_timed_out_rejects_with_a_timeout_cause) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.deliver(event_type::child_workflow_execution_timed_out, closed(child.initiated, {{"retry_state", "TIMEOUT"}}));
    auto err = fake_machine_host::error_of<child_workflow_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(exception_as<timeout_error>(err->cause()).has_value());
}

BOOST_AUTO_TEST_CASE(child_terminated_rejects_with_a_terminated_cause) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.deliver(event_type::child_workflow_execution_terminated, closed(child.initiated));
    auto err = fake_machine_host::error_of<child_workflow_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(exception_as<terminated_error>(err->cause()).has_value());
}

BOOST_AUTO_TEST_CASE(child_canceled_by_someone_else_rejects_with_a_canceled_cause) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.deliver(event_type::child_workflow_execution_canceled, closed(child.initiated, {{"details", "stop"}}));
    auto err = fake_machine_host::error_of<child_workflow_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    auto cause = exception_as<canceled_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->failure().info.at("details") == "stop");
}

BOOST_AUTO_TEST_CASE(start_child_failed_rejects_naming_the_conflict) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed, false);
    host.deliver(event_type::start_child_workflow_execution_failed, {{"namespace", "ns"},
                                                                     {"initiated_event_id", child.initiated},
                                                                     {"workflow_type", {{"name", "Ship"}}},
                                                                     {"workflow_id", "ship-1"},
                                                                     {"cause", "WORKFLOW_ALREADY_EXISTS"}});
    auto err = fake_machine_host::error_of<child_workflow_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    auto cause = exception_as<application_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->type() == "ChildWorkflowExecutionAlreadyStarted");
    BOOST_TEST(cause->non_retryable());
    BOOST_TEST(cause->failure().message == "the child workflow could not start: WORKFLOW_ALREADY_EXISTS");
    BOOST_TEST(host.retired(child.machine));
}

BOOST_AUTO_TEST_CASE(cancel_before_initiated_drops_the_command_and_rejects) {
    fake_machine_host host;
    auto& child = host.add<child_machine>(ship_attrs(), cancellation_type::wait_completed);
    host.request_cancel(child.future());
    host.expect_dropped_command(command_kind::start_child_workflow);
    host.expect_no_more_commands();
    BOOST_TEST(host.commit().empty());
    auto err = fake_machine_host::error_of<canceled_error>(child.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "child workflow canceled before it started");
    BOOST_TEST(host.retired(child));
}

BOOST_AUTO_TEST_CASE(try_cancel_requests_cancellation_and_rejects_at_once) {
    fake_machine_host host;
    running_child child(host, cancellation_type::try_cancel);
    host.request_cancel(child.machine.future());
    host.expect_command(command_kind::request_cancel_external)
        .with("namespace", "ns")
        .with("workflow_execution", {{"workflow_id", "ship-1"}, {"run_id", "run-7"}})
        .with("child_workflow_only", true)
        .owned_by(&child.machine);
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(child.machine.future()).has_value());
    const auto cancel_id = host.commit().at(0).id;
    BOOST_TEST(host.indexed(cancel_id) == &child.machine);
    host.deliver(event_type::child_workflow_execution_canceled, closed(child.initiated));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(child.machine.future()).has_value());
    BOOST_TEST(host.retired(child.machine));
    BOOST_TEST(host.indexed_ids(child.machine).empty());
}

BOOST_AUTO_TEST_CASE(wait_cancellation_requested_rejects_when_the_child_hears_the_request) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_requested);
    host.request_cancel(child.machine.future());
    host.expect_command(command_kind::request_cancel_external);
    BOOST_TEST(fake_machine_host::pending(child.machine.future()));
    const auto cancel_id = host.commit().at(0).id;
    BOOST_TEST(host.deliver(event_type::external_workflow_execution_cancel_requested,
                            {{"initiated_event_id", cancel_id}, {"namespace", "ns"}}));
    auto err = fake_machine_host::error_of<canceled_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "child workflow cancel requested");
    BOOST_TEST(!host.retired(child.machine));
}

BOOST_AUTO_TEST_CASE(wait_cancellation_completed_rejects_with_canceled_error_when_the_child_is_canceled) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.request_cancel(child.machine.future());
    const auto cancel_id = host.commit().at(0).id;
    host.deliver(event_type::external_workflow_execution_cancel_requested, {{"initiated_event_id", cancel_id}});
    BOOST_TEST(fake_machine_host::pending(child.machine.future()));
    host.deliver(event_type::child_workflow_execution_canceled, closed(child.initiated));
    auto err = fake_machine_host::error_of<canceled_error>(child.machine.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "child workflow canceled");
    BOOST_TEST(host.retired(child.machine));
}

BOOST_AUTO_TEST_CASE(wait_cancellation_completed_delivers_a_completion_that_won_the_race) {
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.request_cancel(child.machine.future());
    host.commit();
    host.deliver(event_type::child_workflow_execution_completed, closed(child.initiated, {{"result", "shipped"}}));
    BOOST_TEST(fake_machine_host::value_of(child.machine.future()) == "shipped");
}

BOOST_AUTO_TEST_CASE(cancellation_type_abandon_rejects_at_once_and_still_hears_the_close) {
    fake_machine_host host;
    running_child child(host, cancellation_type::abandon);
    host.request_cancel(child.machine.future());
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(child.machine.future()).has_value());
    BOOST_TEST(
        host.deliver(event_type::child_workflow_execution_completed, closed(child.initiated, {{"result", "x"}})));
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(child.machine.future()).has_value());
    BOOST_TEST(host.retired(child.machine));
}

BOOST_AUTO_TEST_CASE(cancel_in_the_activation_the_child_closes_in_leaves_nothing_indexed) {
    // The run's cancellation is applied before the child's close in the same activation, so
    // the cancel command is recorded after the machine retired; its outcome has no one to reach.
    fake_machine_host host;
    running_child child(host, cancellation_type::wait_completed);
    host.cancel_run();
    host.deliver(event_type::child_workflow_execution_completed, closed(child.initiated, {{"result", "shipped"}}));
    BOOST_TEST(host.retired(child.machine));
    const auto cancel_id = host.commit().at(0).id;
    BOOST_TEST(host.indexed_ids(child.machine).empty());
    BOOST_TEST(!host.deliver(event_type::request_cancel_external_workflow_execution_failed,
                             {{"initiated_event_id", cancel_id}, {"cause", "EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND"}}));
    BOOST_TEST(fake_machine_host::value_of(child.machine.future()) == "shipped");
}

BOOST_AUTO_TEST_CASE(close_before_the_child_was_initiated_is_ignored) {
    fake_machine_host host;
    auto& child = host.add<child_machine>(ship_attrs(), cancellation_type::wait_completed);
    child.apply(event{4, event_type::child_workflow_execution_completed, 0, closed(4, {{"result", "x"}})});
    BOOST_TEST(fake_machine_host::pending(child.future()));
    BOOST_TEST(!host.retired(child));
}

BOOST_AUTO_TEST_CASE(external_signal_resolves_when_the_target_is_signaled) {
    fake_machine_host host;
    auto& signal = host.add<external_machine>(command_kind::signal_external, signal_attrs());
    host.expect_command(command_kind::signal_external).with("signal_name", "poke").owned_by(&signal);
    const auto initiated = host.commit().at(0).id;
    BOOST_TEST(fake_machine_host::pending(signal.future()));
    BOOST_TEST(host.deliver(event_type::external_workflow_execution_signaled, {{"initiated_event_id", initiated}}));
    BOOST_TEST(fake_machine_host::succeeded(signal.future()));
    BOOST_TEST(host.retired(signal));
    BOOST_TEST(host.indexed_ids(signal).empty());
}

BOOST_AUTO_TEST_CASE(external_signal_failed_rejects_with_workflow_not_found) {
    fake_machine_host host;
    auto& signal = host.add<external_machine>(command_kind::signal_external, signal_attrs());
    const auto initiated = host.commit().at(0).id;
    host.deliver(event_type::signal_external_workflow_execution_failed,
                 {{"initiated_event_id", initiated},
                  {"cause", "EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND"},
                  {"workflow_execution", {{"workflow_id", "w-9"}, {"run_id", ""}}}});
    auto err = fake_machine_host::error_of<application_error>(signal.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->type() == "ExternalWorkflowExecutionNotFound");
    BOOST_TEST(err->non_retryable());
    BOOST_TEST(err->failure().message == "workflow w-9 was not found (EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND)");
    BOOST_TEST(host.retired(signal));
}

BOOST_AUTO_TEST_CASE(external_cancel_resolves_when_the_cancel_is_requested) {
    fake_machine_host host;
    auto& cancel = host.add<external_machine>(
        command_kind::request_cancel_external,
        boost::json::object{{"namespace", "ns"}, {"workflow_execution", {{"workflow_id", "w-9"}, {"run_id", ""}}}});
    host.expect_command(command_kind::request_cancel_external).owned_by(&cancel);
    const auto initiated = host.commit().at(0).id;
    host.deliver(event_type::external_workflow_execution_cancel_requested, {{"initiated_event_id", initiated}});
    BOOST_TEST(fake_machine_host::succeeded(cancel.future()));
    BOOST_TEST(host.retired(cancel));
}

BOOST_AUTO_TEST_CASE(external_canceled_before_recorded_drops_its_command) {
    fake_machine_host host;
    auto& signal = host.add<external_machine>(command_kind::signal_external, signal_attrs());
    host.request_cancel(signal.future());
    host.expect_dropped_command(command_kind::signal_external);
    BOOST_TEST(host.commit().empty());
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(signal.future()).has_value());
    BOOST_TEST(host.retired(signal));
}

BOOST_AUTO_TEST_CASE(external_canceled_after_recorded_rejects_and_retires_on_its_outcome) {
    fake_machine_host host;
    auto& signal = host.add<external_machine>(command_kind::signal_external, signal_attrs());
    const auto initiated = host.commit().at(0).id;
    host.request_cancel(signal.future());
    host.expect_no_more_commands();   // a signal on its way cannot be called back
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(signal.future()).has_value());
    BOOST_TEST(!host.retired(signal));
    host.deliver(event_type::external_workflow_execution_signaled, {{"initiated_event_id", initiated}});
    BOOST_TEST(fake_machine_host::error_of<canceled_error>(signal.future()).has_value());
    BOOST_TEST(host.retired(signal));
}

BOOST_AUTO_TEST_SUITE_END()
