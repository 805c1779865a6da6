// Failure translation on data: what a handler's exception becomes, which failures are retried
// as nexus-rpc defines them (and their explicit overrides), the timeout and refusal failures.
#include "nexus/failure_translation.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using perdure::failure;
using perdure::failure_kind;
using perdure::detail::attempt_decision;
using perdure::detail::failure_of_handler_exception;
using perdure::detail::handler_verdict;
using perdure::detail::judge_handler_failure;
using perdure::nexus::handler_error;
using perdure::nexus::handler_error_type;
using perdure::nexus::retry_behavior;

namespace {

template <class E>
failure translated(E e) {
    return failure_of_handler_exception(std::make_exception_ptr(std::move(e)));
}

std::string info(const failure& f, const char* key) { return std::string(f.info.at(key).as_string()); }

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_failure_translation)

BOOST_AUTO_TEST_CASE(retryable_handler_error_types_are_retried_and_the_others_fail_the_operation) {
    for (auto t : {handler_error_type::request_timeout, handler_error_type::resource_exhausted,
                   handler_error_type::internal, handler_error_type::unavailable, handler_error_type::upstream_timeout})
        BOOST_TEST((judge_handler_failure(handler_error(t, "x").failure()) == handler_verdict::retry),
                   perdure::nexus::to_string(t));
    for (auto t :
         {handler_error_type::bad_request, handler_error_type::unauthenticated, handler_error_type::unauthorized,
          handler_error_type::not_found, handler_error_type::conflict, handler_error_type::not_implemented})
        BOOST_TEST((judge_handler_failure(handler_error(t, "x").failure()) == handler_verdict::fail),
                   perdure::nexus::to_string(t));
}

BOOST_AUTO_TEST_CASE(an_explicit_retry_behavior_overrides_the_types_default) {
    const auto retried = handler_error(handler_error_type::bad_request, "x", retry_behavior::retryable).failure();
    BOOST_TEST((judge_handler_failure(retried) == handler_verdict::retry));
    const auto final_one = handler_error(handler_error_type::unavailable, "x", retry_behavior::non_retryable).failure();
    BOOST_TEST((judge_handler_failure(final_one) == handler_verdict::fail));
}

BOOST_AUTO_TEST_CASE(an_operation_error_ends_the_operation_failed_or_canceled) {
    using perdure::nexus::operation_error;
    using perdure::nexus::operation_state;
    const auto failed = translated(operation_error(operation_state::failed, "no"));
    BOOST_TEST((judge_handler_failure(failed) == handler_verdict::fail));
    BOOST_TEST(info(failed, "type") == "OperationError");
    const auto canceled = translated(operation_error(operation_state::canceled, "stop"));
    BOOST_TEST((canceled.kind == failure_kind::canceled));
    BOOST_TEST((judge_handler_failure(canceled) == handler_verdict::cancel));
}

BOOST_AUTO_TEST_CASE(a_handler_error_thrown_is_kept_as_it_is) {
    const auto f = translated(handler_error(handler_error_type::not_found, "gone"));
    BOOST_TEST((f.kind == failure_kind::nexus_handler));
    BOOST_TEST(info(f, "type") == "NOT_FOUND");
    BOOST_TEST(f.message == "gone");
}

BOOST_AUTO_TEST_CASE(an_application_error_becomes_an_internal_handler_error_caused_by_it) {
    const auto retryable = translated(perdure::application_error("try later", "Busy"));
    BOOST_TEST(info(retryable, "type") == "INTERNAL");
    BOOST_TEST((judge_handler_failure(retryable) == handler_verdict::retry));
    BOOST_REQUIRE(retryable.cause);
    BOOST_TEST(info(*retryable.cause, "type") == "Busy");
    const auto final_one = translated(perdure::application_error("never", "Refused", true));
    BOOST_TEST(info(final_one, "retry_behavior") == "NON_RETRYABLE");
    BOOST_TEST((judge_handler_failure(final_one) == handler_verdict::fail));
}

BOOST_AUTO_TEST_CASE(any_other_exception_is_a_retryable_internal_error) {
    const auto plain = translated(std::runtime_error("boom"));
    BOOST_TEST(info(plain, "type") == "INTERNAL");
    BOOST_TEST(plain.message == "boom");
    BOOST_TEST((judge_handler_failure(plain) == handler_verdict::retry));
    const auto odd = translated(42);
    BOOST_TEST(odd.message == "the handler threw a non-standard exception");
    BOOST_TEST((judge_handler_failure(odd) == handler_verdict::retry));
}

BOOST_AUTO_TEST_CASE(a_failure_of_another_kind_fails_the_operation) {
    BOOST_TEST((judge_handler_failure(failure{"odd", failure_kind::application}) == handler_verdict::fail));
}

BOOST_AUTO_TEST_CASE(a_timeout_names_the_timeout_that_ran_out) {
    const auto f = perdure::detail::operation_timeout(perdure::timeout_type::schedule_to_start);
    BOOST_TEST((f.kind == failure_kind::timeout));
    BOOST_TEST(info(f, "timeout_type") == "SCHEDULE_TO_START");
    BOOST_TEST(f.message == "operation timed out");
}

BOOST_AUTO_TEST_CASE(refusals_are_non_retryable_not_found_errors) {
    using refusal = attempt_decision::refusal;
    const auto gone = perdure::detail::refusal_failure(refusal::endpoint_not_registered, "svc", "op", "q");
    BOOST_TEST(gone.message == "endpoint not registered");
    BOOST_TEST(info(gone, "type") == "NOT_FOUND");
    BOOST_TEST((judge_handler_failure(gone) == handler_verdict::fail));
    const auto missing = perdure::detail::refusal_failure(refusal::operation_not_found, "svc", "op", "q");
    BOOST_TEST(missing.message == "no operation op in service svc on task queue q");
    BOOST_TEST(info(missing, "retry_behavior") == "NON_RETRYABLE");
}

BOOST_AUTO_TEST_SUITE_END()
