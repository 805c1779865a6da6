// The Nexus dispatcher against a host that only records: what a schedule command is given or
// refused, how an operation that cannot run waits or ends, how its outcome retires it, how a
// cancel waits for the start, and what a closing handler workflow tells its callers.
#include "runtime/nexus_dispatcher.hpp"

#include "support/recording_outbox.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using namespace perdure;
using namespace perdure::detail;

namespace {

constexpr std::int64_t caller_ns = 1, handler_ns = 2, caller_key = 7;

/// Records what the dispatcher asks of the engine; runs and namespaces are the test's.
class recording_host final : public nexus_host {
public:
    std::int64_t now_us() const override { return now; }
    bool accepting_work() const override { return true; }
    bool engine_failed() const override { return false; }
    void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) override {
        armed_at[{static_cast<int>(kind), run_key, seq}] = due_us;
    }
    void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) override {
        armed_at.erase({static_cast<int>(kind), run_key, seq});
    }
    bool armed(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const override {
        return armed_at.contains({static_cast<int>(kind), run_key, seq});
    }
    std::uint64_t commit(write_unit&& unit) override {
        committed.push_back(std::move(unit));
        return committed.size();
    }
    strand_handoff handoff() override {
        return [](unique_function<void()>, std::optional<work_tracker::kind>) {
            throw std::logic_error("no handler code runs here");
        };
    }
    run_state* find_run(std::int64_t run_key) override {
        auto it = runs.find(run_key);
        return it == runs.end() ? nullptr : &it->second;
    }
    run_state* find_open_run(std::int64_t, std::string_view) override { return nullptr; }
    std::optional<run_status> latest_run_status(std::int64_t, std::string_view) override { return std::nullopt; }
    std::vector<event> history_from(std::int64_t, std::int64_t) override { return {}; }
    void deliver(run_state&, inbound in) override { delivered.push_back(std::move(in)); }
    std::int64_t append_event(run_state&, event_type, boost::json::object, write_unit&) override {
        throw std::logic_error("no handler workflow here");
    }
    run_state& create_run(run_spec, write_unit&) override { throw std::logic_error("no handler workflow here"); }
    void begin_run(run_state&, write_unit&) override { throw std::logic_error("no handler workflow here"); }
    void terminate_run(run_state&, const std::string&, write_unit&) override {
        throw std::logic_error("no handler workflow here");
    }
    typed_attributes typed_search_attributes(std::int64_t, const search_attributes&) const override { return {}; }
    void attach_engine(nexus::operation_context&) override {}
    std::string namespace_name(std::int64_t ns_id) const override {
        const auto it = namespaces.find(ns_id);
        return it == namespaces.end() ? "" : it->second;
    }
    std::optional<std::int64_t> find_namespace(std::string_view name) const override {
        for (const auto& [id, n] : namespaces)
            if (n == name) return id;
        return std::nullopt;
    }

    std::int64_t now = 1'000'000;
    std::map<std::int64_t, run_state> runs;
    std::map<std::int64_t, std::string> namespaces{{caller_ns, "callers"}, {handler_ns, "handlers"}};
    std::map<std::tuple<int, std::int64_t, std::int64_t>, std::int64_t> armed_at;
    std::vector<write_unit> committed;
    std::vector<inbound> delivered;
};

/// A dispatcher with one endpoint, "payments", routed to the handler namespace's "q".
struct dispatcher_fixture {
    dispatcher_fixture() {
        endpoints.put({"ep-1", 1, {"payments", "handlers", "q", "", 0}, {}, {}});
        auto& caller = host.runs[caller_key];
        caller.run_key = caller_key;
        caller.ns_id = caller_ns;
        caller.workflow_id = "order";
        caller.run_id = "run-1";
    }

    /// NexusOperationScheduled recorded at `id` and committed: its first attempt is dispatched.
    void schedule(std::int64_t id, boost::json::object extra = {}) {
        boost::json::object attrs{{"endpoint", "payments"}, {"endpoint_id", "ep-1"}, {"service", "billing"},
                                  {"operation", "charge"},  {"request_id", "req-1"}, {"input", 5}};
        for (auto& [k, v] : extra) attrs[k] = v;
        write_unit unit;
        dispatcher.schedule(host.runs[caller_key], event{id, event_type::nexus_operation_scheduled, host.now, attrs},
                            unit);
        for (auto& fx : unit.effects) fx(nullptr);
    }

    pending_nexus_operation_info described(std::int64_t id) const {
        std::vector<pending_nexus_operation_info> pending(1);
        pending[0].scheduled_event_id = id;
        pending[0].attempt = 0;   // stays 0 when the dispatcher no longer tracks the operation
        dispatcher.describe(caller_key, pending);
        return pending[0];
    }

    recording_host host;
    perdure::test::recording_outbox outbox;
    endpoint_table endpoints;
    worker_registry workers;
    work_tracker work;
    nexus_dispatcher dispatcher{host,    outbox, endpoints,
                                workers, work,   {.handler_threads = 1, .max_payload_bytes = 64}};
};

command schedule_command(std::string endpoint, boost::json::value input = 1) {
    command c;
    c.kind = command_kind::schedule_nexus_operation;
    c.attrs = {{"endpoint", std::move(endpoint)}, {"input", std::move(input)}};
    return c;
}

}   // namespace

BOOST_FIXTURE_TEST_SUITE(nexus_dispatcher_on_data, dispatcher_fixture)

BOOST_AUTO_TEST_CASE(a_schedule_command_gets_the_endpoint_id_and_one_request_id) {
    auto c = schedule_command("payments");
    BOOST_TEST(!dispatcher.prepare_schedule(c));
    BOOST_TEST(c.attrs.at("endpoint_id").as_string() == "ep-1");
    BOOST_TEST(!c.attrs.at("request_id").as_string().empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_endpoint_fails_the_task_saying_how_to_create_it) {
    auto c = schedule_command("nowhere");
    const auto f = dispatcher.prepare_schedule(c);
    BOOST_REQUIRE(f);
    BOOST_TEST((f->reason == task_failure::cause::bad_command));
    BOOST_TEST(f->message.find("endpoint \"nowhere\" not found") != std::string::npos);
    BOOST_TEST(f->message.find("nexus_endpoints().ensure") != std::string::npos);
    BOOST_TEST(!c.attrs.contains("request_id"));
}

BOOST_AUTO_TEST_CASE(an_input_over_the_payload_limit_terminates_the_run) {
    auto c = schedule_command("payments", boost::json::string(100, 'x'));
    const auto f = dispatcher.prepare_schedule(c);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->message.find("larger than the payload limit") != std::string::npos);
    BOOST_TEST(f->terminates);   // as Temporal's server: the task would fail the same way each time
}

BOOST_AUTO_TEST_CASE(without_a_worker_an_operation_waits_and_says_why) {
    schedule(5, {{"schedule_to_close_timeout", "10s"}});
    BOOST_TEST(host.delivered.empty());
    const auto p = described(5);
    BOOST_TEST((p.state == pending_nexus_operation_state::scheduled));
    BOOST_TEST(p.attempt == 1);
    BOOST_TEST(p.blocked_reason == "no worker serves the endpoint's target task queue");
    BOOST_TEST(host.armed(wheel_kind::nexus_schedule_to_close, caller_key, 5));
}

BOOST_AUTO_TEST_CASE(an_endpoint_removed_before_the_attempt_fails_the_operation) {
    endpoints.erase("ep-1");
    schedule(5);
    BOOST_REQUIRE_EQUAL(host.delivered.size(), 1u);
    const auto& e = host.delivered[0].e;
    BOOST_TEST((e.type == event_type::nexus_operation_failed));
    BOOST_TEST(e.attrs.at("scheduled_event_id").as_int64() == 5);
    BOOST_TEST(e.attrs.at("request_id").as_string() == "req-1");
}

BOOST_AUTO_TEST_CASE(schedule_to_close_ends_the_operation_timed_out) {
    schedule(5, {{"schedule_to_close_timeout", "10s"}});
    host.now += 10'000'000;
    dispatcher.on_deadline({caller_key, 5}, wheel_kind::nexus_schedule_to_close);
    BOOST_REQUIRE_EQUAL(host.delivered.size(), 1u);
    const auto& e = host.delivered[0].e;
    BOOST_TEST((e.type == event_type::nexus_operation_timed_out));
    const auto f = failure::from_json(e.attrs.at("failure"));
    BOOST_TEST(boost::json::serialize(f.to_json()).find("SCHEDULE_TO_CLOSE") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_outcome_retires_the_operation_and_a_late_start_is_dropped) {
    schedule(5, {{"schedule_to_close_timeout", "10s"}});
    inbound outcome{event{0, event_type::nexus_operation_completed, host.now, {{"scheduled_event_id", 5}}}};
    BOOST_TEST(dispatcher.on_delivered(host.runs[caller_key], outcome));
    BOOST_TEST(!host.armed(wheel_kind::nexus_schedule_to_close, caller_key, 5));
    BOOST_TEST(!outcome.ops.empty());   // its task row and deadlines go with the outcome
    BOOST_TEST(described(5).attempt == 0);

    // Until the outcome commits, a Started that comes after it is not recorded.
    inbound late{event{0, event_type::nexus_operation_started, host.now, {{"scheduled_event_id", 5}}}};
    BOOST_TEST(!dispatcher.on_delivered(host.runs[caller_key], late));
}

BOOST_AUTO_TEST_CASE(a_start_moves_the_operation_to_its_start_to_close_deadline) {
    schedule(5, {{"schedule_to_start_timeout", "5s"}, {"start_to_close_timeout", "20s"}});
    BOOST_TEST(host.armed(wheel_kind::nexus_schedule_to_start, caller_key, 5));
    inbound started{event{
        0, event_type::nexus_operation_started, host.now, {{"scheduled_event_id", 5}, {"operation_token", "tok"}}}};
    BOOST_TEST(dispatcher.on_delivered(host.runs[caller_key], started));
    BOOST_TEST(!host.armed(wheel_kind::nexus_schedule_to_start, caller_key, 5));
    BOOST_TEST(host.armed(wheel_kind::nexus_start_to_close, caller_key, 5));
    const auto p = described(5);
    BOOST_TEST((p.state == pending_nexus_operation_state::started));
    BOOST_TEST(p.operation_token == "tok");

    inbound again{event{0, event_type::nexus_operation_started, host.now, {{"scheduled_event_id", 5}}}};
    BOOST_TEST(!dispatcher.on_delivered(host.runs[caller_key], again));   // one Started per operation
}

BOOST_AUTO_TEST_CASE(a_cancel_before_the_start_waits_for_it) {
    schedule(5);
    write_unit unit;
    dispatcher.request_cancel(
        host.runs[caller_key],
        event{6, event_type::nexus_operation_cancel_requested, host.now, {{"scheduled_event_id", 5}}}, unit);
    BOOST_TEST(outbox.cancel_rows.contains(task_key{caller_key, 5}));   // its outbox row is committed with it
    for (auto& fx : unit.effects) fx(nullptr);
    BOOST_TEST(described(5).cancel_requested);
    BOOST_TEST(outbox.sent.empty());   // nothing is sent before the operation has started
}

BOOST_AUTO_TEST_CASE(a_closed_caller_abandons_its_operations) {
    schedule(5);
    dispatcher.drop_run(caller_key);
    BOOST_TEST(described(5).attempt == 0);
    dispatcher.on_deadline({caller_key, 5}, wheel_kind::nexus_retry);
    BOOST_TEST(host.delivered.empty());
}

BOOST_AUTO_TEST_CASE(a_completed_handler_workflow_completes_each_caller_with_its_result) {
    run_state handler;
    handler.status = run_status::completed;
    handler.callbacks = {{caller_key, 5, "req-1", "payments", "billing", "charge", "tok-1"},
                         {8, 3, "req-2", "payments", "billing", "charge", "tok-1"}};
    write_unit unit;
    dispatcher.notify_callers(handler, event{9, event_type::workflow_execution_completed, host.now, {{"result", 42}}},
                              unit);
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 2u);
    BOOST_TEST(outbox.sent[0].target == caller_key);
    BOOST_TEST((outbox.sent[0].type == event_type::nexus_operation_completed));
    BOOST_TEST(outbox.sent[0].attrs.at("result").as_int64() == 42);
    BOOST_TEST(outbox.sent[1].target == 8);
    BOOST_TEST(outbox.sent[1].attrs.at("request_id").as_string() == "req-2");
}

BOOST_AUTO_TEST_CASE(a_canceled_handler_workflow_cancels_its_callers_operation) {
    run_state handler;
    handler.status = run_status::canceled;
    handler.callbacks = {{caller_key, 5, "req-1", "payments", "billing", "charge", "tok-1"}};
    write_unit unit;
    dispatcher.notify_callers(handler, event{9, event_type::workflow_execution_canceled, host.now, {}}, unit);
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST((outbox.sent[0].type == event_type::nexus_operation_canceled));
    BOOST_TEST(outbox.sent[0].attrs.contains("failure"));
}

BOOST_AUTO_TEST_CASE(a_handler_workflow_that_continues_as_new_leaves_its_callers_to_the_next_run) {
    run_state handler;
    handler.status = run_status::continued_as_new;
    handler.callbacks = {{caller_key, 5, "req-1", "payments", "billing", "charge", "tok-1"}};
    write_unit unit;
    dispatcher.notify_callers(
        handler, event{9, event_type::workflow_execution_continued_as_new, host.now, {{"new_execution_run_id", "r2"}}},
        unit);
    BOOST_TEST(outbox.sent.empty());
}

BOOST_AUTO_TEST_SUITE_END()
