// The visibility query parser: Temporal's list filter syntax, typed against the system and
// custom attributes, and the messages that point at what is wrong.
#include "query_helpers.hpp"

#include <boost/test/unit_test.hpp>

using namespace perdure::detail;
using perdure::testing::parse;
using perdure::testing::refusal;

namespace {

const filter_node& root(const visibility_query& q) { return q.nodes.at(q.root.value()); }
const filter_node& child(const visibility_query& q, const filter_node& n, std::size_t i) {
    return q.nodes.at(n.children.at(i));
}
std::int64_t int_at(const filter_node& n, std::size_t i = 0) { return std::get<std::int64_t>(n.values.at(i)); }
std::int64_t nanos_at(const filter_node& n, std::size_t i = 0) {
    return std::get<sys_nanoseconds>(n.values.at(i)).time_since_epoch().count();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(visibility_query_parser)

BOOST_AUTO_TEST_CASE(each_comparison_operator_parses_to_its_operator) {
    const std::pair<const char*, compare_op> cases[] = {
        {"Amount = 1", compare_op::eq}, {"Amount != 1", compare_op::ne}, {"Amount <> 1", compare_op::ne},
        {"Amount < 1", compare_op::lt}, {"Amount <= 1", compare_op::le}, {"Amount > 1", compare_op::gt},
        {"Amount >= 1", compare_op::ge}};
    for (const auto& [text, op] : cases) {
        const auto q = parse(text);
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST((root(q).kind == node_kind::compare));
            BOOST_TEST((root(q).op == op));
            BOOST_TEST(root(q).attr.name == "Amount");
            BOOST_TEST(int_at(root(q)) == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(and_binds_tighter_than_or) {
    const auto q = parse("WorkflowId = 'a' OR WorkflowId = 'b' AND Amount = 1");
    BOOST_TEST((root(q).kind == node_kind::any_of));
    BOOST_TEST(root(q).children.size() == 2u);
    BOOST_TEST((child(q, root(q), 0).kind == node_kind::compare));
    BOOST_TEST((child(q, root(q), 1).kind == node_kind::all_of));
}

BOOST_AUTO_TEST_CASE(parentheses_group_before_and) {
    const auto q = parse("(WorkflowId = 'a' OR WorkflowId = 'b') AND Amount = 1");
    BOOST_TEST((root(q).kind == node_kind::all_of));
    BOOST_TEST((child(q, root(q), 0).kind == node_kind::any_of));
}

BOOST_AUTO_TEST_CASE(chains_of_and_and_or_are_one_node_each) {
    const auto q = parse("Amount = 1 OR Amount = 2 OR Amount = 3 OR Amount = 4");
    BOOST_TEST(root(q).children.size() == 4u);
}

BOOST_AUTO_TEST_CASE(in_lists_between_and_starts_with_with_and_without_not) {
    auto q = parse("CustomerId IN ('a', 'b', \"c\")");
    BOOST_TEST((root(q).kind == node_kind::in));
    BOOST_TEST(root(q).values.size() == 3u);
    BOOST_TEST(!root(q).negated);
    BOOST_TEST(parse("CustomerId NOT IN ('a')").nodes[0].negated);
    q = parse("Amount BETWEEN 1 AND 5 AND Amount NOT BETWEEN 2 AND 3");
    BOOST_TEST((child(q, root(q), 0).kind == node_kind::between));
    BOOST_TEST(int_at(child(q, root(q), 0), 1) == 5);
    BOOST_TEST(child(q, root(q), 1).negated);
    q = parse("WorkflowType STARTS_WITH 'order_%'");
    BOOST_TEST((root(q).kind == node_kind::starts_with));
    BOOST_TEST(std::get<std::string>(root(q).values[0]) == "order_%");
    BOOST_TEST(parse("WorkflowType NOT STARTS_WITH 'x'").nodes[0].negated);
}

BOOST_AUTO_TEST_CASE(is_null_and_is_not_null) {
    BOOST_TEST((parse("CloseTime IS NULL").nodes[0].kind == node_kind::is_null));
    BOOST_TEST(!parse("CloseTime IS NULL").nodes[0].negated);
    BOOST_TEST(parse("Customer is not null").nodes[0].negated);
}

BOOST_AUTO_TEST_CASE(not_applies_to_the_predicate_or_group_after_it) {
    const auto q = parse("NOT Amount = 1 AND NOT (Urgent = true OR Price > 2)");
    BOOST_TEST((root(q).kind == node_kind::all_of));
    BOOST_TEST((child(q, root(q), 0).kind == node_kind::negation));
    const auto& second = child(q, root(q), 1);
    BOOST_TEST((second.kind == node_kind::negation));
    BOOST_TEST((child(q, second, 0).kind == node_kind::any_of));
}

BOOST_AUTO_TEST_CASE(datetimes_are_rfc3339_with_offsets_or_integer_nanoseconds) {
    // 2025-01-31T10:00:00Z
    const std::int64_t expected = 1'738'317'600'000'000'000;
    BOOST_TEST(nanos_at(parse("StartTime > '2025-01-31T12:00:00+02:00'").nodes[0]) == expected);
    BOOST_TEST(nanos_at(parse("Due = \"2025-01-31T10:00:00Z\"").nodes[0]) == expected);
    BOOST_TEST(nanos_at(parse("CloseTime < '2025-01-31T10:00:00.000000123Z'").nodes[0]) == expected + 123);
    BOOST_TEST(nanos_at(parse("StartTime >= 1738317600000000000").nodes[0]) == expected);
}

BOOST_AUTO_TEST_CASE(execution_duration_takes_go_durations_clock_times_and_nanoseconds) {
    const std::int64_t hour = 3'600'000'000'000;
    BOOST_TEST(int_at(parse("ExecutionDuration > '1h30m'").nodes[0]) == hour * 3 / 2);
    BOOST_TEST(int_at(parse("ExecutionDuration > '1.5h'").nodes[0]) == hour * 3 / 2);
    BOOST_TEST(int_at(parse("ExecutionDuration > '2d'").nodes[0]) == hour * 48);
    BOOST_TEST(int_at(parse("ExecutionDuration > '300ms'").nodes[0]) == 300'000'000);
    BOOST_TEST(int_at(parse("ExecutionDuration > '01:00:30'").nodes[0]) == hour + 30'000'000'000);
    BOOST_TEST(int_at(parse("ExecutionDuration > '1500'").nodes[0]) == 1500);
    BOOST_TEST(int_at(parse("ExecutionDuration > 1500").nodes[0]) == 1500);
}

BOOST_AUTO_TEST_CASE(execution_status_takes_temporal_names_in_any_case_and_enum_numbers) {
    BOOST_TEST(int_at(parse("ExecutionStatus = 'Running'").nodes[0]) == 0);
    BOOST_TEST(int_at(parse("ExecutionStatus = 'continuedasnew'").nodes[0]) == 5);
    BOOST_TEST(int_at(parse("ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'").nodes[0]) == 6);
    BOOST_TEST(int_at(parse("ExecutionStatus = 3").nodes[0]) == 2);   // Temporal's FAILED
    BOOST_TEST(parse("ExecutionStatus IN ('Completed', 'Failed')").nodes[0].values.size() == 2u);
}

BOOST_AUTO_TEST_CASE(backquoted_names_and_keywords_as_names) {
    BOOST_TEST(parse("`CustomerId` = 'x'").nodes[0].attr.name == "CustomerId");
    BOOST_TEST(parse("`Order` = 'x'").nodes[0].attr.name == "Order");
}

BOOST_AUTO_TEST_CASE(strings_take_either_quote_escapes_and_doubled_quotes) {
    BOOST_TEST(std::get<std::string>(parse(R"(Customer = 'it\'s')").nodes[0].values[0]) == "it's");
    BOOST_TEST(std::get<std::string>(parse(R"(Customer = "say \"hi\"")").nodes[0].values[0]) == "say \"hi\"");
    BOOST_TEST(std::get<std::string>(parse("Customer = 'a''b'").nodes[0].values[0]) == "a'b");
    BOOST_TEST(std::get<std::string>(parse(R"(Customer = 'a\\b\n')").nodes[0].values[0]) == "a\\b\n");
    BOOST_TEST(std::get<std::string>(parse("Customer = 'Zürich'").nodes[0].values[0]) == "Zürich");
    // MySQL's other escapes, as Temporal reads them: control characters, or the character itself.
    BOOST_TEST(std::get<std::string>(parse(R"(Customer = 'a\tb\bc\Zd')").nodes[0].values[0]) ==
               "a\tb\bc\x1A"
               "d");
    BOOST_TEST(std::get<std::string>(parse(R"(Customer = '50\% a\_b \q \é')").nodes[0].values[0]) == "50% a_b q é");
}

BOOST_AUTO_TEST_CASE(numbers_booleans_and_doubles) {
    BOOST_TEST(std::get<double>(parse("Price >= 4.5").nodes[0].values[0]) == 4.5);
    BOOST_TEST(std::get<double>(parse("Price < 3").nodes[0].values[0]) == 3.0);
    BOOST_TEST(std::get<double>(parse("Price > -1e3").nodes[0].values[0]) == -1000.0);
    BOOST_TEST(int_at(parse("Amount > -7").nodes[0]) == -7);
    BOOST_TEST(std::get<bool>(parse("Urgent = TRUE").nodes[0].values[0]));
    BOOST_TEST(!std::get<bool>(parse("Urgent = 'false'").nodes[0].values[0]));
}

BOOST_AUTO_TEST_CASE(order_by_and_group_by) {
    auto q = parse("WorkflowType = 'x' ORDER BY StartTime DESC, Amount asc, Customer");
    BOOST_TEST(q.order_by.size() == 3u);
    BOOST_TEST(q.order_by[0].descending);
    BOOST_TEST(!q.order_by[1].descending);
    BOOST_TEST(q.order_by[2].attr.name == "Customer");
    q = parse("order by CloseTime");
    BOOST_TEST(!q.root);
    BOOST_TEST(q.order_by.size() == 1u);
    q = parse("WorkflowType = 'x' GROUP BY ExecutionStatus");
    BOOST_TEST(q.group_by->name == "ExecutionStatus");
    BOOST_TEST(parse("GROUP BY ExecutionStatus").group_by.has_value());
}

BOOST_AUTO_TEST_CASE(an_empty_query_has_no_filter) {
    BOOST_TEST(!parse("").root);
    BOOST_TEST(!parse("  \n\t ").root);
}

BOOST_AUTO_TEST_CASE(printed_queries_parse_back_to_the_same_query) {
    const char* queries[] = {
        "WorkflowId = 'a' OR (WorkflowId = 'b' AND Amount = 1)",
        "NOT (Customer = 'x' OR Customer = 'y') AND NOT NOT Urgent = true",
        "Customer IN ('it''s', 'back\\\\slash', 'tab\\t') AND Tags = 'blue'",
        "StartTime BETWEEN '2025-01-01T00:00:00Z' AND '2025-01-31T12:00:00.5+01:00'",
        "ExecutionStatus NOT IN ('Running', 'TimedOut') ORDER BY `Order` DESC, Price",
        "ExecutionDuration > '1h' AND Price > 1e300 AND Price < -0.25 AND CloseTime IS NOT NULL",
        "WorkflowType NOT STARTS_WITH 'a%_' GROUP BY ExecutionStatus",
        "Description = 'hello world' AND Due >= 1",
    };
    for (const char* text : queries) {
        BOOST_TEST_CONTEXT(text) {
            const auto q = parse(text);
            const auto printed = to_text(q);
            BOOST_TEST_CONTEXT(printed) { BOOST_TEST((parse(printed) == q)); }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(visibility_query_errors)

BOOST_AUTO_TEST_CASE(an_unknown_name_suggests_the_closest_one) {
    BOOST_TEST(refusal("Custmer = 'x'") == "unknown search attribute 'Custmer' at column 1; did you mean 'Customer'?");
    BOOST_TEST(refusal("Amount = 1 AND workflowid = 'x'") ==
               "unknown search attribute 'workflowid' at column 16; did you mean 'WorkflowId'?");
    BOOST_TEST(refusal("Zebra = 'x'") == "unknown search attribute 'Zebra' at column 1");
    BOOST_TEST(
        refusal("StateTransitionCount > 3") ==
        "search attribute 'StateTransitionCount' at column 1 is not available: perdure records no state transitions");
}

BOOST_AUTO_TEST_CASE(a_missing_value_points_at_what_came_instead) {
    BOOST_TEST(refusal("WorkflowId = ") == "expected a value after '=' at column 14; found the end of the query");
    BOOST_TEST(refusal("WorkflowId = AND") == "expected a value after '=' at column 14; found AND");
    BOOST_TEST(refusal("WorkflowType = Orders") ==
               "expected a value after '=' at column 16; found Orders (quote strings: 'Orders')");
    BOOST_TEST(refusal("Customer IN ()") == "expected a value after '(' at column 14; found ')'");
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_names_the_attribute_and_its_type) {
    BOOST_TEST(refusal("CustomerId = 42") == "CustomerId is Keyword; 42 at column 14 is a number");
    BOOST_TEST(refusal("Amount = 'abc'") == "Amount is Int; 'abc' at column 10 is a string");
    BOOST_TEST(refusal("Amount = 4.5") == "Amount is Int; 4.5 at column 10 is not an integer");
    BOOST_TEST(refusal("Amount = 99999999999999999999") ==
               "Amount is Int; 99999999999999999999 at column 10 is out of range");
    BOOST_TEST(refusal("Urgent = 'yes'") == "Urgent is Bool; 'yes' at column 10 is not true or false");
    BOOST_TEST(refusal("Customer = NULL") == "Customer is Keyword; NULL at column 12 is not a value (use IS NULL)");
    BOOST_TEST(
        refusal("StartTime > 'yesterday'") ==
        "StartTime is Datetime; 'yesterday' at column 13 is not an RFC 3339 time (write '2025-01-31T00:00:00Z')");
    BOOST_TEST(refusal("ExecutionDuration > '1 hour'") ==
               "ExecutionDuration is Int (nanoseconds); '1 hour' at column 21 is not a duration (write '1h30m', '90s', "
               "'hh:mm:ss' or an integer of nanoseconds)");
    BOOST_TEST(refusal("ExecutionStatus = 'Runing'") ==
               "ExecutionStatus is one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut; "
               "'Runing' at column 19 is not (did you mean 'Running'?)");
}

BOOST_AUTO_TEST_CASE(operators_a_type_does_not_take_are_refused) {
    BOOST_TEST(refusal("Description < 'x'") ==
               "operator < at column 13 does not apply to Description, a Text attribute (it takes = and != (a word "
               "match) and IS NULL)");
    BOOST_TEST(refusal("Tags STARTS_WITH 'x'") ==
               "operator STARTS_WITH at column 6 does not apply to Tags, a KeywordList attribute (it takes = "
               "(contains), !=, IN and IS NULL)");
    BOOST_TEST(refusal("ExecutionStatus > 'Running'") ==
               "operator > at column 17 does not apply to ExecutionStatus, a Keyword attribute (it takes =, !=, IN and "
               "IS NULL)");
    BOOST_TEST(refusal("Urgent BETWEEN true AND false").starts_with("operator BETWEEN at column 8 does not apply"));
    BOOST_TEST(refusal("ORDER BY Description") == "ORDER BY at column 10 cannot sort by Description, a Text attribute");
    BOOST_TEST(refusal("GROUP BY WorkflowType") ==
               "GROUP BY at column 1 supports only ExecutionStatus, not WorkflowType");
}

BOOST_AUTO_TEST_CASE(syntax_errors_point_at_the_token) {
    BOOST_TEST(refusal("(Amount = 1") ==
               "expected ')' to close the '(' of column 1 at column 12; found the end of the query");
    BOOST_TEST(refusal("Amount = 1)") == "unmatched ')' at column 11");
    BOOST_TEST(refusal("Amount = 1 Amount = 2") ==
               "expected AND, OR or the end of the query at column 12; found Amount");
    BOOST_TEST(refusal("Amount 1") ==
               "expected an operator after Amount at column 8; found 1 (use =, !=, <, <=, >, >=, IN, BETWEEN, "
               "STARTS_WITH or IS)");
    BOOST_TEST(refusal("And = 'x'") ==
               "expected a search attribute name or '(' at column 1; found AND (backquote a "
               "name that is a keyword: `AND`)");
    BOOST_TEST(refusal("Order = 'x'") == "expected BY after ORDER at column 7; found '='");
    BOOST_TEST(refusal("Amount IS 3") == "expected NULL after IS at column 11; found 3");
    BOOST_TEST(refusal("ExecutionDuration > 1h") ==
               "unexpected character 'h' after a number (durations and times are strings: write '1h30m') at column 21");
    BOOST_TEST(refusal("Customer = 'x") == "unterminated string at column 12");
    BOOST_TEST(refusal("Customer = 'a\\0b'") == "the query holds a NUL byte (\\0) at column 14");
    BOOST_TEST(refusal("ORDER BY StartTime GROUP BY ExecutionStatus") ==
               "unexpected GROUP at column 20; a query has one ORDER BY or one GROUP BY");
}

BOOST_AUTO_TEST_CASE(hostile_input_is_refused_with_a_column) {
    BOOST_TEST(refusal("WorkflowId = 'x'; DROP TABLE executions; --") == "unexpected character ';' at column 17");
    BOOST_TEST(refusal("WorkflowId = 'x' -- comment") == "unexpected character '-' at column 18");
    BOOST_TEST(refusal("WorkflowId = 'x' /* comment */") == "unexpected character '/' at column 18");
    BOOST_TEST(refusal(std::string_view("WorkflowId = 'a\0b'", 18)) == "the query holds a NUL byte at column 16");
    BOOST_TEST(refusal(std::string_view("\0", 1)) == "the query holds a NUL byte at column 1");
    BOOST_TEST(refusal(std::string_view("Customer = '\\\0'", 15)) == "the query holds a NUL byte at column 14");
    BOOST_TEST(refusal("Customer = '\\\x01'") == "unknown escape '\\x01' (write the character as it is) at column 13");
    BOOST_TEST(refusal("WorkflowId = '\xff'") == "the query is not UTF-8: byte 0xFF at column 15");
    BOOST_TEST(refusal("WorkflowId = '\xc3'") == "the query is not UTF-8: byte 0xC3 at column 15");
    BOOST_TEST(refusal("WorkflowId = '\xed\xa0\x80'") == "the query is not UTF-8: byte 0xED at column 15");
    BOOST_TEST(refusal("Zürich\x01 = 1") == "unexpected character 'ü' at column 2");
    BOOST_TEST(refusal("WorkflowId\x01= 'x'") == "unexpected control character 0x01 at column 11");
    // The injection inside a string is just a value.
    BOOST_TEST(refusal("WorkflowId = 'x''; DROP TABLE executions; --'") == "(accepted)");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_before_it_can_exhaust_the_stack) {
    std::string deep(100'000, '(');
    deep += "Amount = 1";
    BOOST_TEST(refusal(deep) == "the query nests deeper than 100 levels at column 101");
    std::string nots;
    for (int i = 0; i < 100'000; ++i) nots += "NOT ";
    BOOST_TEST(refusal(nots + "Amount = 1") == "the query nests deeper than 100 levels at column 401");
    std::string ok(100, '(');
    ok += "Amount = 1" + std::string(100, ')');
    BOOST_TEST(refusal(ok) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(and_and_or_groups_nest_sixteen_deep_and_order_by_names_eight_attributes_once) {
    const auto nested = [](int groups) {
        std::string q = "Amount = 1";
        for (int i = 0; i < groups; ++i) q = "(Amount = 2 " + std::string(i % 2 ? "AND" : "OR") + " NOT " + q + ")";
        return q;
    };
    BOOST_TEST(refusal(nested(16)) == "(accepted)");
    BOOST_TEST(refusal(nested(17)) == "the query nests AND and OR groups deeper than 16 levels at column 1");
    BOOST_TEST(refusal("ORDER BY Amount, StartTime DESC, Amount") == "ORDER BY names Amount twice at column 34");
    BOOST_TEST(refusal("ORDER BY Amount, StartTime, CloseTime, WorkflowId, RunId, HistoryLength, ExecutionTime, "
                       "TaskQueue") == "(accepted)");
    BOOST_TEST(refusal("ORDER BY Amount, StartTime, CloseTime, WorkflowId, RunId, HistoryLength, ExecutionTime, "
                       "TaskQueue, WorkflowType") == "ORDER BY takes at most 8 attributes at column 100");
}

BOOST_AUTO_TEST_CASE(very_long_queries_are_bounded_in_conditions_and_values) {
    std::string ors = "Amount = 0";
    for (int i = 1; i < 600; ++i) ors += " OR Amount = " + std::to_string(i);
    BOOST_TEST(refusal(ors).starts_with("the query has more than 500 conditions at column "));
    std::string list = "Amount IN (0";
    for (int i = 1; i < 6000; ++i) list += ", " + std::to_string(i);
    BOOST_TEST(refusal(list + ")").starts_with("the query holds more than 5000 values at column "));
    BOOST_TEST(refusal("Customer = '" + std::string(1 << 20, 'x') + "'") == "(accepted)");
    BOOST_TEST(refusal(std::string(1 << 20, 'x') + " = 1").starts_with("unknown search attribute 'xxxx"));
}

BOOST_AUTO_TEST_SUITE_END()
