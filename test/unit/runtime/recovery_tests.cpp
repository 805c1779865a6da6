// Recovery on data: which open runs owe an activation, and how stored deadlines and tasks are
// handed back at start() against a host that only records (cancel requests before the tasks
// they address, tasks of runs no longer tracked skipped, deliveries sent again).
#include "runtime/recovery.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace perdure::detail;

namespace {

open_run_row open_row(std::int64_t run_key, event_type last, std::int64_t last_id = 4) {
    open_run_row row;
    row.exec.run_key = run_key;
    row.exec.ns_id = 1;
    row.exec.workflow_id = "order-" + std::to_string(run_key);
    row.exec.run_id = "run-" + std::to_string(run_key);
    row.exec.first_run_id = row.exec.run_id.str();
    row.last_event_id = last_id;
    row.last_event_type = static_cast<int>(last);
    return row;
}

class recording_host final : public recovery_host {
public:
    explicit recording_host(run_table& runs) : runs_(runs) {}
    run_state* find_run(std::int64_t run_key) override { return runs_.find(run_key); }
    void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) override {
        armed.push_back({due_us, kind, run_key, seq});
    }
    std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) override {
        if (run_key == run_without_events) return std::nullopt;
        return event{event_id, event_type::activity_task_scheduled, 0, {}};
    }
    std::map<task_key, cancel_request> cancel_requests_among(const std::vector<task_row>&) override { return cancels; }
    void redeliver(const task_row& row) override { log.push_back("redeliver " + std::to_string(row.seq)); }
    void resume_activity(run_state& r, const event& scheduled, const task_row&,
                         std::int64_t cancel_requested_event_id) override {
        log.push_back("activity " + std::to_string(r.run_key) + "/" + std::to_string(scheduled.id) +
                      (cancel_requested_event_id ? " cancelled at " + std::to_string(cancel_requested_event_id) : ""));
    }
    void resume_operation(run_state& r, const event& scheduled, const task_row&,
                          std::int64_t cancel_requested_event_id) override {
        log.push_back("operation " + std::to_string(r.run_key) + "/" + std::to_string(scheduled.id) + " cancel " +
                      std::to_string(cancel_requested_event_id));
    }
    void resume_operation_cancel(run_state& r, std::int64_t scheduled_event_id,
                                 std::int64_t requested_event_id) override {
        log.push_back("operation cancel " + std::to_string(r.run_key) + "/" + std::to_string(scheduled_event_id) +
                      " at " + std::to_string(requested_event_id));
    }
    void request_activation(run_state& r) override { activated.push_back(r.run_key); }

    std::int64_t run_without_events = -1;
    std::map<task_key, cancel_request> cancels;
    std::vector<wheel_entry> armed;
    std::vector<std::string> log;
    std::vector<std::int64_t> activated;

private:
    run_table& runs_;
};

struct recovery_fixture {
    run_table runs;
    recording_host host{runs};
    run_state& track(std::int64_t run_key, event_type last = event_type::workflow_task_completed) {
        return runs.add(recovered_run(open_row(run_key, last)));
    }
};

task_row task(std::int64_t run_key, std::int64_t seq, task_kind kind) {
    task_row t;
    t.run_key = run_key;
    t.seq = seq;
    t.kind = kind;
    return t;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(recovery_on_data)

BOOST_AUTO_TEST_CASE(a_run_owes_an_activation_unless_its_history_ends_with_the_workflows_own_answer) {
    BOOST_TEST(bool(recovered_run(open_row(1, event_type::workflow_execution_started))->owes_activation));
    BOOST_TEST(bool(recovered_run(open_row(1, event_type::activity_task_completed))->owes_activation));
    BOOST_TEST(bool(recovered_run(open_row(1, event_type::timer_fired))->owes_activation));
    BOOST_TEST(!recovered_run(open_row(1, event_type::workflow_task_completed))->owes_activation);
    BOOST_TEST(!recovered_run(open_row(1, event_type::activity_task_scheduled))->owes_activation);
}

BOOST_AUTO_TEST_CASE(a_recovered_run_continues_its_history_and_keeps_its_identity) {
    auto row = open_row(7, event_type::timer_started, 12);
    row.exec.task_failure = "workflow task failed: boom";
    row.exec.task_queue = "orders";
    const auto r = recovered_run(row);
    BOOST_TEST(r->next_event_id == 13);
    BOOST_TEST(*r->task_failure_message == "workflow task failed: boom");
    BOOST_TEST(r->task_queue == "orders");
    BOOST_TEST(r->first_run_id->empty());   // its own id is not held twice
    BOOST_TEST(r->first_run_id_or_own() == "run-7");
}

BOOST_FIXTURE_TEST_CASE(stored_deadlines_of_tracked_runs_are_armed_again, recovery_fixture) {
    auto& r = track(1);
    resume_work(host,
                {{1, deadline_kind::timer, 5, 9'000},
                 {1, deadline_kind::workflow_backoff, 0, 4'000},
                 {99, deadline_kind::timer, 5, 1'000}},   // a run no longer tracked
                {}, runs);
    BOOST_TEST(host.armed.size() == 2u);
    BOOST_TEST((host.armed[0].kind == wheel_kind::timer && host.armed[0].due_us == 9'000));
    BOOST_TEST(bool(r.in_backoff));   // the run waits out its backoff before it runs
    BOOST_TEST((host.armed[1].kind == wheel_kind::workflow_backoff && host.armed[1].due_us == 4'000));
}

BOOST_FIXTURE_TEST_CASE(tasks_resume_with_their_scheduled_event_and_deliveries_go_again, recovery_fixture) {
    track(1);
    track(2);
    host.run_without_events = 2;
    resume_work(host, {},
                {task(1, 5, task_kind::activity), task(1, 8, task_kind::nexus), task(-3, -3, task_kind::delivery),
                 task(2, 5, task_kind::activity), task(42, 5, task_kind::activity)},
                runs);
    BOOST_TEST(host.log == (std::vector<std::string>{"activity 1/5", "operation 1/8 cancel 0", "redeliver -3"}));
}

BOOST_FIXTURE_TEST_CASE(a_cancel_request_reaches_the_task_it_addresses_in_the_right_way, recovery_fixture) {
    track(1);
    host.cancels[{1, 5}] = {"activity", 5, 9};
    host.cancels[{1, 8}] = {"nexus", 8, 10};     // not started: it starts knowing of the cancel
    host.cancels[{1, 11}] = {"nexus", 11, 12};   // started: hears the cancel again
    resume_work(host, {}, {task(1, 5, task_kind::activity), task(1, 8, task_kind::nexus)}, runs);
    BOOST_TEST(host.log == (std::vector<std::string>{"operation cancel 1/11 at 12", "activity 1/5 cancelled at 9",
                                                     "operation 1/8 cancel 10"}));
}

BOOST_FIXTURE_TEST_CASE(a_cancel_for_a_closed_run_is_not_resumed, recovery_fixture) {
    track(1).status = run_status::completed;
    host.cancels[{1, 11}] = {"nexus", 11, 12};
    resume_work(host, {}, {}, runs);
    BOOST_TEST(host.log.empty());
}

BOOST_FIXTURE_TEST_CASE(each_run_that_owes_an_activation_gets_one, recovery_fixture) {
    track(1, event_type::workflow_execution_signaled);
    track(2);
    track(3, event_type::workflow_execution_started);
    resume_work(host, {}, {}, runs);
    std::sort(host.activated.begin(), host.activated.end());
    BOOST_TEST(host.activated == (std::vector<std::int64_t>{1, 3}));
}

BOOST_AUTO_TEST_SUITE_END()
