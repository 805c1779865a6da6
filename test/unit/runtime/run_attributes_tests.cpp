// A run's search attributes and memo on data: values typed against the namespace's registry,
// an upsert or child start refused with Temporal's cause and a hint, a memo change checked on
// the memo the earlier changes leave, and recorded changes merged into the run.
#include "runtime/run_attributes.hpp"

#include "support/detail_printing.hpp"
#include "support/error_text.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace perdure;
using namespace perdure::detail;
using perdure::test::contains;

namespace {

namespace_row orders() {
    namespace_row ns;
    ns.ns_id = 1;
    ns.name = "orders";
    ns.search_attributes = {{"CustomerId", search_attribute_type::keyword},
                            {"Total", search_attribute_type::floating},
                            {"Tags", search_attribute_type::keyword_list}};
    return ns;
}

command upsert(search_attributes values) {
    command c{command_kind::upsert_search_attributes};
    c.values = std::move(values);
    return c;
}

command memo_change(boost::json::object fields) {
    return command{command_kind::modify_workflow_properties, {{"upserted_memo", std::move(fields)}}};
}

run_identity run() {
    run_identity r;
    r.run_key = 7;
    r.ns_id = 1;
    r.workflow_id = "order-7";
    return r;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(run_attributes_on_data)

BOOST_AUTO_TEST_CASE(an_integer_given_to_a_double_attribute_is_typed_as_a_double) {
    const auto ns = orders();
    const auto typed = type_search_attributes(&ns, {{"Total", std::int64_t{12}}, {"CustomerId", std::string("c1")}});
    BOOST_TEST(typed.at("Total").type == search_attribute_type::floating);
    BOOST_TEST(std::get<double>(typed.at("Total").value) == 12.0);
    BOOST_TEST(std::get<std::string>(typed.at("CustomerId").value) == "c1");
}

BOOST_AUTO_TEST_CASE(an_unknown_attribute_names_the_closest_registered_one_or_how_to_register) {
    const auto ns = orders();
    const auto close = test::message_of<invalid_argument>([&] {
        type_search_attributes(&ns, {{"CustomerID", std::string("c1")}});
    });
    BOOST_TEST(
        contains(close, "unknown search attribute 'CustomerID' in namespace 'orders'; did you mean 'CustomerId'?"));
    const auto far = test::message_of<invalid_argument>([&] {
        type_search_attributes(&ns, {{"Warehouse", std::string("w")}});
    });
    BOOST_TEST(contains(far, "register it with engine.namespaces().add_search_attribute"));
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_is_refused) {
    const auto ns = orders();
    BOOST_CHECK_THROW(type_search_attributes(&ns, {{"CustomerId", std::int64_t{3}}}), invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_removed_namespace_fails_values_but_not_an_empty_set) {
    BOOST_CHECK_THROW(type_search_attributes(nullptr, {{"CustomerId", std::string("c1")}}), not_found);
    BOOST_TEST(type_search_attributes(nullptr, {}).empty());
    command child{command_kind::start_child_workflow};
    BOOST_TEST(!prepare_child_start(nullptr, child));
}

BOOST_AUTO_TEST_CASE(an_upsert_types_its_values_and_an_empty_list_removes_the_attribute) {
    const auto ns = orders();
    auto c = upsert({{"Total", std::int64_t{5}}, {"Tags", std::vector<std::string>{}}});
    BOOST_TEST(!prepare_upsert(&ns, c));
    const auto& fields = c.attrs.at("search_attributes").at("indexed_fields").as_object();
    BOOST_TEST(fields.at("Tags").at("value").is_null());
    BOOST_TEST(fields.at("Tags").at("type").as_string() == "KeywordList");
    BOOST_TEST(fields.contains("Total"));
}

BOOST_AUTO_TEST_CASE(a_bad_upsert_fails_the_task_with_bad_search_attributes) {
    const auto ns = orders();
    auto c = upsert({{"Totl", std::int64_t{5}}});
    const auto f = prepare_upsert(&ns, c);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->reason == task_failure::cause::bad_command);
    BOOST_TEST(f->message.starts_with("BAD_SEARCH_ATTRIBUTES: unknown search attribute 'Totl'"));
    BOOST_TEST(contains(f->message, "the workflow task is retried"));
}

BOOST_AUTO_TEST_CASE(a_child_start_with_a_bad_value_fails_with_its_own_cause) {
    const auto ns = orders();
    command c{command_kind::start_child_workflow};
    c.values = {{"CustomerId", true}};
    const auto f = prepare_child_start(&ns, c);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->message.starts_with("BAD_START_CHILD_EXECUTION_ATTRIBUTES: "));
    c.values = {{"CustomerId", std::string("c9")}};
    BOOST_TEST(!prepare_child_start(&ns, c));
    BOOST_TEST(c.attrs.at("search_attributes").at("indexed_fields").as_object().contains("CustomerId"));
}

BOOST_AUTO_TEST_CASE(a_recorded_upsert_is_merged_into_the_run_and_names_what_changed) {
    const auto ns = orders();
    auto r = run();
    r.search_attributes.edit() = type_search_attributes(&ns, {{"CustomerId", std::string("c1")}});
    auto c = upsert({{"Total", 9.5}, {"CustomerId", std::string("c2")}});
    BOOST_REQUIRE(!prepare_upsert(&ns, c));
    const event recorded{5, event_type::upsert_workflow_search_attributes, 0, c.attrs};
    const auto write = apply_search_attributes(r, recorded);
    BOOST_REQUIRE(write);
    BOOST_TEST(write->run_key == 7);
    BOOST_TEST(write->all.size() == 2u);
    BOOST_TEST(write->changed.size() == 2u);
    BOOST_TEST(std::get<std::string>(r.search_attributes->at("CustomerId").value) == "c2");
    BOOST_TEST(!apply_search_attributes(r, event{6, event_type::upsert_workflow_search_attributes, 0, {}}));
}

BOOST_AUTO_TEST_CASE(each_memo_change_is_checked_on_the_memo_the_earlier_ones_leave) {
    auto r = run();
    r.memo.edit() = {{"note", std::string(60, 'a')}};
    const std::vector<command> fits{memo_change({{"note", nullptr}}), memo_change({{"big", std::string(90, 'b')}})};
    BOOST_TEST(!check_memo_upserts(r, fits, 128));   // the first change removed the note
    const std::vector<command> grows{memo_change({{"big", std::string(90, 'b')}})};
    const auto f = check_memo_upserts(r, grows, 128);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->message.starts_with("BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES: the memo of workflow order-7"));
    BOOST_TEST(contains(f->message, "limited to 128 bytes"));
}

BOOST_AUTO_TEST_CASE(a_recorded_memo_change_replaces_keys_removes_nulls_and_keeps_order) {
    auto r = run();
    r.memo.edit() = {{"a", 1}, {"b", 2}, {"c", 3}};
    const event recorded{
        4, event_type::workflow_properties_modified, 0, {{"upserted_memo", {{"a", nullptr}, {"c", 30}}}}};
    const auto write = apply_memo(r, recorded);
    BOOST_REQUIRE(write);
    BOOST_TEST(boost::json::serialize(*r.memo) == R"({"b":2,"c":30})");
    BOOST_TEST(boost::json::serialize(write->memo) == R"({"b":2,"c":30})");
    BOOST_TEST(!apply_memo(r, event{5, event_type::workflow_properties_modified, 0, {}}));
}

BOOST_AUTO_TEST_SUITE_END()
