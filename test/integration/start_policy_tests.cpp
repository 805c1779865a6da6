// Starting workflows: id conflict and reuse policies, request-id dedupe, and bad input that
// must be refused with a clear error and leave nothing behind.
#include "support/engine_fixture.hpp"
#include "support/error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using perdure::test::message_of;

namespace {

perdure::workflow<int> wait_a_day(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(24h);
    co_return n;
}
const perdure::workflow_def wait_workflow{"WaitADay", &wait_a_day};

perdure::workflow<int> fail_now(perdure::workflow_context&, int) {
    throw perdure::application_error("no", "No", true);
    co_return 0;
}
const perdure::workflow_def fail_workflow{"FailNow", &fail_now};

struct shape {
    std::string name;
    int sides = 0;
};
BOOST_DESCRIBE_STRUCT(shape, (), (name, sides))
perdure::workflow<int> count_sides(perdure::workflow_context&, shape s) { co_return s.sides; }
const perdure::workflow_def sides_workflow{"CountSides", &count_sides};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(wait_workflow)
        .register_workflow(fail_workflow)
        .register_workflow(sides_workflow);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(start_policies)

BOOST_AUTO_TEST_CASE(a_running_id_refuses_a_second_start_by_default) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q"});
    const auto msg = message_of<perdure::workflow_already_started>(
        [&] { c.start_workflow(wait_workflow, 2, {.id = "w", .task_queue = "q"}); });
    BOOST_TEST(msg.find("workflow id w is already running (run " + first.run_id()) != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(use_existing_attaches_to_the_running_run) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q"});
    auto second = c.start_workflow(
        wait_workflow, 2, {.id = "w", .task_queue = "q", .id_conflict = perdure::id_conflict_policy::use_existing});
    BOOST_TEST(second.run_id() == first.run_id());
    f.advance(24h);
    BOOST_TEST(second.get() == 1);
}

BOOST_AUTO_TEST_CASE(terminate_existing_replaces_the_running_run) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q"});
    auto second = c.start_workflow(
        wait_workflow, 2,
        {.id = "w", .task_queue = "q", .id_conflict = perdure::id_conflict_policy::terminate_existing});
    BOOST_TEST(second.run_id() != first.run_id());
    BOOST_TEST(c.get_handle("w", first.run_id()).describe().status == perdure::workflow_status::terminated);
    BOOST_CHECK_THROW(c.get_handle<int>("w", first.run_id()).get(), perdure::workflow_failed_error);
}

BOOST_AUTO_TEST_CASE(reuse_policies_decide_whether_a_closed_id_may_start_again) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto done = c.start_workflow(wait_workflow, 1, {.id = "done", .task_queue = "q"});
    f.advance(24h);
    done.get();
    BOOST_CHECK_THROW(
        c.start_workflow(wait_workflow, 1,
                         {.id = "done", .task_queue = "q", .id_reuse = perdure::id_reuse_policy::reject_duplicate}),
        perdure::workflow_already_started);
    BOOST_CHECK_THROW(
        c.start_workflow(
            wait_workflow, 1,
            {.id = "done", .task_queue = "q", .id_reuse = perdure::id_reuse_policy::allow_duplicate_failed_only}),
        perdure::workflow_already_started);
    auto again = c.start_workflow(wait_workflow, 2, {.id = "done", .task_queue = "q"});
    BOOST_TEST(again.run_id() != done.run_id());

    auto failed = c.start_workflow(fail_workflow, 1, {.id = "failed", .task_queue = "q"});
    BOOST_CHECK_THROW(failed.get(), perdure::workflow_failed_error);
    auto retry = c.start_workflow(
        fail_workflow, 1,
        {.id = "failed", .task_queue = "q", .id_reuse = perdure::id_reuse_policy::allow_duplicate_failed_only});
    BOOST_TEST(retry.run_id() != failed.run_id());
}

BOOST_AUTO_TEST_CASE(a_retried_start_with_the_same_request_id_returns_the_same_run) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q", .request_id = "req-1"});
    auto again = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q", .request_id = "req-1"});
    BOOST_TEST(again.run_id() == first.run_id());
    f.advance(24h);
    auto after_close = c.start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q", .request_id = "req-1"});
    BOOST_TEST(after_close.run_id() == first.run_id());
    BOOST_TEST(c.list().size() == 1u);
}

BOOST_AUTO_TEST_CASE(get_of_a_failed_run_throws_workflow_failed_error_with_the_cause) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(fail_workflow, 1, {.id = "x", .task_queue = "q"});
    try {
        run.get();
        BOOST_FAIL("expected workflow_failed_error");
    } catch (const perdure::workflow_failed_error& e) {
        BOOST_TEST(std::string(e.what()).find("failed: no") != std::string::npos, e.what());
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::application_error& cause) {
            BOOST_TEST(cause.type() == "No");
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_starts_are_refused_with_what_to_do_and_leave_nothing_behind) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    BOOST_TEST(message_of<perdure::invalid_argument>([&] {
                   c.start_workflow(wait_workflow, 1, {.task_queue = "q"});
               }).find("start_workflow_options::id must not be empty") != std::string::npos);
    BOOST_TEST(message_of<perdure::invalid_argument>([&] {
                   c.start_workflow(wait_workflow, 1, {.id = "w"});
               }).find("task_queue must not be empty") != std::string::npos);
    BOOST_TEST(message_of<perdure::not_found>([&] {
                   f.engine().client_for("elsewhere");
               }).find("namespace 'elsewhere' does not exist") != std::string::npos);
    BOOST_TEST(message_of<perdure::invalid_argument>([&] {
                   f.engine().namespaces().create("bad name!");
               }).find("invalid namespace name 'bad name!'") != std::string::npos);
    BOOST_CHECK_THROW(
        c.start_workflow(wait_workflow, 1,
                         {.id = "w", .task_queue = "q", .retry = perdure::retry_policy{.backoff_coefficient = 0.5}}),
        perdure::invalid_argument);
    BOOST_TEST(c.list().empty());
}

BOOST_AUTO_TEST_CASE(a_payload_that_does_not_convert_names_the_type_and_the_field) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow<int>("CountSides", boost::json::object{{"name", "square"}, {"sides", "four"}},
                                              {.id = "p", .task_queue = "q"});
    f.idle();
    const auto failure = run.describe().task_failure;
    BOOST_TEST(failure.find("payload does not convert to") != std::string::npos, failure);
    BOOST_TEST(failure.find("at field 'sides'") != std::string::npos, failure);
    BOOST_CHECK_THROW(perdure::detail::from_payload<shape>(boost::json::object{{"name", "x"}}), perdure::payload_error);
}

BOOST_AUTO_TEST_CASE(nan_and_infinities_are_refused_as_payloads_since_json_cannot_store_them) {
    const double inf = std::numeric_limits<double>::infinity();
    try {
        perdure::detail::to_payload(std::vector<double>{1, inf});
        BOOST_FAIL("an infinity became a payload");
    } catch (const perdure::payload_error& e) {
        BOOST_TEST(std::string(e.what()).find("at field '[1]'") != std::string::npos, e.what());
        BOOST_TEST(std::string(e.what()).find("NaN and infinities are not JSON numbers") != std::string::npos,
                   e.what());
    }
    BOOST_CHECK_THROW(perdure::detail::from_payload<double>(boost::json::value(std::nan(""))), perdure::payload_error);
    BOOST_CHECK_THROW(perdure::detail::from_payload<boost::json::value>(boost::json::object{{"x", -inf}}),
                      perdure::payload_error);
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    BOOST_CHECK_THROW(c.start_workflow<int>("CountSides", boost::json::object{{"name", "x"}, {"sides", inf}},
                                            {.id = "inf", .task_queue = "q"}),
                      perdure::payload_error);
    BOOST_TEST(c.list().empty());
}

BOOST_AUTO_TEST_CASE(namespaces_persist_and_are_validated) {
    engine_fixture f;
    f.open(setup);
    auto& ns = f.engine().namespaces();
    ns.create("billing", "money things");
    BOOST_CHECK_THROW(ns.create("billing"), perdure::already_exists);
    BOOST_TEST(ns.ensure("billing").description == "money things");
    f.close();
    f.open(setup);
    BOOST_TEST(f.engine().namespaces().describe("billing").description == "money things");
    BOOST_TEST(f.engine().namespaces().list().size() == 2u);
    f.client().start_workflow(wait_workflow, 1, {.id = "w", .task_queue = "q"});
    BOOST_CHECK_THROW(f.engine().namespaces().remove("default"), perdure::failed_precondition);
    f.engine().namespaces().remove("billing");
    BOOST_CHECK_THROW(f.engine().namespaces().describe("billing"), perdure::not_found);
}

BOOST_AUTO_TEST_SUITE_END()
