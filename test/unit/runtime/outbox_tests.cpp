// The outbox against a host that only records: the rows a message and a cancel request add to
// a unit, when a message is dispatched and where it goes, and what recovery reads back.
#include "runtime/outbox.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <stdexcept>
#include <variant>
#include <vector>

using namespace perdure::detail;

namespace {

constexpr std::int64_t sender_key = 3, target_key = 7;

/// Records commits and deliveries; the runs are the test's.
class recording_host final : public outbox_host {
public:
    std::int64_t now_us() const override { return now; }
    std::uint64_t commit(write_unit&& unit) override {
        committed.push_back(std::move(unit));
        return committed.size();
    }
    run_state* find_run(std::int64_t run_key) override {
        auto it = runs.find(run_key);
        return it == runs.end() ? nullptr : &it->second;
    }
    void deliver(run_state& r, inbound in) override { delivered.emplace_back(r.run_key, std::move(in)); }

    std::int64_t now = 5'000'000;
    std::map<std::int64_t, run_state> runs;
    std::vector<write_unit> committed;
    std::vector<std::pair<std::int64_t, inbound>> delivered;   // the run, the event it records
};

struct outbox_fixture {
    outbox_fixture() {
        for (auto key : {sender_key, target_key}) host.runs[key].run_key = key;
    }

    /// The task rows a unit writes.
    static std::vector<task_row> rows_of(const write_unit& unit) {
        std::vector<task_row> rows;
        for (const auto& op : unit.ops)
            if (const auto* up = std::get_if<upsert_task>(&op)) rows.push_back(up->row);
        return rows;
    }

    /// The single task row a unit deletes.
    static delete_task deletion_in(const std::vector<write_op>& ops) {
        BOOST_REQUIRE_EQUAL(ops.size(), 1u);
        const auto* d = std::get_if<delete_task>(&ops[0]);
        BOOST_REQUIRE(d);
        return *d;
    }

    /// A signal to the target, sent in a fresh unit; returns the unit.
    write_unit signal_target(const char* name = "go") {
        write_unit unit;
        box.send(target_key, event_type::workflow_execution_signaled, {{"signal_name", name}}, unit);
        return unit;
    }

    recording_host host;
    outbox box{host};
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(outbox_on_data, outbox_fixture)

BOOST_AUTO_TEST_CASE(sequence_numbers_go_down_below_every_stored_row) {
    box.continue_seqs_below(-5);
    const auto first = rows_of(signal_target());
    const auto second = rows_of(signal_target());
    write_unit cancel;
    box.record_cancel_request(host.runs[sender_key], "activity", 9, 10, cancel);
    BOOST_REQUIRE_EQUAL(first.size(), 1u);
    BOOST_REQUIRE_EQUAL(second.size(), 1u);
    BOOST_TEST(first[0].seq == -6);
    BOOST_TEST(second[0].seq == -7);
    BOOST_TEST(rows_of(cancel).at(0).seq == -8);
}

BOOST_AUTO_TEST_CASE(without_stored_rows_below_zero_the_first_sequence_number_is_minus_one) {
    box.continue_seqs_below(0);
    BOOST_TEST(rows_of(signal_target()).at(0).seq == -1);
}

BOOST_AUTO_TEST_CASE(a_message_to_a_running_target_is_handed_over_once_its_unit_is_queued) {
    auto unit = signal_target();
    const auto rows = rows_of(unit);
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    BOOST_TEST((rows[0].kind == task_kind::delivery));
    BOOST_TEST(rows[0].run_key == target_key);
    BOOST_TEST(unit.effects.empty());
    BOOST_REQUIRE_EQUAL(unit.on_queued.size(), 1u);
    BOOST_TEST(host.delivered.empty());

    unit.on_queued[0]();
    BOOST_REQUIRE_EQUAL(host.delivered.size(), 1u);
    BOOST_TEST(host.delivered[0].first == target_key);
    const auto& in = host.delivered[0].second;
    BOOST_TEST((in.e.type == event_type::workflow_execution_signaled));
    BOOST_TEST(in.e.time_us == host.now);
    BOOST_TEST(in.e.attrs.at("signal_name").as_string() == "go");
    // The row goes with the event it delivers.
    const auto d = deletion_in(in.ops);
    BOOST_TEST(d.run_key == target_key);
    BOOST_TEST(d.seq == rows[0].seq);
}

BOOST_AUTO_TEST_CASE(a_payload_is_serialized_once_for_the_row_and_the_recorded_event) {
    const boost::json::value result{{"order", 42}, {"items", {"tea", "cup"}}};
    const boost::json::object attrs{{"scheduled_event_id", 5}, {"result", result}, {"request_id", "r-1"}};
    write_unit unit;
    box.send(target_key, event_type::nexus_operation_completed, attrs, unit, "result");
    // The row reads back as the message it was made from, as recovery parses it.
    const auto row = rows_of(unit).at(0);
    const boost::json::object whole{{"type", static_cast<int>(event_type::nexus_operation_completed)},
                                    {"attrs", attrs}};
    BOOST_TEST(row.details == boost::json::serialize(whole));
    BOOST_REQUIRE_EQUAL(unit.on_queued.size(), 1u);
    unit.on_queued[0]();
    // The target records the text made once, beside the value its workflow reads.
    const auto& in = host.delivered.at(0).second;
    BOOST_TEST(in.serialized_member == std::string("result"));
    BOOST_TEST(in.serialized_json == boost::json::serialize(result));
    BOOST_TEST(in.e.attrs.at("result") == result);
}

BOOST_AUTO_TEST_CASE(a_message_without_its_payload_member_is_sent_whole) {
    write_unit unit;
    box.send(target_key, event_type::child_workflow_execution_completed, {{"initiated_event_id", 3}}, unit, "result");
    unit.on_queued.at(0)();
    BOOST_TEST(host.delivered.at(0).second.serialized_member == nullptr);
    BOOST_TEST(rows_of(unit).at(0).details ==
               R"({"type":)" + std::to_string(static_cast<int>(event_type::child_workflow_execution_completed)) +
                   R"(,"attrs":{"initiated_event_id":3}})");
}

BOOST_AUTO_TEST_CASE(a_message_to_a_run_not_running_here_waits_for_the_commit) {
    host.runs.erase(target_key);
    auto failed = signal_target();
    BOOST_TEST(failed.on_queued.empty());
    BOOST_REQUIRE_EQUAL(failed.effects.size(), 1u);
    failed.effects[0](std::make_exception_ptr(std::runtime_error("the commit failed")));
    BOOST_TEST(host.committed.empty());

    // Committed, it finds no run to record it: its row goes.
    auto committed = signal_target();
    const auto seq = rows_of(committed).at(0).seq;
    committed.effects[0](nullptr);
    BOOST_TEST(host.delivered.empty());
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);
    BOOST_TEST(deletion_in(host.committed[0].ops).seq == seq);
}

BOOST_AUTO_TEST_CASE(a_delivery_to_a_closed_target_deletes_its_row) {
    auto unit = signal_target();
    const auto seq = rows_of(unit).at(0).seq;
    host.runs[target_key].status = run_status::completed;
    unit.on_queued[0]();
    BOOST_TEST(host.delivered.empty());
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);
    const auto d = deletion_in(host.committed[0].ops);
    BOOST_TEST(d.run_key == target_key);
    BOOST_TEST(d.seq == seq);
}

BOOST_AUTO_TEST_CASE(a_nexus_outcome_message_adds_its_crash_point_after_the_commit) {
    write_unit unit;
    box.send(sender_key, event_type::nexus_operation_completed, {{"scheduled_event_id", 5}}, unit);
    // The failpoint, named by PERDURE_FAILPOINT in crash tests; unset, it does nothing.
    BOOST_REQUIRE_EQUAL(unit.effects.size(), 1u);
    unit.effects[0](nullptr);
    BOOST_TEST(unit.on_queued.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_message_is_delivered_again_from_its_row) {
    const auto row = rows_of(signal_target("again")).at(0);
    box.redeliver(row);
    BOOST_REQUIRE_EQUAL(host.delivered.size(), 1u);
    const auto& in = host.delivered[0].second;
    BOOST_TEST((in.e.type == event_type::workflow_execution_signaled));
    BOOST_TEST(in.e.attrs.at("signal_name").as_string() == "again");
    BOOST_TEST(deletion_in(in.ops).seq == row.seq);
}

BOOST_AUTO_TEST_CASE(a_row_naming_no_known_event_is_left_alone) {
    const task_row row{target_key, -4, task_kind::delivery, 0, 0, R"({"type":99999,"attrs":{}})"};
    box.redeliver(row);
    BOOST_TEST(host.delivered.empty());
    BOOST_TEST(host.committed.empty());
}

BOOST_AUTO_TEST_CASE(a_cancel_request_row_is_recorded_then_forgotten_once) {
    write_unit unit;
    box.record_cancel_request(host.runs[sender_key], "nexus", 12, 15, unit);
    const auto rows = rows_of(unit);
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    BOOST_TEST((rows[0].kind == task_kind::cancel));
    BOOST_TEST(rows[0].run_key == sender_key);
    BOOST_TEST(rows[0].details == R"({"target":"nexus","scheduled_event_id":12,"requested_event_id":15})");

    std::vector<write_op> ops;
    box.forget_cancel_request({sender_key, 12}, ops);
    BOOST_TEST(deletion_in(ops).seq == rows[0].seq);
    ops.clear();
    box.forget_cancel_request({sender_key, 12}, ops);
    BOOST_TEST(ops.empty());
}

BOOST_AUTO_TEST_CASE(a_closed_runs_cancel_requests_are_forgotten_without_deleting_rows) {
    write_unit unit;
    box.record_cancel_request(host.runs[sender_key], "activity", 4, 6, unit);
    box.record_cancel_request(host.runs[target_key], "activity", 4, 8, unit);
    box.drop_run(sender_key);   // its rows go with the run's other work
    std::vector<write_op> ops;
    box.forget_cancel_request({sender_key, 4}, ops);
    BOOST_TEST(ops.empty());
    box.forget_cancel_request({target_key, 4}, ops);
    BOOST_TEST(deletion_in(ops).run_key == target_key);
}

BOOST_AUTO_TEST_CASE(recovery_reads_back_the_cancel_requests_of_tracked_runs) {
    const std::int64_t untracked = 40;
    const std::vector<task_row> tasks{
        {sender_key, -9, task_kind::cancel, 0, 0,
         R"({"target":"activity","scheduled_event_id":5,"requested_event_id":8})"},
        {untracked, -8, task_kind::cancel, 0, 0, R"({"target":"nexus","scheduled_event_id":5,"requested_event_id":7})"},
        {target_key, -7, task_kind::cancel, 0, 0, "not json"},
        {target_key, 5, task_kind::activity, 1, 0, "null"},
        {target_key, -6, task_kind::delivery, 0, 0, R"({"type":1,"attrs":{}})"}};
    const auto cancels = box.recover_cancel_requests(tasks);
    BOOST_REQUIRE_EQUAL(cancels.size(), 1u);
    const auto& key = cancels.begin()->first;
    const auto& c = cancels.begin()->second;
    BOOST_TEST(key.run_key == sender_key);
    BOOST_TEST(key.seq == 5);
    BOOST_TEST(c.target == "activity");
    BOOST_TEST(c.requested_event_id == 8);
    BOOST_TEST(host.delivered.empty());   // deliveries wait for the core's order of recovery

    // The recovered row can be forgotten like one recorded in this process.
    std::vector<write_op> ops;
    box.forget_cancel_request({sender_key, 5}, ops);
    BOOST_TEST(deletion_in(ops).seq == -9);
}

BOOST_AUTO_TEST_SUITE_END()
