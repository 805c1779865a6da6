// The replayer against hand-built histories: matching, nondeterminism of each kind, tails,
// side effects and patches, corrupt histories; and testing::replayer's reading of JSON.
#include "replay/replayer.hpp"
#include "support/history_builder.hpp"

#include <perdure/perdure.hpp>
#include <perdure/testing.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::history_builder;
using namespace perdure;
using detail::event_type;

namespace {

const activity_def<std::string, std::string> charge{"Charge", [](activity_context&, std::string s) { return s; }};
const activity_def<std::string, std::string> refund{"Refund", [](activity_context&, std::string s) { return s; }};

workflow<std::string> charge_then_sleep(workflow_context& ctx, std::string in) {
    auto r = co_await ctx.execute_activity(charge, in, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(10s);
    co_return r;
}

workflow<std::string> refund_then_sleep(workflow_context& ctx, std::string in) {
    auto r = co_await ctx.execute_activity(refund, in, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(10s);
    co_return r;
}

workflow<std::string> charge_only(workflow_context& ctx, std::string in) {
    co_return co_await ctx.execute_activity(charge, in, {.start_to_close_timeout = 10s});
}

workflow<std::string> sleep_then_charge(workflow_context& ctx, std::string in) {
    co_await ctx.sleep(10s);
    co_await ctx.sleep(10s);
    co_return co_await ctx.execute_activity(charge, in, {.start_to_close_timeout = 10s});
}

workflow<std::string> upsert_then_sleep(workflow_context& ctx, std::string in) {
    ctx.upsert_search_attributes({{"Customer", in}});
    co_await ctx.sleep(10s);
    co_return in;
}

workflow<std::string> upsert_memo_then_sleep(workflow_context& ctx, std::string in) {
    ctx.upsert_memo({});   // records nothing
    ctx.upsert_memo({{"customer", in}, {"draft", nullptr}});
    co_await ctx.sleep(10s);
    co_return in;
}

workflow<std::string> sleep_only(workflow_context& ctx, std::string in) {
    co_await ctx.sleep(10s);
    co_return in;
}

template <class R, class I>
std::unique_ptr<detail::workflow_instance> make(const workflow_def<R, I>& def) {
    return std::make_unique<detail::workflow_instance>(
        def.function(), workflow_info{"ns", "wf-1", "run-1", def.name(), "q", 1, "run-1", ""}, 0);
}

const workflow_def charge_then_sleep_def{"Test", &charge_then_sleep};
const workflow_def refund_then_sleep_def{"Test", &refund_then_sleep};
const workflow_def charge_only_def{"Test", &charge_only};
const workflow_def sleep_then_charge_def{"Test", &sleep_then_charge};
const workflow_def upsert_then_sleep_def{"Test", &upsert_then_sleep};
const workflow_def sleep_only_def{"Test", &sleep_only};
const workflow_def upsert_memo_then_sleep_def{"Test", &upsert_memo_then_sleep};

history_builder recorded_upsert_then_sleep() {
    history_builder h;
    h.started("card").boundary().add(
        event_type::upsert_workflow_search_attributes,
        {{"search_attributes", {{"indexed_fields", {{"Customer", {{"type", "Keyword"}, {"value", "card"}}}}}}}});
    h.timer_started("1").timer_fired(4, "1").boundary().completed("card");
    return h;
}

history_builder recorded_memo_upsert_then_sleep() {
    history_builder h;
    h.started("card").boundary().add(event_type::workflow_properties_modified,
                                     {{"upserted_memo", {{"customer", "card"}, {"draft", nullptr}}}});
    h.timer_started("1").timer_fired(4, "1").boundary().completed("card");
    return h;
}

history_builder recorded_charge_then_sleep() {
    history_builder h;
    h.started("card").boundary().activity_scheduled("Charge", "1");
    h.activity_completed(3, "charged").boundary().timer_started("1");
    h.timer_fired(7, "1").boundary().completed("charged");
    return h;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(replay)

BOOST_AUTO_TEST_CASE(recorded_history_replays_without_failure_or_tail) {
    auto h = recorded_charge_then_sleep();
    auto inst = make(charge_then_sleep_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value());
    BOOST_TEST(r.tail.empty());
    BOOST_TEST(inst->closed());
    BOOST_TEST(r.last_event_id == 10);
}

BOOST_AUTO_TEST_CASE(changed_activity_type_is_nondeterminism_naming_event_and_command) {
    auto h = recorded_charge_then_sleep();
    auto inst = make(refund_then_sleep_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("event 3 ActivityTaskScheduled(activity_type=Charge") != std::string::npos,
               r.failure->message);
    BOOST_TEST(r.failure->message.find("ScheduleActivityTask(activity_type=Refund") != std::string::npos,
               r.failure->message);
}

BOOST_AUTO_TEST_CASE(a_command_missing_from_the_code_is_nondeterminism) {
    auto h = recorded_charge_then_sleep();
    auto inst = make(charge_only_def);   // no longer sleeps: completes where history has a timer
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("TimerStarted(timer_id=1)") != std::string::npos, r.failure->message);
    BOOST_TEST(r.failure->message.find("CompleteWorkflowExecution") != std::string::npos, r.failure->message);
}

BOOST_AUTO_TEST_CASE(an_extra_command_in_the_code_is_nondeterminism) {
    history_builder h;
    h.started("card").boundary().activity_scheduled("Charge", "1");
    h.activity_completed(3, "charged").boundary().completed("charged");
    auto inst = make(charge_then_sleep_def);   // now sleeps where history completed
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST(r.failure->message.find("WorkflowExecutionCompleted") != std::string::npos, r.failure->message);
    BOOST_TEST(r.failure->message.find("StartTimer(timer_id=1)") != std::string::npos, r.failure->message);
}

BOOST_AUTO_TEST_CASE(a_changed_order_of_commands_is_nondeterminism) {
    history_builder h;
    h.started("card").boundary().activity_scheduled("Charge", "1");
    auto inst = make(sleep_then_charge_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST(r.failure->message.find("history has event 3 ActivityTaskScheduled") != std::string::npos,
               r.failure->message);
}

BOOST_AUTO_TEST_CASE(a_recorded_upsert_replays_and_the_code_sees_its_values) {
    auto h = recorded_upsert_then_sleep();
    auto inst = make(upsert_then_sleep_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value(), (r.failure ? r.failure->message : ""));
    BOOST_TEST((inst->current_search_attributes() == search_attributes{{"Customer", std::string("card")}}));
}

BOOST_AUTO_TEST_CASE(an_upsert_missing_from_the_code_or_from_history_is_nondeterminism) {
    auto missing = make(sleep_only_def);
    auto r = detail::replay(*missing, recorded_upsert_then_sleep().events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("history has event 3 UpsertWorkflowSearchAttributes") != std::string::npos,
               r.failure->message);
    BOOST_TEST(r.failure->message.find("StartTimer") != std::string::npos, r.failure->message);

    history_builder without;
    without.started("card").boundary().timer_started("1");
    auto extra = make(upsert_then_sleep_def);
    r = detail::replay(*extra, without.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("UpsertWorkflowSearchAttributes") != std::string::npos, r.failure->message);
}

BOOST_AUTO_TEST_CASE(a_memo_upsert_is_a_modify_workflow_properties_command_carrying_the_upserted_keys) {
    auto inst = make(upsert_memo_then_sleep_def);
    history_builder h;
    h.started("card");
    auto live = inst->activate(h.events(), 42, false);
    BOOST_REQUIRE(!live.failure.has_value());
    BOOST_REQUIRE(live.commands->size() == 2u);   // the empty upsert recorded nothing
    const auto& c = live.commands->front();
    BOOST_TEST((c.kind == detail::command_kind::modify_workflow_properties));
    BOOST_TEST((event_type_of(c.kind) == event_type::workflow_properties_modified));
    BOOST_TEST(c.attrs.at("upserted_memo") == boost::json::parse(R"({"customer": "card", "draft": null})"));
    BOOST_TEST((live.commands->back().kind == detail::command_kind::start_timer));
}

BOOST_AUTO_TEST_CASE(a_recorded_memo_upsert_replays) {
    auto inst = make(upsert_memo_then_sleep_def);
    auto r = detail::replay(*inst, recorded_memo_upsert_then_sleep().events());
    BOOST_TEST(!r.failure.has_value(), (r.failure ? r.failure->message : ""));
    BOOST_TEST(inst->closed());
}

BOOST_AUTO_TEST_CASE(a_memo_upsert_missing_from_the_code_or_from_history_is_nondeterminism) {
    auto missing = make(sleep_only_def);
    auto r = detail::replay(*missing, recorded_memo_upsert_then_sleep().events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("history has event 3 WorkflowPropertiesModified") != std::string::npos,
               r.failure->message);
    BOOST_TEST(r.failure->message.find("StartTimer") != std::string::npos, r.failure->message);

    history_builder without;
    without.started("card").boundary().timer_started("1");
    auto extra = make(upsert_memo_then_sleep_def);
    r = detail::replay(*extra, without.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::nondeterminism));
    BOOST_TEST(r.failure->message.find("ModifyWorkflowProperties") != std::string::npos, r.failure->message);
}

BOOST_AUTO_TEST_CASE(events_after_the_last_activation_come_back_as_the_tail) {
    history_builder h;
    h.started("card").boundary().activity_scheduled("Charge", "1").activity_completed(3, "charged");
    auto inst = make(charge_then_sleep_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value());
    BOOST_REQUIRE(r.tail.size() == 2u);
    BOOST_TEST((r.tail[0].type == event_type::activity_task_started));
    BOOST_TEST((r.tail[1].type == event_type::activity_task_completed));
    // The live activation over the tail sleeps next.
    auto live = inst->activate(r.tail, 42, false);
    BOOST_REQUIRE(live.commands->size() == 1u);
    BOOST_TEST((live.commands->front().kind == detail::command_kind::start_timer));
}

BOOST_AUTO_TEST_CASE(a_command_event_without_a_boundary_is_corrupt_history) {
    history_builder h;
    h.started("card").activity_scheduled("Charge", "1");
    auto inst = make(charge_then_sleep_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::corrupt_history));
}

BOOST_AUTO_TEST_CASE(activity_failure_reaches_the_workflow_as_activity_error_with_its_cause) {
    static std::string seen;
    const workflow_def def{"Test", +[](workflow_context& ctx, std::string in) -> workflow<std::string> {
                               try {
                                   co_await ctx.execute_activity(charge, in, {.start_to_close_timeout = 10s});
                               } catch (const activity_error& e) {
                                   try {
                                       std::rethrow_exception(e.cause());
                                   } catch (const application_error& cause) {
                                       seen = e.activity_type() + "/" + cause.type() + "/" + cause.what();
                                   }
                               }
                               co_return seen;
                           }};
    history_builder h;
    h.started("card").boundary().activity_scheduled("Charge", "1").activity_failed(3, "card declined");
    h.boundary().completed("x");
    auto inst = make(def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value());
    BOOST_TEST(seen == "Charge/Boom/card declined");
}

BOOST_AUTO_TEST_CASE(a_nexus_cancellation_recorded_before_it_was_wrapped_replays_as_the_operations_failure) {
    // Recorded when a try_cancel cancellation reached the workflow as a bare canceled_error; the
    // failure it sees now is built from history alone, so the replay is the same.
    static std::string seen;
    const workflow_def def{"Test", +[](workflow_context& ctx, std::string) -> workflow<std::string> {
                               auto op =
                                   ctx.nexus_client("ep", "svc")
                                       .start_operation<std::string>("run", std::string("x"),
                                                                     {.cancellation = cancellation_type::try_cancel});
                               co_await op.started();
                               op.request_cancel();
                               try {
                                   co_await op.result();
                               } catch (const nexus_operation_failure& f) {
                                   seen = f.endpoint() + "/" + f.service() + "/" + f.operation() + "/" +
                                          f.operation_token() + "/" + std::to_string(f.scheduled_event_id()) + "/" +
                                          (f.failure().cause->kind == failure_kind::canceled ? "canceled" : "other");
                               } catch (const failure_error&) {
                                   seen = "a bare failure";
                               }
                               co_return "gave up";
                           }};
    history_builder h;
    h.started("x").boundary();
    h.add(event_type::nexus_operation_scheduled, {{"endpoint", "ep"},
                                                  {"service", "svc"},
                                                  {"operation", "run"},
                                                  {"input", "x"},
                                                  {"endpoint_id", "id"},
                                                  {"request_id", "r"},
                                                  {"workflow_task_completed_event_id", 2}});
    h.add(event_type::nexus_operation_started,
          {{"scheduled_event_id", 3}, {"operation_token", "tok"}, {"request_id", "r"}});
    h.boundary();
    h.add(event_type::nexus_operation_cancel_requested,
          {{"scheduled_event_id", 3}, {"workflow_task_completed_event_id", 5}});
    h.completed("gave up");
    auto inst = make(def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value(), (r.failure ? r.failure->message : ""));
    BOOST_TEST(inst->closed());
    BOOST_TEST(seen == "ep/svc/run/tok/3/canceled");
}

BOOST_AUTO_TEST_CASE(a_nexus_header_may_carry_any_key_but_those_temporal_reserves) {
    static std::map<std::string, std::string> header;
    const workflow_def def{"Test", +[](workflow_context& ctx, std::string) -> workflow<std::string> {
                               co_return co_await ctx.nexus_client("ep", "svc")
                                   .start_operation<std::string>("run", std::string("x"), {.header = header})
                                   .result();
                           }};
    const auto problem = [&](std::map<std::string, std::string> h) {
        header = std::move(h);
        history_builder history;
        history.started("x");
        auto inst = make(def);
        auto r = inst->activate(history.events(), 1, false);
        return r.failure ? r.failure->message : std::string("(scheduled)");
    };
    BOOST_TEST(problem({{"Content-Type", "application/json"}, {"temporal-custom", "1"}}) == "(scheduled)");
    for (const char* reserved : {"Request-Timeout", "caller-name", "Temporal-Principal-Name", "xdc-redirection"})
        BOOST_TEST(problem({{reserved, "1"}}).find(std::string("header key '") + reserved + "' is reserved") !=
                       std::string::npos,
                   problem({{reserved, "1"}}));
}

BOOST_AUTO_TEST_CASE(side_effect_returns_the_recorded_value_on_replay) {
    static int calls = 0;
    const workflow_def def{"Test", +[](workflow_context& ctx) -> workflow<int> {
                               co_return co_await ctx.side_effect([] { return ++calls * 100; });
                           }};
    history_builder h;
    h.started().boundary().marker("SideEffect", {{"side_effect_id", 1}, {"data", 7}}).completed(7);
    auto inst = make(def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value());
    BOOST_TEST(calls == 0);   // never called on replay
}

BOOST_AUTO_TEST_CASE(a_side_effect_marker_without_data_is_corrupt_history) {
    const workflow_def def{
        "Test", +[](workflow_context& ctx) -> workflow<int> { co_return co_await ctx.side_effect([] { return 7; }); }};
    history_builder h;
    h.started().boundary().marker("SideEffect", {{"side_effect_id", 1}}).completed(7);
    auto inst = make(def);
    auto r = detail::replay(*inst, h.events());
    BOOST_REQUIRE(r.failure.has_value());
    BOOST_TEST((r.failure->reason == detail::task_failure::cause::corrupt_history));
    BOOST_TEST(r.failure->message.find("has no details.data") != std::string::npos, r.failure->message);
}

BOOST_AUTO_TEST_CASE(an_update_accepted_without_its_request_is_corrupt_history) {
    const workflow_def def{"Test", +[](workflow_context& ctx) -> workflow<int> {
                               ctx.set_update_handler("add", [](int n) -> workflow<int> { co_return n; });
                               co_await ctx.sleep(10s);
                               co_return 0;
                           }};
    for (const auto& request : {boost::json::value(nullptr), boost::json::value{{"meta", {{"update_id", "u"}}}},
                                boost::json::value{{"meta", {{"update_id", 1}}}, {"input", {{"name", "add"}}}}}) {
        history_builder h;
        h.started().boundary().timer_started("1");
        h.add(event_type::workflow_execution_update_accepted, {{"accepted_request", request}}).boundary();
        auto inst = make(def);
        auto r = detail::replay(*inst, h.events());
        BOOST_REQUIRE(r.failure.has_value());
        BOOST_TEST((r.failure->reason == detail::task_failure::cause::corrupt_history));
        BOOST_TEST(r.failure->message.find("accepted_request.meta.update_id") != std::string::npos, r.failure->message);
    }
}

BOOST_AUTO_TEST_CASE(patched_is_false_on_a_history_recorded_before_the_patch) {
    const workflow_def def{"Test", +[](workflow_context& ctx, std::string in) -> workflow<std::string> {
                               if (ctx.patched("use-refund"))
                                   co_return co_await ctx.execute_activity(refund, in, {.start_to_close_timeout = 10s});
                               co_return co_await ctx.execute_activity(charge, in, {.start_to_close_timeout = 10s});
                           }};
    history_builder old;
    old.started("x").boundary().activity_scheduled("Charge", "1").activity_completed(3, "c").boundary().completed("c");
    auto inst = make(def);
    BOOST_TEST(!detail::replay(*inst, old.events()).failure.has_value());

    history_builder patched;
    patched.started("x").boundary().marker("core_patch", {{"patch_id", "use-refund"}, {"deprecated", false}});
    patched.activity_scheduled("Refund", "1").activity_completed(4, "r").boundary().completed("r");
    auto inst2 = make(def);
    BOOST_TEST(!detail::replay(*inst2, patched.events()).failure.has_value());

    // A live run takes the new branch and records the marker first.
    auto inst3 = make(def);
    history_builder start;
    start.started("x");
    auto live = inst3->activate(start.events(), 1, false);
    BOOST_REQUIRE(live.commands->size() == 2u);
    BOOST_TEST((live.commands->at(0).kind == detail::command_kind::record_marker));
    BOOST_TEST(live.commands->at(1).attrs.at("activity_type").at("name").as_string() == "Refund");
}

BOOST_AUTO_TEST_CASE(a_deprecated_patch_marker_without_a_call_is_skipped) {
    history_builder h;
    h.started("x").boundary().marker("core_patch", {{"patch_id", "old"}, {"deprecated", true}});
    h.activity_scheduled("Charge", "1").activity_completed(4, "c").boundary().completed("c");
    auto inst = make(charge_only_def);
    auto r = detail::replay(*inst, h.events());
    BOOST_TEST(!r.failure.has_value(), (r.failure ? r.failure->message : ""));
}

BOOST_AUTO_TEST_CASE(a_timer_started_and_cancelled_in_one_activation_records_nothing) {
    const workflow_def def{"Test", +[](workflow_context& ctx) -> workflow<bool> {
                               auto t = ctx.sleep(1h);
                               t.request_cancel();
                               try {
                                   co_await t;
                               } catch (const canceled_error&) {
                                   co_return true;
                               }
                               co_return false;
                           }};
    auto inst = make(def);
    history_builder h;
    h.started();
    auto live = inst->activate(h.events(), 1, false);
    BOOST_REQUIRE(live.commands->size() == 1u);
    BOOST_TEST((live.commands->front().kind == detail::command_kind::complete_workflow));
    BOOST_TEST(live.commands->front().attrs.at("result").as_bool());
}

BOOST_AUTO_TEST_CASE(an_exception_that_is_not_a_failure_fails_the_task_not_the_run) {
    const workflow_def def{"Test", +[](workflow_context&) -> workflow<int> {
                               throw std::runtime_error("bug");
                               co_return 1;
                           }};
    auto inst = make(def);
    history_builder h;
    h.started();
    auto live = inst->activate(h.events(), 1, false);
    BOOST_REQUIRE(live.failure.has_value());
    BOOST_TEST((live.failure->reason == detail::task_failure::cause::workflow_error));
    BOOST_TEST(live.failure->message.find("std::runtime_error: bug") != std::string::npos, live.failure->message);
}

BOOST_AUTO_TEST_CASE(an_application_error_fails_the_run) {
    const workflow_def def{"Test", +[](workflow_context&) -> workflow<int> {
                               throw application_error("no stock", "OutOfStock", true);
                               co_return 1;
                           }};
    auto inst = make(def);
    history_builder h;
    h.started();
    auto live = inst->activate(h.events(), 1, false);
    BOOST_REQUIRE(!live.failure.has_value());
    BOOST_REQUIRE(live.commands->size() == 1u);
    const auto& c = live.commands->front();
    BOOST_TEST((c.kind == detail::command_kind::fail_workflow));
    BOOST_TEST(c.attrs.at("failure").at("application_failure_info").at("type").as_string() == "OutOfStock");
}

BOOST_AUTO_TEST_CASE(the_replayer_refuses_event_times_the_clock_cannot_hold_and_malformed_ones) {
    testing::replayer replayer;
    replayer.register_workflow(charge_only_def);
    const auto history_at = [](const std::string& time) {
        return boost::json::parse(R"([{"event_id":1,"event_type":"WorkflowExecutionStarted","event_time":")" + time +
                                  R"(","attributes":{"workflow_type":{"name":"Test"}}}])");
    };
    BOOST_CHECK_NO_THROW(replayer.replay(history_at("2025-01-01T00:00:00.000000Z")));
    BOOST_CHECK_NO_THROW(replayer.replay(history_at("1970-01-01T00:00:00Z")));
    // parse_time's own tests list what else is refused.
    for (const char* time : {"1012-01-01T00:00:00.000000Z", "2262-04-12T00:00:00Z", "2025-13-01T00:00:00Z"}) {
        BOOST_TEST_INFO(time);
        BOOST_CHECK_THROW(replayer.replay(history_at(time)), invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(the_replayer_refuses_a_start_event_without_a_workflow_type_name) {
    testing::replayer replayer;
    replayer.register_workflow(charge_only_def);
    for (const char* attributes : {R"({})", R"({"workflow_type":"Test"})", R"({"workflow_type":{"name":7}})"}) {
        BOOST_TEST_INFO(attributes);
        const auto history = boost::json::parse(
            std::string(R"([{"event_id":1,"event_type":"WorkflowExecutionStarted","attributes":)") + attributes + "}]");
        BOOST_CHECK_THROW(replayer.replay(history), invalid_argument);
    }
    // A task queue that is not {"name": "..."} is only left out of workflow_info.
    BOOST_CHECK_NO_THROW(replayer.replay(boost::json::parse(
        R"([{"event_id":1,"event_type":"WorkflowExecutionStarted","attributes":{"workflow_type":{"name":"Test"},"task_queue":{"name":1}}}])")));
}

BOOST_AUTO_TEST_SUITE_END()
