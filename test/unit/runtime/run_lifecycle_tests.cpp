// The run lifecycle against a host that only records, with real workflow instances: a run's
// events wait for one activation, commands become events after one WorkflowTaskCompleted, an
// evicted run is rebuilt from committed history only, a failing task is recorded once and
// retried, and a close answers the run's waiters once it commits.
#include "runtime/run_lifecycle.hpp"

#include "machines/command.hpp"

#include "support/detail_printing.hpp"
#include "support/error_text.hpp"
#include "support/history_builder.hpp"

#include <perdure/error.hpp>
#include <perdure/perdure.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace perdure;
using namespace perdure::detail;
using perdure::test::history_builder;

namespace {

constexpr std::int64_t ns = 1;

/// Sleeps its input in seconds and returns it; a negative input continues as new with 0.
workflow<int> sleeper(workflow_context& ctx, int seconds) {
    if (seconds < 0) {
        co_await ctx.continue_as_new(0);
        co_return 0;
    }
    if (seconds > 0) co_await ctx.sleep(std::chrono::seconds(seconds));
    co_return seconds;
}
const workflow_def sleeper_def{"Sleeper", &sleeper};

/// Returns a string of its input's length: large enough, more than a payload may be.
workflow<std::string> writer(workflow_context&, int length) {
    co_return std::string(static_cast<std::size_t>(length), 'x');
}
const workflow_def writer_def{"Writer", &writer};

/// Records what the part asks of the engine; runs posted jobs, commits and reads when told.
class recording_host final : public run_lifecycle_host, public queries_and_updates_host {
public:
    std::int64_t now_us() const override { return now; }
    bool started() const override { return is_started; }
    bool running() const override { return true; }
    bool engine_failed() const override { return false; }
    void post_job(unique_function<void()> job) override { jobs.push_back(std::move(job)); }
    void fail(std::exception_ptr e) noexcept override { failure = e; }
    std::uint64_t commit(write_unit&& unit) override {
        const auto seq = ++submitted;
        for (auto key : unit.runs)
            if (auto* r = part->runs().find(key)) r->last_unit = seq;
        units.push_back(std::move(unit));
        return seq;
    }
    std::uint64_t committed_unit() const override { return committed; }
    void read_history(std::int64_t run_key, history_reader then) override {
        reads.emplace_back(run_key, std::move(then));
    }
    std::string namespace_name(std::int64_t) const override { return "orders"; }
    void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) override {
        armed.push_back({due_us, kind, run_key, seq});
    }
    bool admits(run_state&, inbound& in) override { return in.e.type != event_type::nexus_operation_started; }
    std::optional<task_failure> prepare_commands(run_state&, std::vector<command>&) override { return std::nullopt; }
    void react_to_command(run_state&, const event& e, write_unit&) override { reacted.push_back(e.type); }
    void run_closing(run_state& r, const event& close_event, write_unit&) override {
        closing.emplace_back(r.run_key, close_event.type);
    }
    void continue_run(run_state&, const event& close_event, unread_signals unread, write_unit&) override {
        continued.emplace_back(close_event.type, unread.size());
    }
    bool shares_tasks() const override { return shares; }
    // queries_and_updates_host: no test here sends a message
    std::int64_t namespace_id(std::string_view) const override { return ns; }
    run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) override {
        return part->runs().find_open(ns_id, workflow_id);
    }
    void request_activation(run_state& r) override { part->request_activation(r); }
    void read_stored_run(std::int64_t, std::string, std::string, stored_run_reader) override {}
    std::unique_ptr<workflow_instance> replay_instance(const execution_row&) override { return nullptr; }
    bool served_elsewhere(std::int64_t, const std::string&) const override { return shares; }

    run_lifecycle* part = nullptr;
    std::int64_t now = 1'735'689'600'000'000;
    bool is_started = true;
    bool shares = false;   // engines beside run what no worker here serves
    std::deque<unique_function<void()>> jobs;
    std::uint64_t submitted = 0, committed = 0;
    std::vector<write_unit> units;
    std::vector<std::pair<std::int64_t, history_reader>> reads;
    std::vector<wheel_entry> armed;
    std::vector<event_type> reacted;
    std::vector<std::pair<std::int64_t, event_type>> closing;
    std::vector<std::pair<event_type, std::size_t>> continued;
    std::exception_ptr failure;
};

/// What a rebuilt run records when its signal is delivered: the signal and the task that saw it.
const std::vector<event_type> signaled_and_completed{event_type::workflow_execution_signaled,
                                                     event_type::workflow_task_completed};

/// The workflow task offers a unit makes.
std::vector<task_offer> offers_in(const write_unit& unit) {
    std::vector<task_offer> offers;
    for (const auto& op : unit.ops)
        if (const auto* o = std::get_if<offer_task>(&op); o && o->offer->kind == task_kind::workflow)
            offers.push_back(*o->offer);
    return offers;
}

/// What another engine reports for a task over a history ending at `last_event_id`: commands
/// in the form they travel, made by a real instance of `def` for a Sleeper(seconds) run.
workflow_task_command timer_task(std::int64_t run_key, std::int64_t last_event_id, std::int64_t now_us) {
    workflow_instance inst(sleeper_def.function(), workflow_info{"orders", "order-1", "run-order-1", "Sleeper", "far"},
                           0);
    history_builder h;
    h.started(5, "Sleeper");
    auto activation = inst.activate(h.events(), now_us, false);
    workflow_task_command task{run_key, last_event_id, now_us};
    for (const auto& c : *activation.commands) task.commands.push_back(command_to_json(c));
    return task;
}

/// The events a unit records, in order.
std::vector<event_type> events_of(const write_unit& unit) {
    std::vector<event_type> types;
    for (const auto& op : unit.ops)
        if (const auto* e = std::get_if<insert_event>(&op)) types.push_back(e->type);
    return types;
}

inbound signal(std::string name) {
    return inbound{
        event{0, event_type::workflow_execution_signaled, 0, {{"signal_name", std::move(name)}, {"input", nullptr}}}};
}

struct lifecycle_fixture {
    lifecycle_fixture() {
        host.part = &part;
        options.limits.max_payload_bytes = 1024;
        options.workflow_cache_size = 1;
        workers.add_workflow(ns, "q", "Sleeper", sleeper_def.function());
        workers.add_workflow(ns, "q", "Writer", writer_def.function());
        std::int64_t next = 100;
        part.runs().take_keys_from([next]() mutable {
            const key_block block{next, next + 100};
            next += 100;
            return block;
        });
    }

    /// A new run of `type` with its WorkflowExecutionStarted pending, begun in one unit.
    run_state& start(const std::string& type, int input, const std::string& workflow_id = "order-1",
                     const std::string& task_queue = "q") {
        auto owned = std::make_unique<run_state>();
        owned->run_key = part.runs().next_key();
        owned->ns_id = ns;
        owned->workflow_id = workflow_id;
        owned->run_id = "run-" + workflow_id;
        owned->workflow_type = type;
        owned->task_queue = task_queue;
        history_builder h;
        h.started(input, type);
        owned->pending.push_back(inbound{h.events()[0]});
        auto& r = part.runs().add(std::move(owned));
        write_unit unit;
        part.begin(r, unit);
        host.commit(std::move(unit));
        return r;
    }

    /// A committed run of Sleeper(5), "order-1", whose instance the cache dropped for another run's.
    run_state& evicted_run() {
        auto& first = start("Sleeper", 5, "order-1");
        commit_all();
        start("Sleeper", 7, "order-2");
        commit_all();
        return first;
    }
    /// `n` committed runs of Sleeper(i + 1), each without its instance, each signaled at once.
    std::vector<run_state*> signal_evicted_runs(int n) {
        std::vector<run_state*> evicted;
        for (int i = 0; i <= n; ++i) {
            evicted.push_back(&start("Sleeper", i + 1, "order-" + std::to_string(i)));
            commit_all();
        }
        evicted.pop_back();   // the last one keeps the cache's one instance
        for (auto* r : evicted) part.deliver(*r, signal("a"));
        drain();
        return evicted;
    }

    /// Runs what the part posted, until nothing is left.
    void drain() {
        while (!host.jobs.empty()) {
            auto job = std::move(host.jobs.front());
            host.jobs.pop_front();
            job();
        }
    }
    /// The store commits every unit so far (or fails them with `error`).
    void commit_all(std::exception_ptr error = nullptr) {
        auto units = std::exchange(host.units, {});
        host.committed = host.submitted;
        for (auto& unit : units)
            for (auto& effect : unit.effects) effect(error);
        part.on_committed();
    }

    engine_options options;
    worker_registry workers;
    recording_host host;
    queries_and_updates messages{host, 1024};
    run_lifecycle part{host, workers, messages, options};
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(run_lifecycle_on_data, lifecycle_fixture)

BOOST_AUTO_TEST_CASE(a_start_and_its_first_commands_are_recorded_in_one_unit) {
    auto& r = start("Sleeper", 5);
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    const std::vector<event_type> recorded{event_type::workflow_execution_started, event_type::workflow_task_completed,
                                           event_type::timer_started};
    BOOST_TEST(events_of(host.units[0]) == recorded, boost::test_tools::per_element());
    BOOST_TEST(host.reacted == std::vector<event_type>{event_type::timer_started}, boost::test_tools::per_element());
    BOOST_TEST(r.next_event_id == 4);
    BOOST_TEST(!r.owes_activation);
    BOOST_TEST(part.runs().live_instances() == 1u);
}

BOOST_AUTO_TEST_CASE(before_the_engine_starts_a_run_records_its_start_alone_and_owes_an_activation) {
    host.is_started = false;
    auto& r = start("Sleeper", 5);
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_execution_started},
               boost::test_tools::per_element());
    BOOST_TEST(bool(r.owes_activation));
    BOOST_TEST(host.jobs.empty());
}

BOOST_AUTO_TEST_CASE(events_delivered_together_wait_for_one_activation) {
    auto& r = start("Sleeper", 5);
    commit_all();
    part.deliver(r, signal("a"));
    part.deliver(r, signal("b"));
    BOOST_TEST(host.jobs.size() == 1u);
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    const std::vector<event_type> recorded{event_type::workflow_execution_signaled,
                                           event_type::workflow_execution_signaled,
                                           event_type::workflow_task_completed};
    BOOST_TEST(events_of(host.units[0]) == recorded, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_event_the_host_does_not_admit_is_dropped) {
    auto& r = start("Sleeper", 5);
    part.deliver(r, inbound{event{0, event_type::nexus_operation_started, 0, {}}});
    BOOST_TEST(host.jobs.empty());
    BOOST_TEST(r.pending.empty());
}

BOOST_AUTO_TEST_CASE(an_evicted_run_is_rebuilt_from_its_history_once_its_last_unit_commits) {
    auto& first = start("Sleeper", 5, "order-1");
    history_builder h;
    h.started(5, "Sleeper").boundary().timer_started("1", "5s");
    commit_all();
    start("Sleeper", 7, "order-2");   // the cache holds one instance: the first run's goes
    commit_all();
    BOOST_TEST(!first.inst);
    BOOST_TEST(part.runs().live_instances() == 1u);

    part.deliver(first, signal("a"));
    drain();
    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);
    BOOST_TEST(host.reads[0].first == first.run_key);
    auto then = std::move(host.reads[0].second);
    then(nullptr, h.events());
    BOOST_TEST(part.replays() == 1u);
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) == signaled_and_completed, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(runs_needing_their_history_at_once_read_a_bounded_number_at_a_time_and_all_go_on) {
    constexpr int runs = static_cast<int>(run_lifecycle::max_loads_in_flight) + 6;
    const auto evicted = signal_evicted_runs(runs);
    BOOST_REQUIRE_EQUAL(host.reads.size(), run_lifecycle::max_loads_in_flight);

    const auto answer = [&](std::size_t read) {
        const auto key = host.reads[read].first;
        const auto it = std::ranges::find_if(evicted, [&](run_state* r) { return r->run_key == key; });
        BOOST_REQUIRE(it != evicted.end());
        history_builder h;
        const int seconds = static_cast<int>(it - evicted.begin()) + 1;
        h.started(seconds, "Sleeper").boundary().timer_started("1", std::to_string(seconds) + "s");
        auto then = std::move(host.reads[read].second);
        then(nullptr, h.events());
        drain();
    };
    answer(0);   // one read done: the next run's read starts
    BOOST_REQUIRE_EQUAL(host.reads.size(), run_lifecycle::max_loads_in_flight + 1);
    for (std::size_t i = 1; i < host.reads.size(); ++i) answer(i);   // the queue drains as reads finish
    BOOST_TEST(host.reads.size() == static_cast<std::size_t>(runs));
    BOOST_TEST(part.replays() == static_cast<std::size_t>(runs));
    commit_all();
    for (auto* r : evicted) BOOST_TEST(r->next_event_id == 6);   // signaled, task completed: each went on
}

BOOST_AUTO_TEST_CASE(a_queued_read_is_not_made_for_a_run_that_closed_while_it_waited) {
    constexpr int runs = static_cast<int>(run_lifecycle::max_loads_in_flight) + 1;
    const auto evicted = signal_evicted_runs(runs);
    BOOST_REQUIRE_EQUAL(host.reads.size(), run_lifecycle::max_loads_in_flight);
    auto* queued = evicted.back();   // its read waits for a free slot
    write_unit unit;
    part.terminate(*queued, "operator", unit);

    history_builder h;
    h.started(1, "Sleeper").boundary().timer_started("1", "1s");
    auto then = std::move(host.reads[0].second);
    then(nullptr, h.events());
    drain();
    BOOST_TEST(host.reads.size() == run_lifecycle::max_loads_in_flight);   // no read for the closed run
    BOOST_TEST(!queued->loading);
}

BOOST_AUTO_TEST_CASE(a_read_on_its_way_when_the_runs_were_forgotten_is_ignored_once_they_are_taken_back) {
    auto& first = evicted_run();
    part.deliver(first, signal("a"));
    drain();
    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);
    const auto key = first.run_key;
    part.forget_runs();   // another engine took the runs, and recorded the signal meanwhile

    auto taken_back = std::make_unique<run_state>();
    taken_back->run_key = key;
    taken_back->ns_id = ns;
    taken_back->workflow_id = "order-1";
    taken_back->run_id = "run-order-1";
    taken_back->workflow_type = "Sleeper";
    taken_back->task_queue = "q";
    taken_back->next_event_id = 6;
    auto& again = part.runs().add(std::move(taken_back));
    part.deliver(again, signal("b"));
    drain();
    BOOST_REQUIRE_EQUAL(host.reads.size(), 2u);

    history_builder before, after;
    before.started(5, "Sleeper").boundary().timer_started("1", "5s");
    after.started(5, "Sleeper").boundary().timer_started("1", "5s");
    after.add(event_type::workflow_execution_signaled, {{"signal_name", "a"}, {"input", nullptr}}).boundary();
    auto stale = std::move(host.reads[0].second);
    stale(nullptr, before.events());   // three events where five are recorded: not taken as corrupt
    BOOST_TEST(part.replays() == 0u);
    BOOST_TEST(!again.blocked);
    auto fresh = std::move(host.reads[1].second);
    fresh(nullptr, after.events());
    BOOST_TEST(part.replays() == 1u);
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) == signaled_and_completed, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_run_begun_in_the_callers_unit_keeps_its_instance_until_that_unit_commits) {
    start("Sleeper", 5, "order-1");   // not committed: its instance cannot go
    auto& second = start("Sleeper", 7, "order-2");
    BOOST_TEST(second.inst != nullptr);   // the cache is over its one instance, and nothing was replayed
    BOOST_TEST(part.runs().live_instances() == 2u);
    commit_all();
    BOOST_TEST(part.runs().live_instances() == 1u);
    BOOST_TEST(second.inst != nullptr);   // the least recently used went
    BOOST_TEST(part.replays() == 0u);
}

BOOST_AUTO_TEST_CASE(a_starting_run_drops_instances_a_large_batch_left_over_the_cache) {
    for (int i = 0; i < 100; ++i) start("Sleeper", i, "order-" + std::to_string(i));
    commit_all();   // one batch of 100 starts: the cache is over its one instance by many
    auto& next = start("Sleeper", 100, "order-100");
    BOOST_TEST(part.runs().live_instances() == 1u);   // the new run's, which its unit still needs
    BOOST_TEST(next.inst != nullptr);
}

BOOST_AUTO_TEST_CASE(a_run_whose_events_are_not_committed_is_not_replayed_before_they_are) {
    auto& first = evicted_run();
    first.last_unit = ++host.submitted;   // a unit not yet committed wrote to the run
    part.deliver(first, signal("a"));
    drain();
    BOOST_TEST(host.reads.empty());
    commit_all();
    BOOST_TEST(host.reads.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_history_shorter_than_recorded_fails_the_task_as_corrupt_and_blocks_the_run) {
    auto& first = evicted_run();
    part.deliver(first, signal("a"));
    drain();
    history_builder h;
    h.started(5, "Sleeper");   // events 2 and 3 are missing
    auto then = std::move(host.reads[0].second);
    then(nullptr, h.events());
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) ==
                   (std::vector<event_type>{event_type::workflow_execution_signaled, event_type::workflow_task_failed}),
               boost::test_tools::per_element());
    BOOST_TEST(bool(first.blocked));
    BOOST_TEST(bool(first.owes_activation));
    BOOST_TEST(test::contains(*first.task_failure_message, "ends at event 1 but 3 events were recorded"));
    BOOST_TEST(host.armed.empty());   // not retried until the process restarts
}

BOOST_AUTO_TEST_CASE(a_type_the_queue_does_not_know_fails_the_task_once_naming_what_is_registered) {
    host.is_started = false;
    auto& r = start("Shipper", 1);
    commit_all();
    host.is_started = true;
    part.request_activation(r);
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_task_failed},
               boost::test_tools::per_element());
    BOOST_TEST(test::contains(*r.task_failure_message, "registered there: Sleeper, Writer"));
    BOOST_REQUIRE_EQUAL(host.armed.size(), 1u);
    BOOST_TEST(host.armed[0].due_us == host.now + 1'000'000);   // retried after a second
    // The retry fails again, recording nothing more in history, and backs off twice as long.
    r.owes_activation = true;
    part.request_activation(r);
    drain();
    BOOST_TEST(events_of(host.units[1]).empty());
    BOOST_TEST(host.armed[1].due_us == host.now + 2'000'000);
}

BOOST_AUTO_TEST_CASE(an_oversized_command_fails_the_task_with_temporals_cause_and_terminates_the_run) {
    auto& r = start("Writer", 6000);
    BOOST_TEST(events_of(host.units[0]) ==
                   (std::vector<event_type>{event_type::workflow_execution_started, event_type::workflow_task_failed,
                                            event_type::workflow_execution_terminated}),
               boost::test_tools::per_element());
    bool cause_named = false;
    for (const auto& op : host.units[0].ops)
        if (const auto* e = std::get_if<insert_event>(&op); e && e->type == event_type::workflow_task_failed)
            cause_named =
                test::contains(e->attrs, "WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES");
    BOOST_TEST(cause_named);
    BOOST_TEST(r.status == run_status::terminated);
    BOOST_TEST(host.armed.empty());   // no retry of a task that would fail the same way
}

BOOST_AUTO_TEST_CASE(a_completed_run_answers_its_waiters_once_the_close_commits_and_is_forgotten) {
    auto& r = start("Sleeper", 0);
    const auto key = r.run_key;
    bool heard = false;
    r.clients_or_new().result_waiters.push_back([&](std::exception_ptr e, const event* close) {
        heard = !e && close && close->type == event_type::workflow_execution_completed;
    });
    BOOST_TEST(r.status == run_status::completed);
    BOOST_REQUIRE_EQUAL(host.closing.size(), 1u);
    BOOST_TEST(host.closing[0].second == event_type::workflow_execution_completed);
    BOOST_TEST(!heard);
    commit_all();
    BOOST_TEST(heard);
    BOOST_TEST(!part.runs().find(key));
}

BOOST_AUTO_TEST_CASE(an_event_for_a_closed_run_fails_its_waiter) {
    auto& r = start("Sleeper", 0);
    auto in = signal("late");
    std::string heard;
    in.on_recorded.push_back([&](std::exception_ptr e) {
        heard = test::message_of<failed_precondition>([&] { std::rethrow_exception(e); });
    });
    part.deliver(r, std::move(in));
    BOOST_TEST(test::contains(heard, "closed before the event was recorded"));
}

BOOST_AUTO_TEST_CASE(continue_as_new_closes_the_run_then_hands_the_chain_on) {
    auto& r = start("Sleeper", -1);
    BOOST_TEST(r.status == run_status::continued_as_new);
    BOOST_REQUIRE_EQUAL(host.continued.size(), 1u);
    BOOST_TEST(host.continued[0].first == event_type::workflow_execution_continued_as_new);
}

BOOST_AUTO_TEST_CASE(terminating_records_the_close_and_fails_what_was_pending) {
    auto& r = start("Sleeper", 5);
    commit_all();
    auto in = signal("late");
    bool failed = false;
    in.on_recorded.push_back([&](std::exception_ptr e) { failed = e != nullptr; });
    r.pending.push_back(std::move(in));
    write_unit unit;
    part.terminate(r, "operator", unit);
    BOOST_TEST(failed);
    BOOST_TEST(r.status == run_status::terminated);
    BOOST_TEST(!r.inst);
    BOOST_TEST(events_of(unit) == std::vector<event_type>{event_type::workflow_execution_terminated},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_run_past_the_history_limit_is_terminated_saying_what_to_do) {
    options.limits.max_history_events = 2;
    auto& r = start("Sleeper", 5);
    BOOST_TEST(r.status == run_status::terminated);
    BOOST_TEST(events_of(host.units[0]).back() == event_type::workflow_execution_terminated);
}

BOOST_AUTO_TEST_CASE(failing_tasks_lists_each_running_workflow_whose_task_fails) {
    host.is_started = false;
    auto& unknown = start("Shipper", 1, "unknown");   // a type the queue does not know: its task fails
    commit_all();
    host.is_started = true;
    part.request_activation(unknown);
    drain();
    start("Sleeper", 5, "fine");
    start("Writer", 6000, "big");   // terminated: no task of it fails any more
    const auto failing = part.failing_tasks();
    BOOST_REQUIRE_EQUAL(failing.size(), 1u);
    BOOST_TEST(test::contains(failing[0], "workflow unknown: "));
}

BOOST_AUTO_TEST_CASE(a_run_whose_queue_no_worker_here_serves_has_its_task_offered_to_the_engines_beside) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_execution_started},
               boost::test_tools::per_element());
    const auto offers = offers_in(host.units[0]);   // with the start, in its unit
    BOOST_REQUIRE_EQUAL(offers.size(), 1u);
    BOOST_TEST(offers[0].run_key == r.run_key);
    BOOST_TEST(offers[0].seq == 0);
    BOOST_TEST(offers[0].task_queue == "far");
    BOOST_TEST(offers[0].type == "Sleeper");
    BOOST_TEST(offers[0].claim_ms == 10'000);   // Temporal's workflow task timeout
    BOOST_TEST(bool(r.task_offered));

    // Without engines beside (SQLite), it waits for a worker as before.
    host.shares = false;
    start("Sleeper", 5, "order-2", "far");
    BOOST_TEST(offers_in(host.units[1]).empty());
}

BOOST_AUTO_TEST_CASE(the_commands_another_engine_reports_are_recorded_as_an_activations_and_only_once) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    auto task = timer_task(r.run_key, 1, host.now + 7);
    BOOST_TEST(part.complete_elsewhere(r, task));
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    const auto& unit = host.units[0];
    BOOST_TEST(
        events_of(unit) == (std::vector<event_type>{event_type::workflow_task_completed, event_type::timer_started}),
        boost::test_tools::per_element());
    BOOST_TEST(std::get<insert_event>(unit.ops[1]).time_us == host.now + 7);   // the time the workflow saw
    BOOST_TEST(std::holds_alternative<withdraw_task>(unit.ops[0]));
    BOOST_TEST(host.reacted == std::vector<event_type>{event_type::timer_started}, boost::test_tools::per_element());
    BOOST_TEST(!r.owes_activation);
    BOOST_TEST(!r.task_offered);
    BOOST_TEST(!part.complete_elsewhere(r, task));   // reported twice: the second changes nothing
    BOOST_TEST(host.units.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_report_on_a_history_that_grew_is_refused_and_the_task_offered_again_at_its_end) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    part.deliver(r, signal("hurry"));
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_execution_signaled},
               boost::test_tools::per_element());
    BOOST_TEST(offers_in(host.units[0]).size() == 1u);   // offered again, with the signal
    auto stale = timer_task(r.run_key, 1, host.now);
    BOOST_TEST(!part.complete_elsewhere(r, stale));
    BOOST_TEST(host.units.size() == 1u);
    auto current = timer_task(r.run_key, 2, host.now);
    BOOST_TEST(part.complete_elsewhere(r, current));
    BOOST_TEST(events_of(host.units[1]).front() == event_type::workflow_task_completed);
}

BOOST_AUTO_TEST_CASE(a_report_on_a_run_a_worker_here_now_runs_is_refused_and_its_offer_withdrawn) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    // Restarted with a worker on the queue: the run is this engine's, the old offer still stands.
    workers.add_workflow(ns, "far", "Sleeper", sleeper_def.function());
    r.task_offered = false;
    auto task = timer_task(r.run_key, r.next_event_id - 1, host.now);
    BOOST_TEST(!part.complete_elsewhere(r, task));
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_REQUIRE_EQUAL(host.units[0].ops.size(), 1u);
    const auto& withdrawn = std::get<withdraw_task>(host.units[0].ops[0]);
    BOOST_TEST(withdrawn.run_key == r.run_key);
    BOOST_TEST(withdrawn.seq == 0);
}

BOOST_AUTO_TEST_CASE(a_failure_another_engine_reports_is_recorded_and_retried_even_for_nondeterminism) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    workflow_task_command failed{r.run_key, 1, host.now};
    failed.failure = {{"cause", static_cast<int>(task_failure::cause::nondeterminism)}, {"message", "changed code"}};
    BOOST_TEST(part.complete_elsewhere(r, failed));
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_task_failed},
               boost::test_tools::per_element());
    BOOST_TEST(test::contains(*r.task_failure_message, "changed code"));
    BOOST_TEST(!r.blocked);   // its code may be fixed there, without this engine restarting
    BOOST_REQUIRE_EQUAL(host.armed.size(), 1u);
    BOOST_TEST((host.armed[0].kind == wheel_kind::task_retry));
    // The retry offers the task again, at the history's new end.
    part.request_activation(r);
    drain();
    BOOST_TEST(offers_in(host.units.back()).size() == 1u);
    BOOST_TEST(bool(r.task_offered));
}

BOOST_AUTO_TEST_CASE(a_query_of_a_run_another_engine_runs_is_offered_after_the_events_queued_before_it) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    const auto query_offers = [](const write_unit& unit) {
        return std::count_if(unit.ops.begin(), unit.ops.end(), [](const write_op& op) {
            const auto* o = std::get_if<offer_task>(&op);
            return o && o->offer->kind == task_kind::query;
        });
    };
    int heard = 0;
    const auto ask = [&] {
        messages.query("orders", "order-1", "", "status", nullptr,
                       [&](std::exception_ptr, boost::json::value) { ++heard; });
    };
    part.deliver(r, signal("hurry"));
    ask();
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 2u);
    BOOST_TEST(events_of(host.units[0]) == std::vector<event_type>{event_type::workflow_execution_signaled},
               boost::test_tools::per_element());
    BOOST_TEST(offers_in(host.units[0]).size() == 1u);   // the workflow task, at the signal
    BOOST_TEST(query_offers(host.units[1]) == 1);        // then the query, which sees it
    commit_all();

    // A query alone asks for no workflow task.
    ask();
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(query_offers(host.units[0]) == 1);
    BOOST_TEST(offers_in(host.units[0]).empty());
    BOOST_TEST(heard == 0);   // answered by the engine beside
}

BOOST_AUTO_TEST_CASE(an_update_of_a_run_another_engine_runs_goes_with_its_task_and_is_settled_by_the_report) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    std::vector<std::string> heard;
    const auto update = [&](const std::string& id, int arg) {
        messages.update(
            "orders", "order-1", "", "approve", arg, id, [&heard](std::exception_ptr e, boost::json::value v) {
                heard.push_back(e ? test::message_of<update_rejected_error>([&] { std::rethrow_exception(e); })
                                  : boost::json::serialize(v));
            });
    };
    update("u1", 3);
    update("u1", 3);   // retried: waits for the first one's outcome
    drain();
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    auto offers = offers_in(host.units[0]);   // offered again, carrying it
    BOOST_REQUIRE_EQUAL(offers.size(), 1u);
    BOOST_TEST(offers[0].details == R"({"updates":[{"id":"u1","name":"approve","arg":3}]})");
    commit_all();

    // It came in before the task was claimed; another, after.
    update("u2", 4);
    drain();
    commit_all();
    auto task = timer_task(r.run_key, r.next_event_id - 1, host.now + 7);
    task.updates =
        boost::json::parse(R"([{"id":"u1","result":"accepted"},{"id":"u9","result":"accepted"}])").as_array();
    BOOST_TEST(part.complete_elsewhere(r, task));
    BOOST_REQUIRE_EQUAL(host.units.size(), 1u);
    BOOST_TEST(events_of(host.units[0]) ==
                   (std::vector<event_type>{event_type::workflow_execution_update_accepted,
                                            event_type::workflow_task_completed, event_type::timer_started}),
               boost::test_tools::per_element());   // an id never offered changes nothing
    const auto& accepted = std::get<insert_event>(host.units[0].ops[1]);
    BOOST_TEST(accepted.time_us == host.now + 7);
    BOOST_TEST(boost::json::parse(accepted.attrs).at("accepted_request").at("input").at("args").as_int64() == 3);
    BOOST_TEST(heard.empty());           // they hear its completion
    offers = offers_in(host.units[0]);   // the one that came later goes with the next task
    BOOST_REQUIRE_EQUAL(offers.size(), 1u);
    BOOST_TEST(offers[0].details == R"({"updates":[{"id":"u2","name":"approve","arg":4}]})");
    commit_all();

    auto next = timer_task(r.run_key, r.next_event_id - 1, host.now + 9);
    next.commands.clear();
    next.updates = boost::json::parse(R"([{"id":"u2","result":"rejected","message":"too late"}])").as_array();
    BOOST_TEST(part.complete_elsewhere(r, next));
    BOOST_TEST(heard == std::vector<std::string>{"update 'approve' was rejected: too late"},
               boost::test_tools::per_element());
    BOOST_TEST(offers_in(host.units.at(0)).empty());

    // Known there (it completed in an earlier task): its recorded outcome answers the caller.
    commit_all();
    heard.clear();
    update("u3", 5);
    drain();
    commit_all();
    auto known = timer_task(r.run_key, r.next_event_id - 1, host.now + 11);
    known.commands.clear();
    known.updates = boost::json::parse(R"([{"id":"u3","result":"known","outcome":{"success":"ok"}}])").as_array();
    BOOST_TEST(part.complete_elsewhere(r, known));
    BOOST_TEST(heard == std::vector<std::string>{R"("ok")"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_command_another_engine_reports_that_cannot_be_read_fails_the_task) {
    host.shares = true;
    auto& r = start("Sleeper", 5, "order-1", "far");
    commit_all();
    for (const char* bad : {R"({"kind":99,"attributes":{}})", R"({"kind":2})", R"([2])",
                            R"({"kind":2,"attributes":{},"search_attributes":{"A":{"type":"Int","value":"x"}}})"}) {
        workflow_task_command task{r.run_key, r.next_event_id - 1, host.now};
        task.commands.push_back(boost::json::parse(bad));
        r.task_offered = true;
        BOOST_TEST(part.complete_elsewhere(r, task));
        BOOST_TEST(test::contains(*r.task_failure_message, "a workflow task's command"));
    }
}

BOOST_AUTO_TEST_SUITE_END()
