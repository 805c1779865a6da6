// What the owner answers a standby's endpoint.health with, and what the standby reads back: the
// same health, or a storage_error naming the answer when it is not one.
#include "runtime/inbox_answers.hpp"

#include "support/error_text.hpp"

#include <perdure/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace perdure::detail;

BOOST_AUTO_TEST_SUITE(inbox_answers)

BOOST_AUTO_TEST_CASE(an_endpoints_health_reads_back_as_the_owner_answered_it) {
    const auto reopens = std::chrono::system_clock::time_point{} + std::chrono::microseconds(1'735'689'600'123'456);
    const perdure::nexus::endpoint_health open{"open", 5, 2, reopens};
    const auto back = health_of(health_json(open));
    BOOST_TEST(back.breaker == "open");
    BOOST_TEST(back.consecutive_failures == 5);
    BOOST_TEST(back.in_flight == 2);
    BOOST_TEST((back.reopens_at == reopens));
}

BOOST_AUTO_TEST_CASE(an_answer_that_is_not_a_health_is_a_storage_error_showing_it) {
    for (const char* answer : {R"("closed")", R"({"breaker":"closed"})",
                               R"({"breaker":1,"consecutive_failures":0,"in_flight":0,"reopens_at_us":0})"}) {
        BOOST_TEST_CONTEXT(answer) {
            try {
                health_of(boost::json::parse(answer));
                BOOST_FAIL("read as a health");
            } catch (const perdure::storage_error& e) {
                BOOST_TEST(perdure::test::contains(e.what(), "answer to an endpoint's health cannot be read"));
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
