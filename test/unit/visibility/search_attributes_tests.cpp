// Search attribute types and values as the public API checks them, the system attribute table,
// custom names, and the time and duration forms queries use.
#include "visibility/literals.hpp"
#include "visibility/system_attributes.hpp"

#include <perdure/error.hpp>
#include <perdure/search_attributes.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace perdure;
using namespace perdure::detail;

namespace {

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

}   // namespace

BOOST_AUTO_TEST_SUITE(search_attribute_types)

BOOST_AUTO_TEST_CASE(types_have_temporals_names_and_parse_in_any_case) {
    const std::pair<search_attribute_type, const char*> names[] = {
        {search_attribute_type::keyword, "Keyword"},
        {search_attribute_type::text, "Text"},
        {search_attribute_type::integer, "Int"},
        {search_attribute_type::floating, "Double"},
        {search_attribute_type::boolean, "Bool"},
        {search_attribute_type::datetime, "Datetime"},
        {search_attribute_type::keyword_list, "KeywordList"}};
    for (const auto& [type, name] : names) {
        BOOST_TEST(to_string(type) == name);
        BOOST_TEST((parse_search_attribute_type(name) == type));
    }
    BOOST_TEST((parse_search_attribute_type("keywordlist") == search_attribute_type::keyword_list));
    BOOST_TEST((parse_search_attribute_type("INT") == search_attribute_type::integer));
    BOOST_TEST(
        message_of([] { parse_search_attribute_type("Integer"); }) ==
        "unknown search attribute type 'Integer'; use Keyword, Text, Int, Double, Bool, Datetime or KeywordList");
}

BOOST_AUTO_TEST_CASE(a_value_of_another_type_is_refused_with_both_named) {
    BOOST_TEST(message_of([] {
                   validate_search_attribute("Amount", search_attribute_type::integer, std::string("abc"));
               }) == "search attribute 'Amount' is Int; \"abc\" is not an integer");
    BOOST_TEST(message_of([] {
                   validate_search_attribute("Tags", search_attribute_type::keyword_list, std::string("a"));
               }) == "search attribute 'Tags' is KeywordList; \"a\" is not a list of strings");
    BOOST_TEST(message_of([] {
                   validate_search_attribute("Price", search_attribute_type::floating,
                                             std::numeric_limits<double>::quiet_NaN());
               }) == "search attribute 'Price' is Double; NaN is not a finite number");
    BOOST_TEST(message_of([] { validate_search_attribute("Flag", search_attribute_type::boolean, std::int64_t{1}); }) ==
               "search attribute 'Flag' is Bool; 1 is not true or false");
    BOOST_TEST(message_of([] {
                   validate_search_attribute("Price", search_attribute_type::floating, std::int64_t{3});
               }) == "(accepted)");
    BOOST_TEST(message_of([] {
                   validate_search_attribute("Due", search_attribute_type::datetime, std::chrono::system_clock::now());
               }) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(values_written_as_text_parse_to_their_type) {
    using std::get;
    BOOST_TEST(get<std::int64_t>(parse_search_attribute_value("Amount", search_attribute_type::integer, "-42")) == -42);
    BOOST_TEST(get<double>(parse_search_attribute_value("Price", search_attribute_type::floating, "2.5")) == 2.5);
    BOOST_TEST(get<bool>(parse_search_attribute_value("Flag", search_attribute_type::boolean, "TRUE")));
    BOOST_TEST(get<std::string>(parse_search_attribute_value("Note", search_attribute_type::text, "a b")) == "a b");
    BOOST_TEST((get<std::vector<std::string>>(parse_search_attribute_value("Tags", search_attribute_type::keyword_list,
                                                                           "x")) == std::vector<std::string>{"x"}));
    const auto due = get<std::chrono::system_clock::time_point>(
        parse_search_attribute_value("Due", search_attribute_type::datetime, "2025-01-31T12:00:00+02:00"));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(due.time_since_epoch()).count() == 1'738'317'600);
    BOOST_TEST(message_of([] { parse_search_attribute_value("Amount", search_attribute_type::integer, "abc"); }) ==
               "search attribute 'Amount' is Int; \"abc\" is not an integer");
    BOOST_TEST(message_of([] { parse_search_attribute_value("Amount", search_attribute_type::integer, "1e3"); }) ==
               "search attribute 'Amount' is Int; \"1e3\" is not an integer");
    BOOST_TEST(message_of([] { parse_search_attribute_value("Due", search_attribute_type::datetime, "today"); }) ==
               "search attribute 'Due' is Datetime; \"today\" is not an RFC 3339 time");
    BOOST_TEST(message_of([] { parse_search_attribute_value("Price", search_attribute_type::floating, "inf"); }) ==
               "search attribute 'Price' is Double; \"inf\" is not a finite number");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(system_search_attributes)

BOOST_AUTO_TEST_CASE(the_table_has_temporals_names_and_types_in_enum_order) {
    BOOST_TEST(system_attributes().size() == system_attribute_count);
    for (std::size_t i = 0; i < system_attributes().size(); ++i)
        BOOST_TEST(static_cast<std::size_t>(system_attributes()[i].id) == i);
    BOOST_TEST((find_system_attribute("ExecutionStatus")->type == search_attribute_type::keyword));
    BOOST_TEST((find_system_attribute("CloseTime")->type == search_attribute_type::datetime));
    BOOST_TEST((find_system_attribute("ExecutionDuration")->type == search_attribute_type::integer));
    BOOST_TEST((find_system_attribute("HistoryLength")->type == search_attribute_type::integer));
    BOOST_TEST(find_system_attribute("RootWorkflowId") != nullptr);
    BOOST_TEST(find_system_attribute("workflowid") == nullptr);   // names are case-sensitive, as on Temporal
}

BOOST_AUTO_TEST_CASE(custom_names_follow_the_rules_and_avoid_temporals_names) {
    for (const char* ok :
         {"CustomerId", "a", "order_total_2", "X23456789012345678901234567890123456789012345678901234567890123"})
        BOOST_TEST(message_of([&] { check_custom_attribute_name(ok); }) == "(accepted)", ok);
    BOOST_TEST(
        message_of([] { check_custom_attribute_name("2fast"); }) ==
        "invalid search attribute name '2fast': it must be 1 to 64 ASCII letters, digits or '_', starting with a "
        "letter");
    BOOST_TEST(
        message_of([] { check_custom_attribute_name("with space"); }).starts_with("invalid search attribute name"));
    BOOST_TEST(message_of([] { check_custom_attribute_name(""); }).starts_with("invalid search attribute name"));
    BOOST_TEST(message_of([] { check_custom_attribute_name(std::string(65, 'a')); }).starts_with("invalid search"));
    BOOST_TEST(message_of([] { check_custom_attribute_name("WorkflowId"); }) ==
               "search attribute name 'WorkflowId' is reserved by Temporal; choose another name");
    BOOST_TEST(message_of([] {
                   check_custom_attribute_name("BatcherUser");
               }).ends_with("is reserved by Temporal; choose another name"));
    BOOST_TEST(message_of([] {
                   check_custom_attribute_name("Memo");
               }).ends_with("is reserved by Temporal; choose another name"));
    BOOST_TEST(
        message_of([] { check_custom_attribute_name("TemporalThing"); }) ==
        "search attribute name 'TemporalThing' starts with 'Temporal', a prefix Temporal reserves; choose another "
        "name");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(visibility_literals)

BOOST_AUTO_TEST_CASE(rfc3339_times_parse_to_the_nanosecond_and_print_back) {
    const auto t = parse_rfc3339("2025-01-31T12:00:00.123456789+02:00");
    BOOST_REQUIRE(t.has_value());
    BOOST_TEST(t->time_since_epoch().count() == 1'738'317'600'123'456'789);
    BOOST_TEST(format_rfc3339(*t) == "2025-01-31T10:00:00.123456789Z");
    BOOST_TEST(format_rfc3339(*parse_rfc3339("1969-12-31t23:59:59.5z")) == "1969-12-31T23:59:59.500Z");
    BOOST_TEST(format_rfc3339(*parse_rfc3339("2000-02-29 00:00:00Z")) == "2000-02-29T00:00:00Z");
    for (const char* bad : {"2025-01-31", "2025-01-31T12:00:00", "2025-02-30T00:00:00Z", "2025-01-31T24:00:00Z",
                            "2025-01-31T12:00:00.Z", "2025-01-31T12:00:00+2:00", "3000-01-01T00:00:00Z", ""})
        BOOST_TEST(!parse_rfc3339(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(a_query_bound_beyond_what_nanoseconds_hold_becomes_the_nearest_they_do) {
    using limits = std::numeric_limits<std::int64_t>;
    constexpr std::int64_t two_days = 2LL * 86'400 * 1'000'000'000;
    BOOST_TEST(parse_rfc3339_bound("9999-12-31T23:59:59Z")->time_since_epoch().count() == limits::max() - two_days);
    BOOST_TEST(parse_rfc3339_bound("0025-01-01T00:00:00Z")->time_since_epoch().count() == limits::min() + two_days);
    // It prints back (the canonical text of a page token's query), rounded down to its day.
    BOOST_TEST(format_rfc3339(*parse_rfc3339_bound("0025-01-01T00:00:00Z")).starts_with("1677-09-2"));
    BOOST_TEST((parse_rfc3339_bound("2025-01-31T12:00:00Z") == parse_rfc3339("2025-01-31T12:00:00Z")));
    BOOST_TEST(!parse_rfc3339_bound("9999-12-31").has_value());
}

BOOST_AUTO_TEST_CASE(durations_take_go_syntax_clock_times_and_nanoseconds) {
    BOOST_TEST(*parse_duration_nanos("1h30m") == 5'400'000'000'000);
    BOOST_TEST(*parse_duration_nanos("-1.5h") == -5'400'000'000'000);
    BOOST_TEST(*parse_duration_nanos("1m0.5s") == 60'500'000'000);
    BOOST_TEST(*parse_duration_nanos("1us") == 1000);
    BOOST_TEST(*parse_duration_nanos("1\xC2\xB5s") == 1000);
    BOOST_TEST(*parse_duration_nanos(".5s") == 500'000'000);
    BOOST_TEST(*parse_duration_nanos("0") == 0);
    BOOST_TEST(*parse_duration_nanos("2d") == 172'800'000'000'000);
    BOOST_TEST(*parse_duration_nanos("100:00:01") == 360'001'000'000'000);
    BOOST_TEST(*parse_duration_nanos("1:2:3") == 3'723'000'000'000);   // any digits, as Temporal's %d:%d:%d
    BOOST_TEST(*parse_duration_nanos("42") == 42);
    for (const char* bad : {"", "h", "1x", "1h 30m", "1.h.", "00:60:00", "1:2", "1::3", "-1:0:0", "1:2:3x", "-",
                            "106752d", "9223372036854775808ns"})
        BOOST_TEST(!parse_duration_nanos(bad).has_value(), bad);
}

BOOST_AUTO_TEST_SUITE_END()
