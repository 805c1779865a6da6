// testing: a 30-day subscription tested in milliseconds. The test environment runs the real
// engine with a virtual clock; the welcome activity and the billing service are mocked; the
// replayer checks a history saved earlier (subscription_history.json) against today's code.
#define BOOST_TEST_MODULE subscription
#include "subscription.hpp"

#include <perdure/testing.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>

namespace {

/// An environment with the subscription worker, a billing endpoint and both mocks.
struct subscription_env {
    perdure::testing::test_environment env;
    subscription_env() {
        env.engine().namespaces().ensure("billing-ns");
        env.engine().nexus_endpoints().ensure(
            {.name = "billing", .target_namespace = "billing-ns", .target_task_queue = "pay"});
        env.engine()
            .add_worker("default", "subs")
            .register_workflow(subscription_workflow)
            .register_activity(send_welcome);
        env.mock_activity("SendWelcome",
                          [](perdure::activity_context&, std::string customer) { return "mock mail to " + customer; });
        env.mock_nexus_operation("payments", "charge", [](perdure::nexus::operation_context&, std::string customer) {
            return "receipt for " + customer;
        });
    }
};

}   // namespace

BOOST_FIXTURE_TEST_CASE(renews_after_thirty_days_through_the_billing_service, subscription_env) {
    const auto start = env.now();
    auto run =
        env.client().start_workflow(subscription_workflow, std::string("ada"), {.id = "sub-ada", .task_queue = "subs"});
    BOOST_TEST(run.get() == "renewed, receipt for ada");
    BOOST_TEST((env.now() - start == 24h * 30));
    BOOST_TEST(env.activity_calls("SendWelcome").size() == 1u);
    BOOST_TEST(env.nexus_calls("payments", "charge").at(0).as_string() == "ada");
}

BOOST_FIXTURE_TEST_CASE(a_cancel_signal_on_day_three_ends_the_trial, subscription_env) {
    auto run =
        env.client().start_workflow(subscription_workflow, std::string("bob"), {.id = "sub-bob", .task_queue = "subs"});
    env.sleep(72h);
    BOOST_TEST(run.query<std::string>("status") == "trial");
    run.signal("cancel", std::string("too expensive"));
    BOOST_TEST(run.get() == "canceled: too expensive");
    BOOST_TEST(env.nexus_calls("payments", "charge").empty());
}

// The recipe: export histories of real runs, keep them as fixtures, replay them before
// shipping changed workflow code. PERDURE_UPDATE_FIXTURES=1 rewrites the fixture.
BOOST_FIXTURE_TEST_CASE(histories_saved_earlier_still_replay, subscription_env) {
    const std::string fixture = std::string(FIXTURE_DIR) + "/subscription_history.json";
    if (std::getenv("PERDURE_UPDATE_FIXTURES")) {
        auto run = env.client().start_workflow(subscription_workflow, std::string("cy"),
                                               {.id = "sub-cy", .task_queue = "subs"});
        run.get();
        std::ofstream(fixture) << boost::json::serialize(perdure::testing::history_to_json(run.history())) << "\n";
    }
    perdure::testing::replayer replayer;
    replayer.register_workflow(subscription_workflow);
    BOOST_CHECK_NO_THROW(replayer.replay_file(fixture));
}
