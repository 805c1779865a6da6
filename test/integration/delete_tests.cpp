// Deleting a workflow run through the public API (Temporal's DeleteWorkflowExecution): a closed
// run is gone from describe, result, history and list, with the other runs of its id left as
// they were; a running one is terminated first, so whoever waits on it learns why; nothing of
// it comes back after a reopen.
#include "support/engine_fixture.hpp"
#include "support/error_text.hpp"

#include <perdure/asio.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::search_attribute_type;
using perdure::test::contains;
using perdure::test::engine_fixture;
using perdure::test::message_of;

namespace {

perdure::workflow<int> leaf(perdure::workflow_context&, int n) { co_return n; }
const perdure::workflow_def leaf_workflow{"Leaf", &leaf};

// Its "hold" update never completes: only the run's end can answer it.
perdure::workflow<int> waiter(perdure::workflow_context& ctx, int n) {
    ctx.set_update_handler("hold", [&ctx](int) -> perdure::workflow<int> {
        co_await ctx.wait_condition([] { return false; });
        co_return 0;
    });
    co_await ctx.sleep(1h);
    co_return n;
}
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

// Says how its child ended.
perdure::workflow<std::string> parent(perdure::workflow_context& ctx, int) {
    try {
        co_await ctx.execute_child_workflow(waiter_workflow, 1, {.id = "kid"});
    } catch (const perdure::child_workflow_error& e) {
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::terminated_error& t) {
            co_return std::string("child terminated: ") + t.what();
        } catch (...) {
            co_return "child failed otherwise";
        }
    }
    co_return "child completed";
}
const perdure::workflow_def parent_workflow{"Parent", &parent};

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q")
        .register_workflow(leaf_workflow)
        .register_workflow(waiter_workflow)
        .register_workflow(parent_workflow);
}

/// What each read of a deleted run says: not found, every one.
void check_gone(perdure::client c, const std::string& workflow_id, const std::string& run_id) {
    auto h = c.get_handle<int>(workflow_id, run_id);
    BOOST_TEST(contains(message_of<perdure::not_found>([&] { h.describe(); }), "not found"));
    BOOST_TEST(contains(message_of<perdure::not_found>([&] { h.history(); }), "not found"));
    BOOST_TEST(contains(message_of<perdure::not_found>([&] { h.get(); }), "not found"));
}

}   // namespace

BOOST_AUTO_TEST_SUITE(delete_workflow)

BOOST_AUTO_TEST_CASE(a_deleted_closed_run_is_gone_and_the_other_runs_of_its_id_are_not) {
    engine_fixture f;
    f.open(setup);
    f.engine().namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    auto c = f.client();
    auto first = c.start_workflow(
        leaf_workflow, 1, {.id = "a", .task_queue = "q", .search_attributes = {{"Customer", std::string("c1")}}});
    BOOST_TEST(first.get() == 1);
    auto second = c.start_workflow(leaf_workflow, 2, {.id = "a", .task_queue = "q"});
    BOOST_TEST(second.get() == 2);
    c.start_workflow(leaf_workflow, 3, {.id = "other", .task_queue = "q"}).get();

    c.delete_workflow("a", first.run_id());
    check_gone(c, "a", first.run_id());
    BOOST_TEST(c.count("Customer = 'c1'") == 0);
    const auto left = c.list("WorkflowId = 'a'");
    BOOST_REQUIRE_EQUAL(left.executions.size(), 1u);
    BOOST_TEST(left.executions[0].run_id == second.run_id());
    BOOST_TEST(c.get_handle<int>("a", second.run_id()).get() == 2);
    BOOST_TEST(c.get_handle("a", second.run_id()).history().size() > 1u);

    c.delete_workflow("a");   // no run id: the latest run
    check_gone(c, "a", second.run_id());
    BOOST_TEST(c.count("WorkflowId = 'a'") == 0);
    BOOST_TEST(c.count() == 1);   // "other" stays
}

BOOST_AUTO_TEST_CASE(a_deleted_running_run_is_terminated_first_so_its_waiter_and_parent_learn_of_it) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto p = c.start_workflow(parent_workflow, 0, {.id = "p", .task_queue = "q"});
    f.idle();
    auto kid = c.get_handle<int>("kid");
    BOOST_REQUIRE(kid.describe().status == perdure::workflow_status::running);
    const auto kid_run = kid.describe().run_id;
    auto waiting = perdure::async_get_json(kid, boost::asio::use_future);
    auto updating = perdure::async_update(kid, "hold", 1, "", boost::asio::use_future);
    f.idle();

    c.delete_workflow("kid");
    try {
        static_cast<void>(waiting.get());
        BOOST_ERROR("the waiter got a result");
    } catch (const perdure::workflow_failed_error& e) {
        BOOST_TEST(contains(e.what(), "was terminated: Delete workflow execution"), e.what());
    }
    try {
        static_cast<void>(updating.get());
        BOOST_ERROR("the update got a result");
    } catch (const perdure::application_error& e) {   // accepted: as Temporal's, an outcome that failed
        BOOST_TEST(e.type() == "AcceptedUpdateCompletedWorkflow");
        BOOST_TEST(contains(e.what(), "the Workflow completed before the Update completed"), e.what());
    }
    const auto outcome = p.get();   // as Temporal's ChildWorkflowExecutionTerminated, it carries no reason
    BOOST_TEST(contains(outcome, "child terminated"), outcome);
    check_gone(c, "kid", kid_run);
    BOOST_TEST(c.count("WorkflowId = 'kid'") == 0);
}

BOOST_AUTO_TEST_CASE(a_running_parent_deleted_terminates_its_child_by_its_close_policy) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    c.start_workflow(parent_workflow, 0, {.id = "p", .task_queue = "q"});
    f.idle();
    perdure::async_delete_workflow(c, "p", "", boost::asio::use_future).get();
    f.idle();
    BOOST_TEST(c.count("WorkflowId = 'p'") == 0);
    BOOST_TEST(c.get_handle("kid").describe().status == perdure::workflow_status::terminated);
}

BOOST_AUTO_TEST_CASE(deleting_what_does_not_exist_says_not_found_and_deletes_nothing) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    c.start_workflow(leaf_workflow, 1, {.id = "a", .task_queue = "q"}).get();
    const auto unknown = message_of<perdure::not_found>([&] { c.delete_workflow("nope"); });
    BOOST_TEST(contains(unknown, "workflow nope not found in namespace default"), unknown);
    const auto wrong_run = message_of<perdure::not_found>([&] { c.delete_workflow("a", "no-such-run"); });
    BOOST_TEST(contains(wrong_run, "workflow a (run no-such-run) not found"), wrong_run);
    const auto ns = message_of<perdure::not_found>([&] { f.engine().client_for("nowhere").delete_workflow("a"); });
    BOOST_TEST(contains(ns, "nowhere"), ns);
    BOOST_TEST(c.count() == 1);
}

BOOST_AUTO_TEST_CASE(a_deletion_holds_after_a_reopen) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto closed = c.start_workflow(leaf_workflow, 1, {.id = "a", .task_queue = "q"});
    closed.get();
    const auto running = c.start_workflow(waiter_workflow, 1, {.id = "b", .task_queue = "q"});
    f.idle();
    c.delete_workflow("a");
    c.delete_workflow("b");
    f.close();
    f.open(setup);
    auto reopened = f.client();
    check_gone(reopened, "a", closed.run_id());
    check_gone(reopened, "b", running.run_id());
    BOOST_TEST(reopened.count() == 0);
    f.advance(2h);   // no timer of the deleted run fires, nothing runs again
    f.idle();
    BOOST_TEST(reopened.count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
