// Workflow code changing its own search attributes: recorded as UpsertWorkflowSearchAttributes,
// indexed in the task's commit, the same after a replay, and refused with the task's failure
// when a value does not fit the namespace's registry.
#include "support/engine_fixture.hpp"
#include "support/error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace std::chrono_literals;
using perdure::search_attribute_type;
using perdure::test::contains;
using perdure::test::engine_fixture;

namespace {

using keywords = std::vector<std::string>;

// Sets Customer and Tags, then replaces Customer and removes Tags; answers what it sees.
perdure::workflow<std::string> upserter(perdure::workflow_context& ctx, int) {
    ctx.upsert_search_attributes({{"Customer", std::string("c1")}, {"Tags", keywords{"a", "b"}}});
    co_await ctx.sleep(1h);
    ctx.upsert_search_attributes({{"Customer", std::string("c2")}, {"Tags", keywords{}}});
    co_await ctx.sleep(1h);
    const auto& seen = ctx.search_attributes();
    co_return std::get<std::string>(seen.at("Customer")) + " tags=" + std::to_string(seen.count("Tags")) +
        " amount=" + std::to_string(std::get<std::int64_t>(seen.at("Amount")));
}
const perdure::workflow_def upserter_workflow{"Upserter", &upserter};

// Upserts what its input names: a mistyped or an unknown attribute.
perdure::workflow<int> bad_upserter(perdure::workflow_context& ctx, std::string what) {
    if (what == "mistyped") ctx.upsert_search_attributes({{"Amount", std::string("abc")}});
    if (what == "unknown") ctx.upsert_search_attributes({{"Custmer", std::string("c")}});
    co_await ctx.sleep(1h);
    co_return 1;
}
const perdure::workflow_def bad_upserter_workflow{"BadUpserter", &bad_upserter};

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q").register_workflow(upserter_workflow).register_workflow(bad_upserter_workflow);
}

void register_attributes(perdure::engine& e) {
    auto& ns = e.namespaces();
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    ns.add_search_attribute("default", "Amount", search_attribute_type::integer);
    ns.add_search_attribute("default", "Tags", search_attribute_type::keyword_list);
}

std::set<std::string> ids(perdure::client c, std::string_view query) {
    std::set<std::string> out;
    for (const auto& w : c.list(query).executions) out.insert(w.workflow_id);
    return out;
}

std::vector<perdure::history_event> of_type(const std::vector<perdure::history_event>& h, std::string_view type) {
    std::vector<perdure::history_event> out;
    for (const auto& e : h)
        if (e.event_type == type) out.push_back(e);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(upsert_search_attributes)

BOOST_AUTO_TEST_CASE(upserted_values_are_listed_counted_and_described_after_the_task_and_after_a_replay) {
    engine_fixture f;
    f.open(setup);
    register_attributes(f.engine());
    auto h = f.client().start_workflow(
        upserter_workflow, 0, {.id = "u", .task_queue = "q", .search_attributes = {{"Amount", std::int64_t{3}}}});
    f.idle();
    const perdure::search_attributes first{
        {"Customer", std::string("c1")}, {"Amount", std::int64_t{3}}, {"Tags", keywords{"a", "b"}}};
    BOOST_TEST((h.describe().search_attributes == first));
    BOOST_TEST(ids(f.client(), "Customer = 'c1' AND Amount = 3") == std::set<std::string>{"u"});
    BOOST_TEST(f.client().count("Tags = 'b'") == 1);
    const auto upserts = of_type(h.history(), "UpsertWorkflowSearchAttributes");
    BOOST_REQUIRE_EQUAL(upserts.size(), 1u);
    const auto& fields = upserts[0].attributes.at("search_attributes").at("indexed_fields");
    BOOST_TEST(fields.at("Customer").at("type") == "Keyword");
    BOOST_TEST(fields.at("Customer").at("value") == "c1");
    BOOST_TEST(upserts[0].attributes.at("workflow_task_completed_event_id") == upserts[0].event_id - 1);

    // A reopened engine rebuilds the run by replay: the recorded upsert matches the code's.
    f.close();
    f.open(setup);
    auto c = f.client();
    BOOST_TEST(ids(c, "Customer = 'c1'") == std::set<std::string>{"u"});
    f.advance(1h);
    const perdure::search_attributes second{{"Customer", std::string("c2")}, {"Amount", std::int64_t{3}}};
    BOOST_TEST((c.get_handle("u").describe().search_attributes == second));
    BOOST_TEST(ids(c, "Customer = 'c2'") == std::set<std::string>{"u"});
    BOOST_TEST(c.count("Customer = 'c1'") == 0);
    BOOST_TEST(c.count("Tags = 'a'") == 0);
    BOOST_TEST(c.count("Tags IS NULL AND Customer = 'c2'") == 1);
    f.advance(1h);
    BOOST_TEST(c.get_handle<std::string>("u").get() == "c2 tags=0 amount=3");
    const auto history = c.get_handle("u").history();
    BOOST_TEST(of_type(history, "WorkflowTaskFailed").empty());
    BOOST_TEST(of_type(history, "UpsertWorkflowSearchAttributes").size() == 2u);
    BOOST_TEST((c.get_handle("u").describe().search_attributes == second));   // closed: from the store
}

BOOST_AUTO_TEST_CASE(a_mistyped_or_unknown_upsert_fails_the_task_with_a_message_and_records_nothing) {
    engine_fixture f;
    f.open(setup);
    register_attributes(f.engine());
    auto mistyped =
        f.client().start_workflow(bad_upserter_workflow, std::string("mistyped"), {.id = "m", .task_queue = "q"});
    auto unknown =
        f.client().start_workflow(bad_upserter_workflow, std::string("unknown"), {.id = "n", .task_queue = "q"});
    f.idle();
    f.advance(1s);   // retried, and failing the same way
    const auto failed = of_type(mistyped.history(), "WorkflowTaskFailed");
    BOOST_REQUIRE(!failed.empty());
    BOOST_TEST(failed[0].attributes.at("cause").as_string() == "WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES");
    const std::string message = failed[0].attributes.at("failure").at("message").as_string().c_str();
    BOOST_TEST(contains(message, "BAD_SEARCH_ATTRIBUTES: search attribute 'Amount' is Int; \"abc\""), message);
    BOOST_TEST(of_type(mistyped.history(), "UpsertWorkflowSearchAttributes").empty());
    const auto info = mistyped.describe();
    BOOST_REQUIRE(info.pending_workflow_task.has_value());
    BOOST_TEST(contains(info.pending_workflow_task->last_failure, "'Amount' is Int"),
               info.pending_workflow_task->last_failure);
    BOOST_TEST(!info.pending_workflow_task->blocked);
    BOOST_TEST(info.search_attributes.empty());
    const auto typo = unknown.describe().task_failure;
    BOOST_TEST(contains(typo, "unknown search attribute 'Custmer' in namespace 'default'; did you mean 'Customer'?"),
               typo);
    BOOST_TEST(of_type(unknown.history(), "TimerStarted").empty());   // nothing of the task was recorded
}

BOOST_AUTO_TEST_SUITE_END()
