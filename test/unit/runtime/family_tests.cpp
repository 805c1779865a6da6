// The family of runs against a host that only records: a child's start and what its parent
// hears, a closing child's outcome, the parent's close policies, external workflows, the retry
// decision of a failing run and what the next run of a chain keeps.
#include "runtime/family.hpp"

#include "support/recording_outbox.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

using namespace perdure;
using namespace perdure::detail;

namespace {

constexpr std::int64_t ns = 1, parent_key = 10;

/// Records what the family asks of the engine; the runs are the test's.
class recording_host final : public family_host {
public:
    std::int64_t now_us() const override { return now; }
    run_state* find_run(std::int64_t run_key) override {
        auto it = runs.find(run_key);
        return it == runs.end() ? nullptr : &it->second;
    }
    run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) override {
        for (auto& [key, r] : runs)
            if (r.ns_id == ns_id && r.workflow_id == workflow_id && r.status == run_status::running) return &r;
        return nullptr;
    }
    std::string namespace_name(std::int64_t) const override { return "orders"; }
    run_state& create_run(run_spec spec, write_unit&) override {
        const std::int64_t key = next_key++;
        auto& r = runs[key];
        r.identity() = spec.id;
        r.run_key = key;
        if (r.run_id.empty()) r.run_id = "run-" + std::to_string(key);
        created.push_back(std::move(spec));
        return r;
    }
    void begin_run(run_state& r, write_unit&) override { begun.push_back(r.run_key); }
    void terminate_run(run_state& r, const std::string& reason, write_unit&) override {
        terminated.emplace(r.run_key, reason);
    }
    boost::json::object started_attributes(const run_state&) override { return started; }
    inbound signal_event(std::string name, boost::json::value arg, std::string,
                         unique_function<void(std::exception_ptr)>) override {
        return inbound{event{0, event_type::workflow_execution_signaled, now, {{"signal_name", name}, {"input", arg}}}};
    }

    std::int64_t now = 1'000'000;
    std::int64_t next_key = 100;
    std::map<std::int64_t, run_state> runs;
    boost::json::object started;   ///< what started_attributes gives back
    std::vector<run_spec> created;
    std::vector<std::int64_t> begun;
    std::map<std::int64_t, std::string> terminated;
};

struct family_fixture {
    family_fixture() {
        auto& parent = host.runs[parent_key];
        parent.run_key = parent_key;
        parent.ns_id = ns;
        parent.workflow_id = "order";
        parent.run_id = "run-p";
    }

    run_state& parent() { return host.runs[parent_key]; }

    /// StartChildWorkflowExecutionInitiated at event 5 for `workflow_id`; returns the child's key
    /// (0 when none was created).
    std::int64_t start_child(const std::string& workflow_id, const char* close_policy = "TERMINATE") {
        const event initiated{5,
                              event_type::start_child_workflow_execution_initiated,
                              host.now,
                              {{"workflow_id", workflow_id},
                               {"workflow_type", {{"name", "ship"}}},
                               {"task_queue", {{"name", "q"}}},
                               {"parent_close_policy", close_policy},
                               {"input", 3}}};
        const auto before = host.created.size();
        write_unit unit;
        family.start_child(parent(), initiated, unit);
        return host.created.size() > before ? host.begun.back() : 0;
    }

    /// The parent signals the latest run of `workflow_id` (SignalExternalWorkflowExecutionInitiated
    /// at event 7).
    void signal_from_parent(const std::string& workflow_id) {
        const event initiated{
            7,
            event_type::signal_external_workflow_execution_initiated,
            host.now,
            {{"workflow_execution", {{"workflow_id", workflow_id}, {"run_id", ""}}}, {"signal_name", "go"}}};
        write_unit unit;
        family.reach_external(parent(), initiated, unit);
    }

    /// The child closes with `status` and `close`: what its parent hears.
    void close_child(std::int64_t child, run_status status, boost::json::object close = {}) {
        auto& r = host.runs[child];
        r.status = status;
        write_unit unit;
        family.run_closed(r, event{9, event_type::workflow_execution_completed, host.now, std::move(close)}, unit);
    }

    recording_host host;
    perdure::test::recording_outbox outbox;
    run_family family{host, outbox};
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(run_family_on_data, family_fixture)

BOOST_AUTO_TEST_CASE(a_child_starts_and_its_parent_hears_it_started) {
    const auto child = start_child("shipment");
    BOOST_REQUIRE(child);
    const auto& spec = host.created.at(0);
    BOOST_TEST(spec.id.workflow_id == "shipment");
    BOOST_TEST(spec.id.workflow_type == "ship");
    BOOST_TEST(spec.id.parent.run_key == parent_key);
    BOOST_TEST(spec.id.parent.initiated_event_id == 5);
    BOOST_TEST(*spec.id.parent_workflow_id == "order");
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST(outbox.sent[0].target == parent_key);
    BOOST_TEST((outbox.sent[0].type == event_type::child_workflow_execution_started));
    BOOST_TEST(outbox.sent[0].attrs.at("workflow_execution").as_object().at("run_id").as_string() ==
               host.runs[child].run_id);
}

BOOST_AUTO_TEST_CASE(a_child_whose_workflow_id_is_running_fails_to_start) {
    const auto first = start_child("shipment");
    outbox.sent.clear();
    BOOST_TEST(start_child("shipment") == 0);
    BOOST_TEST(host.created.size() == 1u);
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST((outbox.sent[0].type == event_type::start_child_workflow_execution_failed));
    BOOST_TEST(outbox.sent[0].attrs.at("cause").as_string() == "WORKFLOW_ALREADY_EXISTS");
    BOOST_TEST(first != 0);
}

BOOST_AUTO_TEST_CASE(a_closing_child_tells_its_parent_its_outcome) {
    const auto child = start_child("shipment");
    outbox.sent.clear();
    close_child(child, run_status::completed, {{"result", 42}});
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST(outbox.sent[0].target == parent_key);
    BOOST_TEST((outbox.sent[0].type == event_type::child_workflow_execution_completed));
    BOOST_TEST(outbox.sent[0].attrs.at("result").as_int64() == 42);
    BOOST_TEST(outbox.sent[0].attrs.at("initiated_event_id").as_int64() == 5);
}

BOOST_AUTO_TEST_CASE(a_child_that_continues_as_new_tells_its_parent_nothing_yet) {
    const auto child = start_child("shipment");
    outbox.sent.clear();
    close_child(child, run_status::continued_as_new);
    BOOST_TEST(outbox.sent.empty());
}

BOOST_AUTO_TEST_CASE(a_closing_parent_applies_each_open_childs_close_policy) {
    const auto terminated = start_child("a", "TERMINATE");
    const auto canceled = start_child("b", "REQUEST_CANCEL");
    const auto abandoned = start_child("c", "ABANDON");
    outbox.sent.clear();
    parent().status = run_status::completed;
    write_unit unit;
    family.run_closed(parent(), event{20, event_type::workflow_execution_completed, host.now, {}}, unit);
    BOOST_TEST(host.terminated.contains(terminated));
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST(outbox.sent[0].target == canceled);
    BOOST_TEST((outbox.sent[0].type == event_type::workflow_execution_cancel_requested));
    BOOST_TEST(!host.terminated.contains(abandoned));
}

BOOST_AUTO_TEST_CASE(a_child_that_closed_first_is_left_alone_by_the_policy) {
    const auto child = start_child("a", "TERMINATE");
    close_child(child, run_status::completed);
    write_unit unit;
    family.run_closed(parent(), event{20, event_type::workflow_execution_completed, host.now, {}}, unit);
    BOOST_TEST(host.terminated.empty());
}

BOOST_AUTO_TEST_CASE(a_signal_to_no_running_workflow_fails_for_its_sender) {
    signal_from_parent("nobody");
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 1u);
    BOOST_TEST(outbox.sent[0].target == parent_key);
    BOOST_TEST((outbox.sent[0].type == event_type::signal_external_workflow_execution_failed));
    BOOST_TEST(outbox.sent[0].attrs.at("cause").as_string() == "EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(a_signal_reaches_a_running_workflow_and_its_sender_hears_it) {
    const auto target = start_child("shipment");
    outbox.sent.clear();
    signal_from_parent("shipment");
    BOOST_REQUIRE_EQUAL(outbox.sent.size(), 2u);
    BOOST_TEST(outbox.sent[0].target == target);
    BOOST_TEST((outbox.sent[0].type == event_type::workflow_execution_signaled));
    BOOST_TEST(outbox.sent[1].target == parent_key);
    BOOST_TEST((outbox.sent[1].type == event_type::external_workflow_execution_signaled));
}

BOOST_AUTO_TEST_CASE(a_failure_without_a_retry_policy_is_not_retried) {
    command c;
    c.kind = command_kind::fail_workflow;
    c.attrs = {{"failure", failure{"boom"}.to_json()}};
    family.prepare_close(parent(), c);
    BOOST_TEST(c.attrs.at("retry_state").as_string() == to_string(retry_state::retry_policy_not_set));
    BOOST_TEST(!c.attrs.contains("new_execution_run_id"));
}

BOOST_AUTO_TEST_CASE(a_continuation_keeps_the_chain_and_records_unread_signals_again) {
    parent().first_run_id = "run-first";
    host.started = {{"input", 1}};
    const event continued{12,
                          event_type::workflow_execution_continued_as_new,
                          host.now,
                          {{"new_execution_run_id", "run-next"},
                           {"workflow_type", {{"name", "order"}}},
                           {"task_queue", {{"name", "q"}}},
                           {"input", 2}}};
    std::vector<std::pair<std::string, boost::json::value>> unread;
    unread.emplace_back("late", 7);
    write_unit unit;
    family.continue_run(parent(), continued, std::move(unread), unit);
    BOOST_REQUIRE_EQUAL(host.created.size(), 1u);
    const auto& spec = host.created[0];
    BOOST_TEST(spec.id.run_id == "run-next");
    BOOST_TEST(*spec.id.first_run_id == "run-first");
    BOOST_TEST(spec.continued_run_id == "run-p");
    BOOST_TEST(spec.input.as_int64() == 2);
    BOOST_TEST(std::string(spec.initiator) == "WORKFLOW");
    const auto& next = host.runs[host.begun.at(0)];
    BOOST_REQUIRE_EQUAL(next.pending.size(), 1u);
    BOOST_TEST(next.pending[0].e.attrs.at("signal_name").as_string() == "late");
}

BOOST_AUTO_TEST_SUITE_END()
