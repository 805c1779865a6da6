// The test environment starts its engine on the first client call, whichever client makes it,
// and a wait that cannot end quotes the workflow task that keeps failing.
#include "runtime/core.hpp"
#include "client/core_access.hpp"
#include "support/test_store.hpp"

#include <perdure/testing.hpp>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <future>

using namespace std::chrono_literals;
using perdure::testing::test_environment;

namespace {

const perdure::activity_def<std::string, std::string> cleanup{
    "Cleanup", [](perdure::activity_context&, std::string s) { return "cleaned " + s; }};

perdure::workflow<std::string> idle_until_signaled(perdure::workflow_context& ctx) {
    std::string status = "waiting";
    ctx.set_query_handler("status", [&] { return status; });
    ctx.set_update_handler("rename", [&](std::string s) -> perdure::workflow<std::string> {
        status = s;
        co_return status;
    });
    std::exception_ptr canceled;
    try {
        status = co_await ctx.signal_channel<std::string>("go").receive();
        co_await ctx.sleep(1h);
    } catch (const perdure::canceled_error&) {
        canceled = std::current_exception();
    }
    if (canceled) {
        co_await ctx.execute_activity(cleanup, status, {.start_to_close_timeout = 1min});
        std::rethrow_exception(canceled);
    }
    co_return status;
}
const perdure::workflow_def idle_workflow{"IdleUntilSignaled", &idle_until_signaled};

/// An environment whose worker is registered and whose engine has not been started.
struct unstarted_env {
    test_environment env{{.wall_timeout = 3s}};
    unstarted_env() {
        env.engine().add_worker("default", "q").register_workflow(idle_workflow);
        env.mock_activity("Cleanup", [](perdure::activity_context&, std::string s) { return "cleaned " + s; });
    }
    /// Whether the engine has started once the strand has run what is already posted to it: a
    /// call answered off the strand (describe of a missing run) returns before the posted start runs.
    bool started() {
        auto core = perdure::detail::core_access::core(env.engine());
        std::promise<void> drained;
        core->post([&] { drained.set_value(); });
        drained.get_future().wait();
        return core->started();
    }
    perdure::client engine_client() { return env.engine().client_for("default"); }
};

perdure::workflow<std::string> calls_a_missing_endpoint(perdure::workflow_context& ctx) {
    auto billing = ctx.nexus_client("billing-ep", "billing");
    co_return co_await billing.execute_operation(perdure::nexus::operation_ref<std::string, std::string>{"charge"},
                                                 std::string("ada"), {.schedule_to_close_timeout = 1min});
}
const perdure::workflow_def missing_endpoint_workflow{"CallsMissingEndpoint", &calls_a_missing_endpoint};

std::string message_of(const std::function<void()>& wait) {
    try {
        wait();
    } catch (const perdure::failed_precondition& e) {
        return e.what();
    }
    return "the wait did not time out";
}

}   // namespace

// The test environment has its own in-memory store: nothing here depends on the suite's store.
BOOST_AUTO_TEST_SUITE(test_environment_start, *boost::unit_test::precondition(perdure::test::sqlite_store_only{}))

BOOST_FIXTURE_TEST_CASE(a_workflow_started_through_the_engines_client_answers_a_query, unstarted_env) {
    auto run = engine_client().start_workflow(idle_workflow, {.id = "q1", .task_queue = "q"});
    BOOST_TEST(run.query<std::string>("status") == "waiting");
}

BOOST_FIXTURE_TEST_CASE(a_cancel_before_the_first_wait_cancels_the_run_and_its_cleanup_runs, unstarted_env) {
    auto run = engine_client().start_workflow(idle_workflow, {.id = "c1", .task_queue = "q"});
    run.cancel();
    BOOST_CHECK_THROW(run.get(), perdure::workflow_failed_error);
    BOOST_TEST((run.describe().status == perdure::workflow_status::canceled));
    BOOST_TEST(env.activity_calls("Cleanup").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_signal_and_an_update_before_the_first_wait_reach_the_run, unstarted_env) {
    auto run = engine_client().start_workflow(idle_workflow, {.id = "s1", .task_queue = "q"});
    BOOST_TEST(run.update<std::string>("rename", std::string("renamed")) == "renamed");
    run.signal("go", std::string("signaled"));
    BOOST_TEST(run.get() == "signaled");
}

// Each client call alone starts the engine, even one that fails (there is no such workflow).
BOOST_AUTO_TEST_CASE(every_client_call_starts_the_engine) {
    using call = std::function<void(perdure::client&)>;
    const std::vector<std::pair<std::string, call>> calls{
        {"start", [](perdure::client& c) { c.start_workflow(idle_workflow, {.id = "w", .task_queue = "q"}); }},
        {"signal_with_start",
         [](perdure::client& c) {
             c.signal_with_start(idle_workflow, "go", std::string("x"), {.id = "w", .task_queue = "q"});
         }},
        {"signal", [](perdure::client& c) { c.get_handle<std::string>("none").signal("go", std::string("x")); }},
        {"query", [](perdure::client& c) { c.get_handle<std::string>("none").query<std::string>("status"); }},
        {"update",
         [](perdure::client& c) { c.get_handle<std::string>("none").update<std::string>("rename", std::string("x")); }},
        {"cancel", [](perdure::client& c) { c.get_handle<std::string>("none").cancel(); }},
        {"terminate", [](perdure::client& c) { c.get_handle<std::string>("none").terminate("why"); }},
        {"describe", [](perdure::client& c) { c.get_handle<std::string>("none").describe(); }},
        {"history", [](perdure::client& c) { c.get_handle<std::string>("none").history(); }},
        {"get", [](perdure::client& c) { c.get_handle<std::string>("none").get(); }},
        {"list", [](perdure::client& c) { c.list(); }},
    };
    for (const auto& [name, make_call] : calls) {
        BOOST_TEST_CONTEXT(name) {
            unstarted_env fixture;
            fixture.env.engine().namespaces().ensure("other-ns");   // registries do not start it
            BOOST_TEST(!fixture.started());
            auto c = fixture.env.engine().client_for("other-ns");
            try {
                make_call(c);
            } catch (const perdure::error&) {   // no such workflow
            }
            BOOST_TEST(fixture.started());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_wait_on_a_run_whose_task_keeps_failing_quotes_the_failure) {
    test_environment env({.wall_timeout = 500ms});
    env.engine().add_worker("default", "q").register_workflow(missing_endpoint_workflow);
    auto run = env.client().start_workflow(missing_endpoint_workflow, {.id = "m1", .task_queue = "q"});
    const auto from_get = message_of([&] { run.get(); });
    BOOST_TEST(from_get.find("endpoint \"billing-ep\" not found") != std::string::npos, from_get);
    BOOST_TEST(from_get.find("m1") != std::string::npos, from_get);
    const auto from_sleep = message_of([&] { env.sleep(24h * 365); });
    BOOST_TEST(from_sleep.find("endpoint \"billing-ep\" not found") != std::string::npos, from_sleep);
    BOOST_TEST(!run.describe().task_failure.empty());
}

BOOST_AUTO_TEST_SUITE_END()
