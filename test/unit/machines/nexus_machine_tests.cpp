// The caller's Nexus operation machine against a fake host: its two futures (started, result),
// sync and async outcomes, and cancellation before scheduling and under each cancellation type.
#include "machines/nexus_failure.hpp"
#include "machines/nexus_machine.hpp"
#include "support/fake_machine_host.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/test/unit_test.hpp>

using namespace perdure;
using detail::command_kind;
using detail::event;
using detail::event_type;
using detail::nexus_machine;
using test::exception_as;
using test::fake_machine_host;

namespace {

boost::json::object reserve_attrs() {
    return {{"endpoint", "inventory"},
            {"service", "stock"},
            {"operation", "reserve"},
            {"input", "sku-1"},
            {"schedule_to_close_timeout", "60s"}};
}

/// An operation stock/reserve on endpoint "inventory" whose command was recorded.
struct scheduled_operation {
    scheduled_operation(fake_machine_host& host, cancellation_type cancellation)
        : machine(host.add<nexus_machine>(reserve_attrs(), cancellation)), scheduled(host.commit().at(0).id) {}
    nexus_machine& machine;
    std::int64_t scheduled;
    const std::shared_ptr<detail::future_state>& started() const { return machine.started(); }
    const std::shared_ptr<detail::future_state>& result() const { return machine.future(); }
};

/// The operation's failure as the runtime records it: wrapped, naming the operation.
boost::json::object recorded_failure(std::int64_t scheduled, const std::string& token, failure cause) {
    return detail::wrap_nexus_failure("inventory", "stock", "reserve", token, scheduled, std::move(cause)).to_json();
}

void start(fake_machine_host& host, const scheduled_operation& op, const std::string& token = "tok-1") {
    host.deliver(event_type::nexus_operation_started,
                 {{"scheduled_event_id", op.scheduled}, {"operation_token", token}, {"request_id", "r-1"}});
}

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_machine_tests)

BOOST_AUTO_TEST_CASE(new_operation_emits_schedule_nexus_operation_and_makes_two_futures) {
    fake_machine_host host;
    auto& op = host.add<nexus_machine>(reserve_attrs(), cancellation_type::wait_completed);
    host.expect_command(command_kind::schedule_nexus_operation)
        .with("endpoint", "inventory")
        .with("service", "stock")
        .with("operation", "reserve")
        .with("input", "sku-1")
        .owned_by(&op);
    host.expect_no_more_commands();
    BOOST_TEST(host.futures().size() == 2u);
    BOOST_TEST(fake_machine_host::pending(op.started()));
    BOOST_TEST(fake_machine_host::pending(op.future()));
    BOOST_TEST(op.pending());
}

BOOST_AUTO_TEST_CASE(nexus_started_resolves_started_with_the_token) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    BOOST_TEST(host.indexed(op.scheduled) == &op.machine);
    start(host, op, "tok-9");
    BOOST_TEST(fake_machine_host::value_of(op.started()) == "tok-9");
    BOOST_TEST(fake_machine_host::pending(op.result()));
    BOOST_TEST(op.machine.pending());
}

BOOST_AUTO_TEST_CASE(nexus_started_then_completed_resolves_started_and_result) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    start(host, op);
    host.deliver(event_type::nexus_operation_completed, {{"scheduled_event_id", op.scheduled}, {"result", 42}});
    BOOST_TEST(fake_machine_host::value_of(op.started()) == "tok-1");
    BOOST_TEST(fake_machine_host::value_of(op.result()) == 42);
    BOOST_TEST(op.started()->resolved_seq < op.result()->resolved_seq);
    BOOST_TEST(!op.machine.pending());
    BOOST_TEST(host.retired(op.machine));
    BOOST_TEST(host.indexed_ids(op.machine).empty());
}

BOOST_AUTO_TEST_CASE(sync_completion_resolves_started_with_an_empty_token_then_the_result) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    host.deliver(event_type::nexus_operation_completed, {{"scheduled_event_id", op.scheduled}, {"result", "held"}});
    BOOST_TEST(fake_machine_host::value_of(op.started()) == "");
    BOOST_TEST(fake_machine_host::value_of(op.result()) == "held");
    BOOST_TEST(op.started()->resolved_seq < op.result()->resolved_seq);
}

BOOST_AUTO_TEST_CASE(nexus_failed_rejects_both_futures_with_the_recorded_failure) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    const failure cause{"no stock", failure_kind::application, {{"type", "OperationError"}, {"non_retryable", true}}};
    host.deliver(event_type::nexus_operation_failed,
                 {{"scheduled_event_id", op.scheduled}, {"failure", recorded_failure(op.scheduled, "", cause)}});
    for (const auto& f : {op.started(), op.result()}) {
        auto err = fake_machine_host::error_of<nexus_operation_failure>(f);
        BOOST_TEST_REQUIRE(err.has_value());
        BOOST_TEST(err->failure().message == "nexus operation completed unsuccessfully: no stock");
        BOOST_TEST(err->endpoint() == "inventory");
        BOOST_TEST(err->service() == "stock");
        BOOST_TEST(err->operation() == "reserve");
        BOOST_TEST(err->scheduled_event_id() == op.scheduled);
        auto inner = exception_as<application_error>(err->cause());
        BOOST_TEST_REQUIRE(inner.has_value());
        BOOST_TEST(inner->type() == "OperationError");
    }
    BOOST_TEST(host.retired(op.machine));
}

BOOST_AUTO_TEST_CASE(nexus_timed_out_after_started_rejects_the_result_with_a_timeout_cause) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    start(host, op);
    const failure cause{"operation timed out", failure_kind::timeout, {{"timeout_type", "SCHEDULE_TO_CLOSE"}}};
    host.deliver(event_type::nexus_operation_timed_out,
                 {{"scheduled_event_id", op.scheduled}, {"failure", recorded_failure(op.scheduled, "tok-1", cause)}});
    BOOST_TEST(fake_machine_host::value_of(op.started()) == "tok-1");
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->operation_token() == "tok-1");
    BOOST_TEST(exception_as<timeout_error>(err->cause()).has_value());
    BOOST_TEST(host.retired(op.machine));
}

BOOST_AUTO_TEST_CASE(nexus_canceled_without_a_failure_record_names_the_operation_and_its_token) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    start(host, op, "tok-3");
    host.deliver(event_type::nexus_operation_canceled, {{"scheduled_event_id", op.scheduled}});
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->operation_token() == "tok-3");
    BOOST_TEST(err->scheduled_event_id() == op.scheduled);
    auto cause = exception_as<canceled_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->failure().message == "nexus operation canceled");
}

BOOST_AUTO_TEST_CASE(cancel_before_scheduled_drops_the_command_and_rejects_both) {
    fake_machine_host host;
    auto& op = host.add<nexus_machine>(reserve_attrs(), cancellation_type::wait_completed);
    host.request_cancel(op.future());
    host.expect_dropped_command(command_kind::schedule_nexus_operation);
    host.expect_no_more_commands();
    BOOST_TEST(host.commit().empty());
    for (const auto& f : {op.started(), op.future()}) {
        auto err = fake_machine_host::error_of<nexus_operation_failure>(f);
        BOOST_TEST_REQUIRE(err.has_value());
        auto cause = exception_as<canceled_error>(err->cause());
        BOOST_TEST_REQUIRE(cause.has_value());
        BOOST_TEST(cause->failure().message == "nexus operation canceled before it was scheduled");
    }
    BOOST_TEST(!op.pending());
    BOOST_TEST(host.retired(op));
}

BOOST_AUTO_TEST_CASE(try_cancel_rejects_before_the_canceled_event) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::try_cancel);
    start(host, op);
    host.request_cancel(op.result());
    host.expect_command(command_kind::request_cancel_nexus_operation)
        .with("scheduled_event_id", op.scheduled)
        .owned_by(nullptr);
    host.expect_no_more_commands();
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(exception_as<canceled_error>(err->cause()).has_value());
    BOOST_TEST(op.machine.pending());   // the operation itself runs until its outcome
    host.commit();
    host.deliver(event_type::nexus_operation_canceled, {{"scheduled_event_id", op.scheduled}});
    BOOST_TEST(host.retired(op.machine));
    BOOST_TEST(fake_machine_host::error_text(op.result()) ==
               "perdure::nexus_operation_failure: nexus operation completed unsuccessfully: nexus operation canceled");
}

BOOST_AUTO_TEST_CASE(cancellation_type_abandon_rejects_at_once_without_a_command) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::abandon);
    host.request_cancel(op.result());
    host.expect_no_more_commands();
    BOOST_TEST(fake_machine_host::failed(op.started()));
    BOOST_TEST(fake_machine_host::failed(op.result()));
    BOOST_TEST(op.machine.pending());
    host.deliver(event_type::nexus_operation_completed, {{"scheduled_event_id", op.scheduled}, {"result", 1}});
    BOOST_TEST(fake_machine_host::failed(op.result()));
    BOOST_TEST(!op.machine.pending());
}

BOOST_AUTO_TEST_CASE(wait_cancellation_requested_rejects_when_the_cancel_request_completes) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_requested);
    start(host, op);
    host.request_cancel(op.result());
    host.expect_command(command_kind::request_cancel_nexus_operation);
    BOOST_TEST(fake_machine_host::pending(op.result()));
    const auto requested = host.commit().at(0).id;
    host.deliver(event_type::nexus_operation_cancel_request_completed,
                 {{"requested_event_id", requested}, {"scheduled_event_id", op.scheduled}});
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    auto cause = exception_as<canceled_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->failure().message == "nexus operation cancel requested");
    BOOST_TEST(!host.retired(op.machine));
}

BOOST_AUTO_TEST_CASE(wait_cancellation_requested_rejects_with_the_handler_error_when_the_cancel_request_fails) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_requested);
    start(host, op);
    host.request_cancel(op.result());
    const auto requested = host.commit().at(0).id;
    const nexus::handler_error refused(nexus::handler_error_type::not_found, "workflow w-1 not found");
    host.deliver(event_type::nexus_operation_cancel_request_failed, {{"requested_event_id", requested},
                                                                     {"scheduled_event_id", op.scheduled},
                                                                     {"failure", refused.failure().to_json()}});
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->operation_token() == "tok-1");
    auto cause = exception_as<nexus::handler_error>(err->cause());
    BOOST_TEST_REQUIRE(cause.has_value());
    BOOST_TEST(cause->failure().message == "workflow w-1 not found");
}

BOOST_AUTO_TEST_CASE(wait_cancellation_completed_waits_past_the_cancel_request_for_the_canceled_event) {
    fake_machine_host host;
    scheduled_operation op(host, cancellation_type::wait_completed);
    start(host, op);
    host.request_cancel(op.result());
    host.expect_command(command_kind::request_cancel_nexus_operation);
    const auto requested = host.commit().at(0).id;
    host.deliver(event_type::nexus_operation_cancel_request_completed,
                 {{"requested_event_id", requested}, {"scheduled_event_id", op.scheduled}});
    BOOST_TEST(fake_machine_host::pending(op.result()));
    const failure cause{"operation canceled", failure_kind::canceled, {{"details", nullptr}}};
    host.deliver(event_type::nexus_operation_canceled,
                 {{"scheduled_event_id", op.scheduled}, {"failure", recorded_failure(op.scheduled, "tok-1", cause)}});
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.result());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->failure().message == "nexus operation completed unsuccessfully: operation canceled");
    BOOST_TEST(host.retired(op.machine));
}

BOOST_AUTO_TEST_CASE(failures_name_the_endpoint_history_recorded) {
    // On replay the recorded ScheduleNexusOperation, not the code's, names the operation.
    fake_machine_host host;
    auto& op = host.add<nexus_machine>(reserve_attrs(), cancellation_type::try_cancel);
    host.commit([](event& e) { e.attrs["endpoint"] = "inventory-v1"; });
    host.request_cancel(op.future());
    auto err = fake_machine_host::error_of<nexus_operation_failure>(op.future());
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST(err->endpoint() == "inventory-v1");
}

BOOST_AUTO_TEST_CASE(events_before_scheduling_and_after_the_outcome_change_nothing) {
    fake_machine_host host;
    auto& op = host.add<nexus_machine>(reserve_attrs(), cancellation_type::wait_completed);
    op.apply(event{4, event_type::nexus_operation_completed, 0, {{"scheduled_event_id", 4}, {"result", 1}}});
    BOOST_TEST(fake_machine_host::pending(op.future()));
    const auto scheduled = host.commit().at(0).id;
    host.deliver(event_type::nexus_operation_completed, {{"scheduled_event_id", scheduled}, {"result", 2}});
    BOOST_TEST(!host.deliver(event_type::nexus_operation_started,
                             {{"scheduled_event_id", scheduled}, {"operation_token", "late"}}));
    BOOST_TEST(fake_machine_host::value_of(op.started()) == "");
    BOOST_TEST(fake_machine_host::value_of(op.future()) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
