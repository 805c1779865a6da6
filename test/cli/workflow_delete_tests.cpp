// perdure workflow delete: with no engine running (maintenance mode) and through a running
// engine's inbox; a closed run and a running one (terminated first) are gone from every read,
// the other runs stay.
#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

namespace {

using perdure::test::cli_fixture;
using perdure::test::engine_host;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// What every read of a deleted run says.
void check_gone(const cli_fixture& f, const std::string& id) {
    for (const auto* command : {"describe", "show", "result"}) {
        const auto r = f.perdure("workflow " + std::string(command) + " -n app -w " + id);
        BOOST_TEST(r.code == 1, command);
        BOOST_TEST(has(r.err, "workflow " + id + " not found in namespace app"), r.err);
    }
}

}   // namespace

BOOST_AUTO_TEST_SUITE(workflow_delete)

BOOST_FIXTURE_TEST_CASE(delete_without_an_engine_removes_closed_and_running_runs, cli_fixture) {
    const auto closed = perdure("workflow delete -n app -w order-0");
    BOOST_TEST(closed.code == 0, closed.err);
    BOOST_TEST(closed.out == "Workflow order-0 deleted.\n");
    check_gone(*this, "order-0");

    const auto running = json("workflow delete --namespace app --workflow-id order-1");
    BOOST_TEST(running.at("op") == "workflow.delete");
    BOOST_TEST(running.at("route") == "maintenance");
    check_gone(*this, "order-1");
    BOOST_TEST(json("workflow list -n app").as_array().size() == 2u);   // order-2 and order-3 stay
    BOOST_TEST(json("workflow describe -n app -w order-2").at("status") == "running");
}

BOOST_FIXTURE_TEST_CASE(delete_goes_through_a_running_engines_inbox, cli_fixture) {
    engine_host host(db);
    const auto run_id = json("workflow describe -n app -w order-2").at("run_id").as_string();
    const auto deleted = json("workflow delete -n app -w order-2 -r " + std::string(run_id));
    BOOST_TEST(deleted.at("op") == "workflow.delete");
    BOOST_TEST(deleted.at("route") == "inbox");
    check_gone(*this, "order-2");
    BOOST_TEST(json("workflow delete -n app -w order-0").at("route") == "inbox");
    check_gone(*this, "order-0");
    BOOST_TEST(json("workflow list -n app").as_array().size() == 2u);

    const auto unknown = perdure("workflow delete -n app -w order-9");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(has(unknown.err, "workflow order-9 not found in namespace app; nothing was deleted"), unknown.err);
    BOOST_TEST(host.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(delete_says_what_is_missing_or_unknown, cli_fixture) {
    const auto no_id = perdure("workflow delete -n app");
    BOOST_TEST(no_id.code == 1);
    BOOST_TEST(has(no_id.err, "'--workflow-id' is required"), no_id.err);
    const auto unknown = perdure("workflow delete -n app -w order-9");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(has(unknown.err, "workflow order-9 not found in namespace app"), unknown.err);
    const auto wrong_run = perdure("workflow delete -n app -w order-0 -r no-such-run");
    BOOST_TEST(wrong_run.code == 1);
    BOOST_TEST(has(wrong_run.err, "(run no-such-run) not found"), wrong_run.err);
    BOOST_TEST(json("workflow list -n app").as_array().size() == 4u);   // nothing deleted
}

BOOST_AUTO_TEST_SUITE_END()
