// Queries and updates against a host that only records, with a real workflow instance: when a
// query is answered (once what it reflects is committed) and when it fails, a query on a closed
// run answered from its replayed history, and an update's way from validation to its outcome,
// deduplicated by update id.
#include "runtime/queries_and_updates.hpp"

#include "machines/command.hpp"
#include "replay/replayer.hpp"
#include "runtime/claimed_workflow_tasks.hpp"

#include "support/error_text.hpp"
#include "support/history_builder.hpp"

#include <perdure/error.hpp>
#include <perdure/perdure.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace perdure;
using namespace perdure::detail;
using perdure::test::contains;
using perdure::test::history_builder;

namespace {

constexpr std::int64_t ns = 1, run_key = 10;
constexpr std::size_t payload_limit = 256;

/// Starts at its input; "add" updates add a positive amount and give the new count; "count"
/// queries it; returns the count once signaled "stop" (true).
workflow<int> counter(workflow_context& ctx, int start) {
    int count = start;
    ctx.set_query_handler("count", [&] { return count; });
    ctx.set_update_handler(
        "add",
        [&](int n) -> workflow<int> {
            count += n;
            co_return count;
        },
        [](const int& n) {
            if (n < 0) throw std::invalid_argument("only positive amounts");
        });
    auto stop = ctx.signal_channel<bool>("stop");
    const bool stopped = co_await stop.receive();
    co_return stopped ? count : 0;
}
const workflow_def counter_def{"Counter", &counter};

std::unique_ptr<workflow_instance> counter_instance(const std::string& workflow_id, const std::string& run_id) {
    return std::make_unique<workflow_instance>(
        counter_def.function(), workflow_info{"orders", workflow_id, run_id, "Counter", "q", 1, run_id, ""}, 0);
}

/// Records what the part asks of the engine; the runs and the stored runs are the test's.
class recording_host final : public queries_and_updates_host {
public:
    std::int64_t now_us() const override { return now; }
    std::int64_t namespace_id(std::string_view name) const override {
        if (name != "orders") throw not_found("namespace " + std::string(name) + " not found (known: orders)");
        return ns;
    }
    run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) override {
        for (auto& [key, r] : runs)
            if (r.ns_id == ns_id && r.workflow_id == workflow_id) return &r;
        return nullptr;
    }
    void request_activation(run_state& r) override { activations.push_back(r.run_key); }
    std::uint64_t commit(write_unit&& unit) override {
        committed.push_back(std::move(unit));
        return committed.size();
    }
    void read_stored_run(std::int64_t ns_id, std::string workflow_id, std::string run_id,
                         stored_run_reader then) override {
        reads.push_back({ns_id, std::move(workflow_id), std::move(run_id), std::move(then)});
    }
    std::unique_ptr<workflow_instance> replay_instance(const execution_row& row) override {
        if (!registered) return nullptr;
        ++replays;
        return counter_instance(row.workflow_id, row.run_id.str());
    }
    bool served_elsewhere(std::int64_t, const std::string&) const override { return elsewhere; }

    struct stored_read {
        std::int64_t ns_id;
        std::string workflow_id, run_id;
        stored_run_reader then;
    };

    std::int64_t now = 1'000'000;
    bool registered = true;
    bool elsewhere = false;   // engines beside serve the run's queue
    std::map<std::int64_t, run_state> runs;
    std::vector<std::int64_t> activations;
    std::vector<write_unit> committed;
    std::vector<stored_read> reads;
    int replays = 0;
};

/// What a client heard: nothing yet, an answer or an error.
struct heard {
    bool called = false;
    std::exception_ptr error;
    boost::json::value value;
    int calls = 0;
};

message_callback into(std::shared_ptr<heard> h) {
    return [h](std::exception_ptr e, boost::json::value v) {
        h->called = true;
        ++h->calls;
        h->error = e;
        h->value = std::move(v);
    };
}

/// The message of the error a client heard, if it is an E.
template <class E>
std::string error_of(const heard& h) {
    if (!h.error) return "no error";
    return perdure::test::message_of<E>([&] { std::rethrow_exception(h.error); });
}

struct messages_fixture {
    messages_fixture() {
        auto& r = host.runs[run_key];
        r.run_key = run_key;
        r.ns_id = ns;
        r.workflow_id = "counter";
        r.run_id = "run-1";
        r.next_event_id = 3;
        // The run's first activation: its instance is live and waits for "stop".
        r.inst = counter_instance("counter", "run-1");
        history_builder h;
        h.started(5, "Counter");
        BOOST_REQUIRE(!r.inst->activate(h.events(), host.now, false).failure);
    }

    run_state& run() { return host.runs[run_key]; }

    std::shared_ptr<heard> query(std::string name, std::string workflow_id = "counter", std::string run_id = "") {
        auto h = std::make_shared<heard>();
        part.query("orders", std::move(workflow_id), std::move(run_id), std::move(name), nullptr, into(h));
        return h;
    }

    std::shared_ptr<heard> update(boost::json::value amount, std::string id, std::string workflow_id = "counter") {
        auto h = std::make_shared<heard>();
        part.update("orders", std::move(workflow_id), "", "add", std::move(amount), std::move(id), into(h));
        return h;
    }

    /// The store commits every unit the part committed (or fails them with `error`).
    void commit_all(std::exception_ptr error = nullptr) {
        for (auto& unit : std::exchange(host.committed, {}))
            for (auto& effect : unit.effects) effect(error);
    }

    /// The run's next activation records what is pending (an accepted update runs its handler);
    /// each WorkflowExecutionUpdateCompleted its commands become is handed to the part in `unit`.
    void activate(write_unit& unit) {
        auto& r = run();
        std::vector<event> inbound;
        for (auto& in : std::exchange(r.pending, {})) {
            in.e.id = r.next_event_id++;
            inbound.push_back(std::move(in.e));
        }
        auto result = r.inst->activate(inbound, host.now, false);
        BOOST_REQUIRE(!result.failure);
        ++r.next_event_id;   // WorkflowTaskCompleted
        for (auto& c : *result.commands) {
            const event e{r.next_event_id++, event_type_of(c.kind), host.now, c.attrs};
            if (e.type == event_type::workflow_execution_update_completed) part.update_completed(r, e, unit);
        }
    }

    recording_host host;
    queries_and_updates part{host, payload_limit};
};

/// A closed run of the counter that started at 5 and was stopped.
stored_run stopped_counter() {
    history_builder h;
    h.started(5, "Counter").boundary();
    h.add(event_type::workflow_execution_signaled, {{"signal_name", "stop"}, {"input", true}}).boundary();
    h.completed(5);
    stored_run run;
    run.row.ns_id = ns;
    run.row.workflow_id = "counter";
    run.row.run_id = "run-0";
    run.row.workflow_type = "Counter";
    run.row.task_queue = "q";
    run.row.status = run_status::completed;
    run.history = h.events();
    return run;
}

}   // namespace

BOOST_FIXTURE_TEST_SUITE(queries_and_updates_on_data, messages_fixture)

// ---------------------------------------------------------------- queries

BOOST_AUTO_TEST_CASE(a_query_waits_for_a_live_instance_and_for_what_it_reflects_to_commit) {
    auto h = query("count");
    BOOST_TEST(host.activations.size() == 1u);
    BOOST_TEST(!h->called);
    part.serve(run());
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);
    BOOST_TEST(host.committed[0].ops.empty());   // a query records nothing
    BOOST_TEST(!h->called);                      // the run's pending events may not be committed yet
    commit_all();
    BOOST_REQUIRE(h->called);
    BOOST_TEST(!h->error);
    BOOST_TEST(h->value.as_int64() == 5);
    BOOST_TEST(!run().clients);   // nobody waits any more
}

BOOST_AUTO_TEST_CASE(a_query_whose_commit_fails_hears_the_commit_error) {
    auto h = query("count");
    part.serve(run());
    commit_all(std::make_exception_ptr(storage_error("disk full")));
    BOOST_TEST(contains(error_of<storage_error>(*h), "disk full"));
}

BOOST_AUTO_TEST_CASE(a_query_without_a_handler_fails_naming_the_known_ones) {
    auto h = query("size");
    part.serve(run());
    commit_all();
    const auto message = error_of<query_failed_error>(*h);
    BOOST_TEST(contains(message, "no query handler named 'size'"), message);
    BOOST_TEST(contains(message, "known: count"), message);
}

BOOST_AUTO_TEST_CASE(a_query_to_a_run_that_fails_its_task_is_failed_with_why) {
    auto h = query("count");
    const std::string why = "workflow counter is blocked by a failing workflow task; fix the code and restart";
    part.fail_queries(run(), why);
    BOOST_TEST(error_of<query_failed_error>(*h) == why);
    BOOST_TEST(host.committed.empty());
    part.serve(run());   // nothing is left to answer
    BOOST_TEST(host.committed.empty());
    BOOST_TEST(h->calls == 1);
}

BOOST_AUTO_TEST_CASE(a_query_to_an_unknown_namespace_is_not_found) {
    auto h = std::make_shared<heard>();
    part.query("billing", "counter", "", "count", nullptr, into(h));
    BOOST_TEST(contains(error_of<not_found>(*h), "namespace billing not found"));
    BOOST_TEST(host.activations.empty());
    BOOST_TEST(host.reads.empty());
}

BOOST_AUTO_TEST_CASE(a_query_on_a_closed_run_is_answered_from_its_replayed_history) {
    auto h = query("count", "counter", "run-0");   // an earlier run of the workflow id
    BOOST_TEST(host.activations.empty());
    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);
    BOOST_TEST(host.reads[0].ns_id == ns);
    BOOST_TEST(host.reads[0].workflow_id == "counter");
    BOOST_TEST(host.reads[0].run_id == "run-0");
    host.reads[0].then(nullptr, stopped_counter());
    BOOST_REQUIRE(h->called);
    BOOST_TEST(!h->error);
    BOOST_TEST(h->value.as_int64() == 5);
    BOOST_TEST(host.replays == 1);
    BOOST_TEST(host.committed.empty());
}

BOOST_AUTO_TEST_CASE(a_query_on_a_run_that_is_not_stored_is_not_found) {
    auto latest = query("count", "gone");
    auto of_run = query("count", "gone", "run-9");
    BOOST_REQUIRE_EQUAL(host.reads.size(), 2u);
    host.reads[0].then(nullptr, std::nullopt);
    host.reads[1].then(nullptr, std::nullopt);
    BOOST_TEST(error_of<not_found>(*latest) == "workflow gone not found");
    BOOST_TEST(error_of<not_found>(*of_run) == "workflow gone (run run-9) not found");
    BOOST_TEST(host.replays == 0);
}

BOOST_AUTO_TEST_CASE(a_query_on_a_closed_run_hears_the_stores_error) {
    auto h = query("count", "gone");
    host.reads.at(0).then(std::make_exception_ptr(storage_error("disk I/O error")), std::nullopt);
    BOOST_TEST(contains(error_of<storage_error>(*h), "disk I/O error"));
}

BOOST_AUTO_TEST_CASE(a_query_on_a_closed_run_no_worker_can_replay_fails_saying_so) {
    host.registered = false;
    auto h = query("count", "counter", "run-0");
    host.reads.at(0).then(nullptr, stopped_counter());
    BOOST_TEST(error_of<query_failed_error>(*h) ==
               "no worker registers workflow type Counter on task queue q to answer the query");
}

BOOST_AUTO_TEST_CASE(a_query_on_a_closed_run_whose_history_does_not_replay_fails_saying_why) {
    auto h = query("count", "counter", "run-0");
    auto run = stopped_counter();
    run.history.pop_back();   // the completion is gone; instead a command the code never gives
    run.history.push_back({5, event_type::timer_started, 0, {{"timer_id", "1"}, {"start_to_fire_timeout", "1s"}}});
    host.reads.at(0).then(nullptr, std::move(run));
    const auto message = error_of<query_failed_error>(*h);
    BOOST_TEST(contains(message, "the workflow could not be replayed: nondeterminism"), message);
}

// ---------------------------------------------------------------- queries answered elsewhere

namespace {

/// The query offers `unit` makes.
std::vector<task_offer> query_offers(const write_unit& unit) {
    std::vector<task_offer> offers;
    for (const auto& op : unit.ops)
        if (const auto* o = std::get_if<offer_task>(&op); o && o->offer->kind == task_kind::query)
            offers.push_back(*o->offer);
    return offers;
}

std::string query_id_of(const task_offer& offer) {
    return std::string(boost::json::parse(offer.details).at("query_id").as_string());
}

}   // namespace

BOOST_AUTO_TEST_CASE(a_query_of_a_run_another_engine_runs_is_offered_there_and_its_answer_heard_once) {
    run().workflow_type = "Counter";
    run().task_queue = "far";
    auto h = query("count");
    part.ask_elsewhere(run());
    BOOST_TEST(!run().clients);   // no longer queued on the run
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);
    const auto offers = query_offers(host.committed[0]);
    BOOST_REQUIRE_EQUAL(offers.size(), 1u);
    BOOST_TEST(offers[0].run_key == run_key);
    BOOST_TEST(offers[0].seq < 0);   // apart from the run's activities and its workflow task
    BOOST_TEST(offers[0].task_queue == "far");
    BOOST_TEST(offers[0].type == "Counter");
    const auto details = boost::json::parse(offers[0].details);
    BOOST_TEST(details.at("name").as_string() == "count");
    BOOST_TEST(details.at("arg").is_null());
    const auto id = query_id_of(offers[0]);
    BOOST_TEST(!h->called);

    BOOST_TEST(!part.answered_elsewhere({run_key + 1, id, 7, ""}));   // not that run's query
    BOOST_TEST(part.answered_elsewhere({run_key, id, 7, ""}));
    BOOST_REQUIRE(h->called);
    BOOST_TEST(!h->error);
    BOOST_TEST(h->value.as_int64() == 7);
    BOOST_TEST(!part.answered_elsewhere({run_key, id, 8, ""}));   // answered once
    BOOST_TEST(h->calls == 1);
    BOOST_TEST(host.committed.size() == 1u);   // the claim took the offer away
}

BOOST_AUTO_TEST_CASE(a_query_that_failed_elsewhere_fails_with_that_engines_message) {
    auto h = query("size");
    part.ask_elsewhere(run());
    const auto id = query_id_of(query_offers(host.committed.at(0)).at(0));
    BOOST_TEST(part.answered_elsewhere({run_key, id, nullptr, "no query handler named 'size' (known: count)"}));
    BOOST_TEST(error_of<query_failed_error>(*h) == "no query handler named 'size' (known: count)");
}

BOOST_AUTO_TEST_CASE(a_query_no_engine_answers_in_time_fails_saying_what_to_do_and_its_offer_is_withdrawn) {
    using namespace std::chrono_literals;
    run().workflow_type = "Counter";
    run().task_queue = "far";
    const auto asked = std::chrono::steady_clock::now();
    auto h = query("count");
    part.ask_elsewhere(run());
    const auto offer = query_offers(host.committed.at(0)).at(0);
    part.give_up_overdue(asked + queries_and_updates::elsewhere_patience - 1s);
    BOOST_TEST(!h->called);
    BOOST_TEST(host.committed.size() == 1u);

    part.give_up_overdue(asked + queries_and_updates::elsewhere_patience + 1s);
    const auto message = error_of<query_failed_error>(*h);
    BOOST_TEST(contains(message, "no engine answered the query 'count' of workflow counter within 30 s"), message);
    BOOST_TEST(contains(message, "registers type Counter on task queue far: check that one is running"), message);
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto& withdrawn = std::get<withdraw_task>(host.committed[1].ops.at(0));
    BOOST_TEST(withdrawn.run_key == run_key);
    BOOST_TEST(withdrawn.seq == offer.seq);
    BOOST_TEST(!part.answered_elsewhere({run_key, query_id_of(offer), 7, ""}));   // too late
    BOOST_TEST(h->calls == 1);
}

BOOST_AUTO_TEST_CASE(a_query_offered_elsewhere_fails_when_its_run_can_no_longer_answer) {
    auto h = query("count");
    part.ask_elsewhere(run());
    part.fail_queries(run(), "workflow counter completed before the query was answered");
    BOOST_TEST(error_of<query_failed_error>(*h) == "workflow counter completed before the query was answered");
    part.give_up_overdue(std::chrono::steady_clock::now() + queries_and_updates::elsewhere_patience * 2);
    BOOST_TEST(h->calls == 1);
}

BOOST_AUTO_TEST_CASE(a_closed_run_whose_type_only_an_engine_beside_registers_is_queried_there) {
    host.registered = false;
    host.elsewhere = true;
    auto h = query("count", "counter", "run-0");
    auto stored = stopped_counter();
    stored.row.run_key = 9;
    host.reads.at(0).then(nullptr, std::move(stored));
    BOOST_TEST(!h->called);
    const auto offer = query_offers(host.committed.at(0)).at(0);
    BOOST_TEST(offer.run_key == 9);
    BOOST_TEST(offer.type == "Counter");
    BOOST_TEST(part.answered_elsewhere({9, query_id_of(offer), 5, ""}));
    BOOST_TEST(h->value.as_int64() == 5);
}

BOOST_AUTO_TEST_CASE(a_query_whose_offer_does_not_commit_hears_the_commit_error) {
    auto h = query("count");
    part.ask_elsewhere(run());
    const auto id = query_id_of(query_offers(host.committed.at(0)).at(0));
    commit_all(std::make_exception_ptr(storage_error("disk full")));
    BOOST_TEST(contains(error_of<storage_error>(*h), "disk full"));
    BOOST_TEST(!part.answered_elsewhere({run_key, id, 7, ""}));
    BOOST_TEST(h->calls == 1);
}

BOOST_AUTO_TEST_CASE(queries_offered_elsewhere_fail_when_the_engine_stops_or_the_data_moves) {
    host.registered = false;
    host.elsewhere = true;
    auto running = query("count");
    part.ask_elsewhere(run());
    auto closed = query("count", "counter", "run-0");
    host.reads.at(0).then(nullptr, stopped_counter());
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    BOOST_TEST(!running->called);
    BOOST_TEST(!closed->called);

    part.fail_asked(std::make_exception_ptr(engine_stopped("the engine was shut down")));
    BOOST_TEST(error_of<engine_stopped>(*running) == "the engine was shut down");
    BOOST_TEST(error_of<engine_stopped>(*closed) == "the engine was shut down");
    BOOST_TEST(!part.answered_elsewhere({run_key, query_id_of(query_offers(host.committed[0]).at(0)), 7, ""}));
}

BOOST_AUTO_TEST_CASE(a_running_run_queried_by_replay_answers_once_its_unprocessed_events_are_applied) {
    history_builder h;
    h.started(5, "Counter").boundary();
    // Accepted, its handler not run yet: the next workflow task's.
    h.add(event_type::workflow_execution_update_accepted,
          {{"protocol_instance_id", "u1"},
           {"accepted_request_message_id", "u1/request"},
           {"accepted_request", {{"meta", {{"update_id", "u1"}}}, {"input", {{"name", "add"}, {"args", 3}}}}}});
    auto inst = counter_instance("counter", "run-1");
    BOOST_TEST(answer_by_replay(*inst, h.events(), "count", nullptr, host.now).as_int64() == 8);

    auto other = counter_instance("counter", "run-1");
    const auto message = perdure::test::message_of<query_failed_error>(
        [&] { answer_by_replay(*other, h.events(), "size", nullptr, host.now); });
    BOOST_TEST(contains(message, "no query handler named 'size'"), message);
}

BOOST_AUTO_TEST_CASE(the_engine_running_a_task_validates_its_updates_and_runs_the_accepted_ones_in_it) {
    history_builder h;
    h.started(5, "Counter").boundary();
    auto inst = counter_instance("counter", "run-1");
    auto replayed = replay(*inst, h.events());
    BOOST_REQUIRE(!replayed.failure);
    workflow_task_command report{run_key, h.last_id(), host.now};
    const std::string offer =
        R"({"updates":[{"id":"u1","name":"add","arg":2},{"id":"u2","name":"add","arg":-1},)"
        R"({"id":"u1","name":"add","arg":2},{"id":"u3","name":"subtract","arg":1},{"name":"add"}]})";
    claimed_workflow_tasks::take_updates(*inst, offer, report, replayed.tail);
    BOOST_TEST(
        boost::json::serialize(report.updates) ==
        R"([{"id":"u1","result":"accepted"},)"
        R"({"id":"u2","result":"rejected","message":"std::invalid_argument: only positive amounts"},)"
        R"({"id":"u1","result":"known"},)"
        R"j({"id":"u3","result":"rejected","message":"workflow counter has no update handler named 'subtract' (known: add)"}])j");
    BOOST_REQUIRE_EQUAL(replayed.tail.size(), 1u);   // what the owner records before the task's commands
    BOOST_TEST(replayed.tail[0].id == h.last_id() + 1);
    BOOST_TEST(replayed.tail[0].time_us == host.now);

    // Run in the task's activation; asked again later, its outcome is known.
    auto activation = inst->activate(replayed.tail, host.now, false);
    BOOST_REQUIRE(!activation.failure);
    BOOST_REQUIRE_EQUAL(activation.commands->size(), 1u);
    BOOST_TEST((activation.commands->at(0).kind == command_kind::complete_update));
    workflow_task_command again{run_key, h.last_id() + 3, host.now};
    std::vector<event> inbound;
    claimed_workflow_tasks::take_updates(*inst, R"({"updates":[{"id":"u1","name":"add","arg":2}]})", again, inbound);
    BOOST_TEST(boost::json::serialize(again.updates) == R"([{"id":"u1","result":"known","outcome":{"success":7}}])");
    BOOST_TEST(inbound.empty());
}

// ---------------------------------------------------------------- updates

BOOST_AUTO_TEST_CASE(an_update_is_validated_then_accepted_and_recorded) {
    auto h = update(2, "u1");
    BOOST_TEST(host.activations.size() == 1u);
    BOOST_TEST(run().pending.empty());   // validated only once the instance is live
    part.serve(run());
    BOOST_REQUIRE_EQUAL(run().pending.size(), 1u);
    const auto& accepted = run().pending[0].e;
    BOOST_TEST((accepted.type == event_type::workflow_execution_update_accepted));
    BOOST_TEST(accepted.time_us == host.now);
    BOOST_TEST(accepted.attrs.at("protocol_instance_id").as_string() == "u1");
    const auto& request = accepted.attrs.at("accepted_request").as_object();
    BOOST_TEST(request.at("meta").at("update_id").as_string() == "u1");
    BOOST_TEST(request.at("input").at("name").as_string() == "add");
    BOOST_TEST(request.at("input").at("args").as_int64() == 2);
    BOOST_TEST(!h->called);   // it waits for its outcome
}

BOOST_AUTO_TEST_CASE(an_update_without_an_id_gets_a_new_one) {
    update(2, "");
    part.serve(run());
    BOOST_REQUIRE_EQUAL(run().pending.size(), 1u);
    BOOST_TEST(!run().pending[0].e.attrs.at("protocol_instance_id").as_string().empty());
}

BOOST_AUTO_TEST_CASE(a_rejected_update_records_nothing) {
    auto h = update(-1, "u1");
    part.serve(run());
    BOOST_TEST(run().pending.empty());
    BOOST_TEST(!run().clients);
    const auto message = error_of<update_rejected_error>(*h);
    BOOST_TEST(contains(message, "update 'add' was rejected: std::invalid_argument: only positive amounts"), message);
}

BOOST_AUTO_TEST_CASE(an_update_without_a_handler_is_rejected_naming_the_known_ones) {
    auto h = std::make_shared<heard>();
    part.update("orders", "counter", "", "remove", 1, "u1", into(h));
    part.serve(run());
    BOOST_TEST(run().pending.empty());
    const auto message = error_of<update_rejected_error>(*h);
    BOOST_TEST(contains(message, "has no update handler named 'remove' (known: add)"), message);
}

BOOST_AUTO_TEST_CASE(an_updates_completion_answers_its_waiter_once_committed) {
    auto h = update(2, "u1");
    part.serve(run());
    write_unit unit;
    activate(unit);
    BOOST_REQUIRE_EQUAL(unit.effects.size(), 1u);
    BOOST_TEST(!h->called);
    BOOST_TEST(!run().clients);   // nobody else waits
    unit.effects[0](nullptr);
    BOOST_TEST(!h->error);
    BOOST_TEST(h->value.as_int64() == 7);
}

BOOST_AUTO_TEST_CASE(an_updates_waiter_hears_a_failed_commit) {
    auto h = update(2, "u1");
    part.serve(run());
    write_unit unit;
    activate(unit);
    BOOST_REQUIRE_EQUAL(unit.effects.size(), 1u);
    unit.effects[0](std::make_exception_ptr(storage_error("disk full")));
    BOOST_TEST(contains(error_of<storage_error>(*h), "disk full"));
}

BOOST_AUTO_TEST_CASE(an_update_with_a_known_id_gets_the_first_outcome) {
    auto first = update(2, "u1");
    part.serve(run());
    write_unit unit;
    activate(unit);
    unit.effects.at(0)(nullptr);
    BOOST_TEST(first->value.as_int64() == 7);
    auto retried = update(10, "u1");   // another argument: the first outcome is still the answer
    part.serve(run());
    BOOST_TEST(run().pending.empty());
    BOOST_REQUIRE(retried->called);
    BOOST_TEST(!retried->error);
    BOOST_TEST(retried->value.as_int64() == 7);
}

BOOST_AUTO_TEST_CASE(an_update_retried_while_the_first_runs_waits_for_the_same_outcome) {
    auto first = update(2, "u1");
    part.serve(run());
    auto retried = update(2, "u1");
    part.serve(run());
    BOOST_TEST(run().pending.size() == 1u);   // accepted once
    BOOST_TEST(!retried->called);
    write_unit unit;
    activate(unit);
    unit.effects.at(0)(nullptr);
    BOOST_TEST(first->value.as_int64() == 7);
    BOOST_TEST(retried->value.as_int64() == 7);
}

BOOST_AUTO_TEST_CASE(fail_updates_answers_every_waiter_with_the_reason) {
    auto accepted = update(2, "u1");
    part.serve(run());
    auto queued = update(3, "u2");
    const std::string why = "workflow counter (run run-1) closed before the update completed";
    part.fail_updates(run(), why);
    BOOST_TEST(error_of<failed_precondition>(*accepted) == why);
    BOOST_TEST(error_of<failed_precondition>(*queued) == why);
    write_unit unit;
    activate(unit);   // the accepted update completes, but nobody waits for it any more
    BOOST_TEST(unit.effects.empty());
    BOOST_TEST(accepted->calls == 1);
}

BOOST_AUTO_TEST_CASE(an_update_reaches_running_runs_only) {
    auto h = update(2, "u1", "nobody");
    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);   // not in memory: looked for in the store
    host.reads[0].then(nullptr, std::nullopt);
    BOOST_TEST(error_of<not_found>(*h) == "workflow nobody not found in namespace orders");
    run().status = run_status::completed;   // closing: its close is being committed
    auto closing = update(2, "u1");
    BOOST_TEST(contains(error_of<failed_precondition>(*closing), "workflow counter is not running"));
    BOOST_TEST(host.activations.empty());
}

BOOST_AUTO_TEST_CASE(an_update_to_a_run_whose_task_is_failing_is_refused_at_once) {
    run().task_failure_message = std::string("workflow error: boom");
    auto h = update(2, "u1");
    BOOST_TEST(error_of<failed_precondition>(*h) ==
               "workflow counter cannot take updates while its workflow task is failing (workflow error: boom); send "
               "it again once a task succeeds");
    BOOST_TEST(host.activations.empty());
}

/// A closed run of the counter whose history holds update u1, completed with 7, and u2, accepted only.
stored_run counter_closed_after_updates() {
    history_builder h;
    h.started(5, "Counter").boundary();
    h.add(event_type::workflow_execution_update_accepted, update_accepted_event("u1", "add", 2, 0).attrs);
    h.add(event_type::workflow_execution_update_completed,
          {{"meta", {{"update_id", "u1"}}}, {"outcome", {{"success", 7}}}});
    h.add(event_type::workflow_execution_update_accepted, update_accepted_event("u2", "add", 3, 0).attrs).boundary();
    h.completed(7);
    auto run = stopped_counter();
    run.history = h.events();
    return run;
}

BOOST_AUTO_TEST_CASE(a_closed_run_answers_an_update_id_it_completed_with_its_outcome) {
    auto again = update(2, "u1", "counter-old");
    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);
    host.reads[0].then(nullptr, counter_closed_after_updates());
    BOOST_REQUIRE(again->called);
    BOOST_TEST(!again->error);
    BOOST_TEST(again->value.as_int64() == 7);   // the first outcome; nothing runs again
    BOOST_TEST(host.committed.empty());
}

BOOST_AUTO_TEST_CASE(a_closed_run_refuses_an_update_it_did_not_complete) {
    auto accepted_only = update(2, "u2", "counter-old");
    auto unknown = update(2, "u3", "counter-old");
    BOOST_REQUIRE_EQUAL(host.reads.size(), 2u);
    host.reads[0].then(nullptr, counter_closed_after_updates());
    host.reads[1].then(nullptr, counter_closed_after_updates());
    // As Temporal's server: an accepted update ends with a failure (a caller that knows it was
    // accepted expects an outcome); one the run never took is not found.
    BOOST_TEST(error_of<application_error>(*accepted_only) ==
               "Workflow Update failed because the Workflow completed before the Update completed.");
    BOOST_TEST(error_of<not_found>(*unknown) ==
               "workflow counter-old is not running in namespace orders; updates reach running workflows only");
}

BOOST_AUTO_TEST_CASE(an_update_needs_a_name_and_an_argument_within_the_limit) {
    auto unnamed = std::make_shared<heard>();
    part.update("orders", "counter", "", "", 1, "u1", into(unnamed));
    BOOST_TEST(error_of<invalid_argument>(*unnamed) == "an update name must not be empty");
    auto large = update(boost::json::value(std::string(300, 'x')), "u2");
    BOOST_TEST(contains(error_of<invalid_argument>(*large), "the update argument is 302 bytes; the limit is 256"));
    BOOST_TEST(host.activations.empty());
}

BOOST_AUTO_TEST_SUITE_END()
