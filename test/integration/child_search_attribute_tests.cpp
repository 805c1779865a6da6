// Children started with search attributes: typed against the namespace when the parent's
// command is recorded, carried on StartChildWorkflowExecutionInitiated, indexed when the child
// starts, and refused with the parent's task failure when one does not fit the registry.
#include "support/engine_fixture.hpp"
#include "support/run_queries.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace std::chrono_literals;
using perdure::search_attribute_type;
using perdure::test::engine_fixture;
using perdure::test::events_of_type;
using perdure::test::listed_ids;
using perdure::test::mentions;

namespace {

perdure::workflow<int> waiter(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(1h);
    co_return n;
}
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

// Starts one child with the attributes its input names and waits for it.
perdure::workflow<int> parent(perdure::workflow_context& ctx, std::string what) {
    perdure::search_attributes attrs;
    if (what == "good") attrs = {{"Customer", std::string("42")}, {"Amount", std::int64_t{7}}};
    if (what == "mistyped") attrs = {{"Amount", std::string("abc")}};
    if (what == "unknown") attrs = {{"Custmer", std::string("42")}};
    if (what == "unregistered") attrs = {{"Region", std::string("eu")}};
    co_return co_await ctx.execute_child_workflow(waiter_workflow, 1,
                                                  {.id = "child-of-" + what, .search_attributes = attrs});
}
const perdure::workflow_def parent_workflow{"Parent", &parent};

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q").register_workflow(parent_workflow).register_workflow(waiter_workflow);
}

void register_attributes(perdure::engine& e) {
    e.namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    e.namespaces().add_search_attribute("default", "Amount", search_attribute_type::integer);
}

/// The message of the parent's recorded task failure, after checking its cause.
std::string child_start_failure(perdure::workflow_handle<int>& h) {
    const auto failed = events_of_type(h.history(), "WorkflowTaskFailed");
    BOOST_REQUIRE_EQUAL(failed.size(), 1u);
    BOOST_TEST(failed[0].attributes.at("cause").as_string() ==
               "WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES");
    BOOST_TEST(events_of_type(h.history(), "StartChildWorkflowExecutionInitiated").empty());
    return failed[0].attributes.at("failure").at("message").as_string().c_str();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(child_search_attributes)

BOOST_AUTO_TEST_CASE(a_child_started_with_attributes_is_found_by_list_and_shows_them_after_a_reopen) {
    engine_fixture f;
    f.open(setup);
    register_attributes(f.engine());
    auto h = f.client().start_workflow(parent_workflow, std::string("good"), {.id = "p", .task_queue = "q"});
    f.idle();
    BOOST_TEST(listed_ids(f.client(), "Customer = '42'") == std::set<std::string>{"child-of-good"});
    BOOST_TEST(listed_ids(f.client(), "Amount > 5 AND ParentWorkflowId = 'p'") ==
               std::set<std::string>{"child-of-good"});
    const perdure::search_attributes expected{{"Customer", std::string("42")}, {"Amount", std::int64_t{7}}};
    BOOST_TEST((f.client().get_handle("child-of-good").describe().search_attributes == expected));
    BOOST_TEST(h.describe().search_attributes.empty());   // the parent's own are its own
    const auto initiated = events_of_type(h.history(), "StartChildWorkflowExecutionInitiated");
    BOOST_REQUIRE_EQUAL(initiated.size(), 1u);
    const auto& fields = initiated[0].attributes.at("search_attributes").at("indexed_fields");
    BOOST_TEST(fields.at("Customer").at("type") == "Keyword");
    BOOST_TEST(fields.at("Amount").at("value") == 7);

    f.close();
    f.open(setup);
    BOOST_TEST(listed_ids(f.client(), "Customer = '42'") == std::set<std::string>{"child-of-good"});
    f.advance(1h);
    BOOST_TEST(f.client().get_handle<int>("p").get() == 1);
    BOOST_TEST(events_of_type(f.client().get_handle("p").history(), "WorkflowTaskFailed").empty());   // replay matched
    BOOST_TEST(f.client().count("Customer = '42' AND ExecutionStatus = 'Completed'") == 1);
}

BOOST_AUTO_TEST_CASE(a_child_with_an_unknown_or_mistyped_attribute_fails_the_parents_task_naming_it) {
    engine_fixture f;
    f.open(setup);
    register_attributes(f.engine());
    auto mistyped = f.client().start_workflow(parent_workflow, std::string("mistyped"), {.id = "m", .task_queue = "q"});
    auto unknown = f.client().start_workflow(parent_workflow, std::string("unknown"), {.id = "u", .task_queue = "q"});
    f.idle();
    f.advance(1s);   // retried, and failing the same way

    const auto m = child_start_failure(mistyped);
    BOOST_TEST(mentions(m, "BAD_START_CHILD_EXECUTION_ATTRIBUTES: search attribute 'Amount' is Int; \"abc\""), m);
    const auto u = child_start_failure(unknown);
    BOOST_TEST(mentions(u,
                        "BAD_START_CHILD_EXECUTION_ATTRIBUTES: unknown search attribute 'Custmer' in namespace "
                        "'default'; did you mean 'Customer'?"),
               u);
    BOOST_TEST(mentions(unknown.describe().task_failure, "'Custmer'"), unknown.describe().task_failure);
    BOOST_TEST(f.client().count("WorkflowType = 'Waiter'") == 0);   // no child started
}

BOOST_AUTO_TEST_CASE(the_parents_task_passes_once_the_missing_attribute_is_registered) {
    engine_fixture f;
    f.open(setup);
    auto h = f.client().start_workflow(parent_workflow, std::string("unregistered"), {.id = "r", .task_queue = "q"});
    f.idle();
    const auto message = child_start_failure(h);
    BOOST_TEST(mentions(message,
                        "unknown search attribute 'Region' in namespace 'default'; register it with "
                        "engine.namespaces().add_search_attribute"),
               message);
    f.engine().namespaces().add_search_attribute("default", "Region", search_attribute_type::keyword);
    f.advance(2s);   // the task's retry
    BOOST_TEST(h.describe().task_failure.empty());
    BOOST_TEST(listed_ids(f.client(), "Region = 'eu'") == std::set<std::string>{"child-of-unregistered"});
}

BOOST_AUTO_TEST_SUITE_END()
