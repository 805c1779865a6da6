// A run's identity in memory: fields most runs leave empty cost no heap until set, and the ids
// that name the run itself are kept once.
#include "history/run_identity.hpp"

#include "support/boxed.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>

using perdure::detail::boxed;
using perdure::detail::boxed_optional;
using perdure::detail::heap_value;
using perdure::detail::run_identity;

BOOST_AUTO_TEST_SUITE(run_identity_in_memory)

BOOST_AUTO_TEST_CASE(a_boxed_field_reads_as_its_default_until_set_and_copies_deeply) {
    boxed<boost::json::object> memo;
    BOOST_TEST(memo->empty());
    memo = boost::json::object{{"note", "x"}};
    boxed<boost::json::object> copy = memo;
    memo.edit()["note"] = "y";
    BOOST_TEST(copy->at("note").as_string() == "x");
    BOOST_TEST(memo->at("note").as_string() == "y");
    BOOST_TEST(!(copy == memo));
    memo = boost::json::object{};   // set back to the default: equal to a box never set
    BOOST_TEST((memo == boxed<boost::json::object>{}));
}

BOOST_AUTO_TEST_CASE(a_boxed_optional_reads_as_std_optional_and_compares_values) {
    boxed_optional<perdure::retry_policy> none, some = perdure::retry_policy{.maximum_attempts = 3};
    BOOST_TEST(!none);
    BOOST_TEST(static_cast<bool>(some));
    BOOST_TEST(some->maximum_attempts == 3);
    auto copy = some;
    BOOST_TEST((copy == some));
    BOOST_TEST(!(copy == none));
    BOOST_TEST((none == boxed_optional<perdure::retry_policy>(std::optional<perdure::retry_policy>{})));
}

BOOST_AUTO_TEST_CASE(a_heap_value_is_built_like_its_value_and_copies_deeply) {
    heap_value<std::variant<std::monostate, std::string>> answer = std::string("done");   // via the variant
    auto copy = answer;
    std::get<std::string>(*answer) = "changed";
    BOOST_TEST(std::get<std::string>(*copy) == "done");
    heap_value<run_identity> id = run_identity{.workflow_id = "order-1"};
    BOOST_TEST(id->workflow_id == "order-1");
}

BOOST_AUTO_TEST_CASE(ids_that_name_the_run_itself_are_forgotten_and_read_back_as_its_own) {
    run_identity id{.workflow_id = "order-1", .run_id = "run-1"};
    id.first_run_id = "run-1";
    id.root_workflow_id = std::string("order-1");
    id.root_run_id = std::string("run-1");
    id.forget_own_ids();
    BOOST_TEST(id.first_run_id->empty());
    BOOST_TEST(id.root_run_id->empty());
    BOOST_TEST(id.first_run_id_or_own() == "run-1");
    BOOST_TEST(id.root_workflow_id_or_own() == "order-1");
    BOOST_TEST(id.root_run_id_or_own() == "run-1");
}

BOOST_AUTO_TEST_CASE(ids_of_another_run_are_kept) {
    run_identity child{.workflow_id = "child-1", .run_id = "run-2"};
    child.first_run_id = "run-0";
    child.root_workflow_id = std::string("order-1");
    child.root_run_id = std::string("run-1");
    child.forget_own_ids();
    BOOST_TEST(child.first_run_id_or_own() == "run-0");
    BOOST_TEST(child.root_workflow_id_or_own() == "order-1");
    BOOST_TEST(child.root_run_id_or_own() == "run-1");
}

BOOST_AUTO_TEST_SUITE_END()
