// Workflow code changing its own memo: recorded as WorkflowPropertiesModified, merged into the
// run's memo in the task's commit (describe and list show it, after a close and a reopen too),
// carried by continue-as-new, matched on replay, and refused with the task's failure when the
// memo would outgrow the payload limit.
#include "support/engine_fixture.hpp"
#include "support/run_queries.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using perdure::test::events_of_type;
using perdure::test::listed_ids;
using perdure::test::mentions;

namespace {

// Changes one key and removes another, then, an hour later, adds a third.
perdure::workflow<int> memo_writer(perdure::workflow_context& ctx, int) {
    ctx.upsert_memo({{"stage", "paid"}, {"draft", nullptr}});
    co_await ctx.sleep(1h);
    ctx.upsert_memo({{"note", "shipped"}});
    co_await ctx.sleep(1h);
    co_return 1;
}
const perdure::workflow_def memo_writer_workflow{"MemoWriter", &memo_writer};

// The same workflow after a code change that dropped the first upsert.
perdure::workflow<int> memo_writer_changed(perdure::workflow_context& ctx, int) {
    co_await ctx.sleep(1h);
    ctx.upsert_memo({{"note", "shipped"}});
    co_await ctx.sleep(1h);
    co_return 1;
}
const perdure::workflow_def memo_writer_changed_workflow{"MemoWriter", &memo_writer_changed};

// Upserts `n` in its first run, then continues as new once, with or without a memo of its own.
perdure::workflow<int> memo_continuer(perdure::workflow_context& ctx, int n) {
    if (n == 0) co_return 0;
    ctx.upsert_memo({{"round", n}});
    if (n == 2) co_await ctx.continue_as_new(0, {.memo = boost::json::object{{"given", true}}});
    co_await ctx.continue_as_new(0);
    co_return n;
}
const perdure::workflow_def memo_continuer_workflow{"MemoContinuer", &memo_continuer};

// Upserts two values of `bytes` bytes each in one task; waits an hour.
perdure::workflow<int> memo_grower(perdure::workflow_context& ctx, int bytes) {
    ctx.upsert_memo({{"a", std::string(static_cast<std::size_t>(bytes), 'a')}});
    ctx.upsert_memo({{"b", std::string(static_cast<std::size_t>(bytes), 'b')}});
    co_await ctx.sleep(1h);
    co_return bytes;
}
const perdure::workflow_def memo_grower_workflow{"MemoGrower", &memo_grower};

template <class Def>
std::function<void(perdure::engine&)> with(const Def& writer) {
    return [&writer](perdure::engine& e) {
        e.namespaces().ensure("default");
        e.add_worker("default", "q")
            .register_workflow(writer)
            .register_workflow(memo_continuer_workflow)
            .register_workflow(memo_grower_workflow);
    };
}

boost::json::object json(std::string_view text) { return boost::json::parse(text).as_object(); }

}   // namespace

BOOST_AUTO_TEST_SUITE(upsert_memo)

BOOST_AUTO_TEST_CASE(the_memo_is_merged_a_null_removes_a_key_and_describe_and_list_show_it_after_a_reopen) {
    engine_fixture f;
    f.open(with(memo_writer_workflow));
    auto h = f.client().start_workflow(memo_writer_workflow, 0,
                                       {.id = "m", .task_queue = "q", .memo = json(R"({"stage": "new",
                                                                                       "draft": true,
                                                                                       "owner": "ann"})")});
    f.idle();
    BOOST_TEST(h.describe().memo == json(R"({"stage": "paid", "owner": "ann"})"));
    const auto page = f.client().list("WorkflowId = 'm'");
    BOOST_REQUIRE_EQUAL(page.executions.size(), 1u);
    BOOST_TEST(page.executions[0].memo == json(R"({"stage": "paid", "owner": "ann"})"));
    const auto modified = events_of_type(h.history(), "WorkflowPropertiesModified");
    BOOST_REQUIRE_EQUAL(modified.size(), 1u);
    BOOST_TEST(modified[0].attributes.at("upserted_memo") == json(R"({"stage": "paid", "draft": null})"));
    BOOST_TEST(modified[0].attributes.at("workflow_task_completed_event_id") == modified[0].event_id - 1);

    // A reopened engine reads the memo from the store and rebuilds the run by replay.
    f.close();
    f.open(with(memo_writer_workflow));
    auto c = f.client();
    BOOST_TEST(c.get_handle("m").describe().memo == json(R"({"stage": "paid", "owner": "ann"})"));
    f.advance(1h);
    BOOST_TEST(c.get_handle("m").describe().memo == json(R"({"stage": "paid", "owner": "ann", "note": "shipped"})"));
    f.advance(1h);
    BOOST_TEST(c.get_handle<int>("m").get() == 1);
    const auto history = c.get_handle("m").history();
    BOOST_TEST(events_of_type(history, "WorkflowTaskFailed").empty());
    BOOST_TEST(events_of_type(history, "WorkflowPropertiesModified").size() == 2u);
    BOOST_TEST(c.get_handle("m").describe().memo == json(R"({"stage": "paid", "owner": "ann", "note": "shipped"})"));
    f.close();
    f.open(with(memo_writer_workflow));   // closed, then reopened: the same
    BOOST_TEST(f.client().list("WorkflowId = 'm'").executions.at(0).memo ==
               json(R"({"stage": "paid", "owner": "ann", "note": "shipped"})"));
}

BOOST_AUTO_TEST_CASE(code_that_no_longer_upserts_the_memo_fails_its_task_on_nondeterminism) {
    engine_fixture f;
    f.open(with(memo_writer_workflow));
    f.client().start_workflow(memo_writer_workflow, 0, {.id = "m", .task_queue = "q"});
    f.idle();
    f.close();

    f.open(with(memo_writer_changed_workflow));
    f.advance(1h);   // the timer fires; the replay with the changed code does not match
    auto run = f.client().get_handle("m");
    const auto info = run.describe();
    BOOST_TEST(info.status == perdure::workflow_status::running);
    BOOST_TEST(mentions(info.task_failure, "nondeterminism"), info.task_failure);
    BOOST_TEST(mentions(info.task_failure, "WorkflowPropertiesModified"), info.task_failure);
    const auto failed = events_of_type(run.history(), "WorkflowTaskFailed");
    BOOST_REQUIRE_EQUAL(failed.size(), 1u);
    BOOST_TEST(failed[0].attributes.at("cause").as_string() == "WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR");
    BOOST_TEST(info.memo == json(R"({"stage": "paid"})"));
}

BOOST_AUTO_TEST_CASE(continue_as_new_carries_the_upserted_memo_unless_it_gives_one) {
    engine_fixture f;
    f.open(with(memo_writer_workflow));
    auto carried = f.client().start_workflow(memo_continuer_workflow, 1,
                                             {.id = "carried", .task_queue = "q", .memo = json(R"({"kept": 1})")});
    auto given = f.client().start_workflow(memo_continuer_workflow, 2,
                                           {.id = "given", .task_queue = "q", .memo = json(R"({"kept": 1})")});
    BOOST_TEST(carried.get() == 0);
    BOOST_TEST(given.get() == 0);
    auto last_run_memo = [&](const std::string& id) {
        const auto page = f.client().list("WorkflowId = '" + id + "' AND ExecutionStatus = 'Completed'");
        BOOST_REQUIRE_EQUAL(page.executions.size(), 1u);
        return page.executions[0].memo;
    };
    BOOST_TEST(last_run_memo("carried") == json(R"({"kept": 1, "round": 1})"));
    BOOST_TEST(last_run_memo("given") == json(R"({"given": true})"));
}

BOOST_AUTO_TEST_CASE(a_memo_grown_past_the_payload_limit_fails_the_task_and_records_nothing) {
    engine_fixture f({.limits = {.max_payload_bytes = 1000}});
    f.open(with(memo_writer_workflow));
    auto fits = f.client().start_workflow(memo_grower_workflow, 400, {.id = "fits", .task_queue = "q"});
    // Each upsert is under the limit; the memo the second leaves is not.
    auto grows = f.client().start_workflow(memo_grower_workflow, 600, {.id = "grows", .task_queue = "q"});
    f.idle();
    BOOST_TEST(fits.describe().memo.size() == 2u);
    BOOST_TEST(fits.describe().task_failure.empty());

    const auto failed = events_of_type(grows.history(), "WorkflowTaskFailed");
    BOOST_REQUIRE_EQUAL(failed.size(), 1u);
    BOOST_TEST(failed[0].attributes.at("cause").as_string() ==
               "WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES");
    const std::string message = failed[0].attributes.at("failure").at("message").as_string().c_str();
    BOOST_TEST(mentions(message, "BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES: the memo of workflow grows would be"),
               message);
    BOOST_TEST(mentions(message, "limited to 1000 bytes (engine_limits::max_payload_bytes)"), message);
    BOOST_TEST(events_of_type(grows.history(), "WorkflowPropertiesModified").empty());
    BOOST_TEST(events_of_type(grows.history(), "TimerStarted").empty());   // nothing of the task was recorded
    const auto info = grows.describe();
    BOOST_TEST(info.memo.empty());
    BOOST_TEST(mentions(info.task_failure, "engine_limits::max_payload_bytes"), info.task_failure);
}

BOOST_AUTO_TEST_SUITE_END()
