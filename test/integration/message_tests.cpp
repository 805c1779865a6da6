// Signals, queries and updates, live and after a restart (the replayed state must match).
#include "support/engine_fixture.hpp"
#include "support/error_text.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using perdure::test::message_of;

namespace {

struct cart_state {
    std::vector<std::string> items;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(cart_state, (), (items, status))

const perdure::activity_def<int, int> price_after{
    "PriceAfter", [](perdure::activity_context&, int percent) { return 100 - percent; }};

/// Collects items by signal until "checkout"; answers "state" queries; the "discount" update
/// validates its percentage and prices it with an activity.
perdure::workflow<cart_state> cart(perdure::workflow_context& ctx) {
    cart_state state{{}, "open"};
    int discount = 0;
    ctx.set_query_handler("state", [&] { return state; });
    ctx.set_query_handler("has", [&](std::string item) {
        return std::find(state.items.begin(), state.items.end(), item) != state.items.end();
    });
    ctx.set_query_handler("broken", [&]() -> int { throw std::runtime_error("query bug"); });
    ctx.set_update_handler(
        "discount",
        [&](int percent) -> perdure::workflow<int> {
            const int price = co_await ctx.execute_activity(price_after, percent, {.start_to_close_timeout = 5s});
            if (percent == 13) throw perdure::application_error("unlucky", "Unlucky", true);
            discount = percent;
            co_return price;
        },
        [&](const int& percent) {
            if (percent < 0 || percent > 50) throw std::invalid_argument("discount must be 0..50");
        });
    auto items = ctx.signal_channel<std::string>("add");
    for (;;) {
        auto item = co_await items.receive();
        if (item == "checkout") break;
        state.items.push_back(item);
    }
    state.status = "checked out with " + std::to_string(discount) + "% off";
    co_return state;
}
const perdure::workflow_def cart_workflow{"Cart", &cart};

/// Registers a query handler, then fails its task.
perdure::workflow<int> broken(perdure::workflow_context& ctx) {
    ctx.set_query_handler("progress", [] { return 1; });
    throw std::runtime_error("a bug");
    co_return 0;
}
const perdure::workflow_def broken_workflow{"Broken", &broken};

void setup(perdure::engine& e) {
    e.add_worker("default", "q")
        .register_workflow(cart_workflow)
        .register_workflow(broken_workflow)
        .register_activity(price_after);
}

std::vector<std::string> types(const std::vector<perdure::history_event>& h) {
    std::vector<std::string> out;
    for (const auto& e : h) out.push_back(e.event_type);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(messages)

BOOST_AUTO_TEST_CASE(a_query_that_finds_no_handler_in_a_run_whose_task_fails_names_the_failure) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(broken_workflow, {.id = "broken", .task_queue = "q"});
    f.idle();
    const auto msg = message_of<perdure::query_failed_error>([&] { run.query<int>("progress"); });
    BOOST_TEST(msg.find("its workflow task is failing") != std::string::npos, msg);
    BOOST_TEST(msg.find("a bug") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(signals_are_buffered_in_order_and_recorded) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    run.signal("add", std::string("apple"));
    run.signal("add", std::string("pear"));
    run.signal("add", std::string("checkout"));
    const auto result = run.get();
    BOOST_TEST(result.items == (std::vector<std::string>{"apple", "pear"}), boost::test_tools::per_element());
    const auto t = types(run.history());
    BOOST_TEST(std::count(t.begin(), t.end(), "WorkflowExecutionSignaled") == 3);
}

BOOST_AUTO_TEST_CASE(signals_sent_before_the_channel_is_read_are_kept_across_a_restart) {
    for (std::size_t cache : {10u, 0u}) {
        engine_fixture f({.workflow_cache_size = cache});
        f.open(setup);
        auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
        run.signal("add", std::string("apple"));
        f.idle();
        f.close();
        f.open(setup);
        auto again = f.client().get_handle<cart_state>("c");
        BOOST_TEST(again.query<cart_state>("state").items.size() == 1u);
        again.signal("add", std::string("fig"));
        again.signal("add", std::string("checkout"));
        BOOST_TEST(again.get().items == (std::vector<std::string>{"apple", "fig"}), boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(queries_answer_from_live_evicted_and_closed_runs_without_writing_history) {
    engine_fixture f({.workflow_cache_size = 0});
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    run.signal("add", std::string("apple"));
    f.idle();
    const auto before = run.history().size();
    BOOST_TEST(run.query<cart_state>("state").items == (std::vector<std::string>{"apple"}),
               boost::test_tools::per_element());
    BOOST_TEST(run.query<bool>("has", std::string("apple")));
    BOOST_TEST(!run.query<bool>("has", std::string("kiwi")));
    BOOST_TEST(run.history().size() == before);
    run.signal("add", std::string("checkout"));
    run.get();
    // Closed: answered by replaying, with the state the workflow returned with.
    BOOST_TEST(run.query<cart_state>("state").status == "checked out with 0% off");
}

BOOST_AUTO_TEST_CASE(a_failing_or_unknown_query_gives_a_clear_error) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    f.idle();
    const auto broken = message_of<perdure::query_failed_error>([&] { run.query<int>("broken"); });
    BOOST_TEST(broken.find("query 'broken' of workflow c failed: std::runtime_error: query bug") != std::string::npos,
               broken);
    const auto unknown = message_of<perdure::query_failed_error>([&] { run.query<int>("nope"); });
    BOOST_TEST(unknown.find("no query handler named 'nope' (known: ") != std::string::npos, unknown);
    BOOST_TEST(unknown.find("state") != std::string::npos, unknown);
}

BOOST_AUTO_TEST_CASE(updates_are_validated_recorded_and_answered) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    f.idle();
    const auto before = run.history().size();
    const auto rejected = message_of<perdure::update_rejected_error>([&] { run.update<int>("discount", 90); });
    BOOST_TEST(rejected.find("update 'discount' was rejected: std::invalid_argument: discount must be 0..50") !=
                   std::string::npos,
               rejected);
    BOOST_TEST(run.history().size() == before);   // a rejection leaves no history
    BOOST_TEST(run.update<int>("discount", 20, "u-1") == 80);
    const auto t = types(run.history());
    BOOST_TEST(std::count(t.begin(), t.end(), "WorkflowExecutionUpdateAccepted") == 1);
    BOOST_TEST(std::count(t.begin(), t.end(), "WorkflowExecutionUpdateCompleted") == 1);
    // A retried update id returns the first result and records nothing new.
    BOOST_TEST(run.update<int>("discount", 30, "u-1") == 80);
    BOOST_TEST(run.history().size() == t.size());
    run.signal("add", std::string("checkout"));
    BOOST_TEST(run.get().status == "checked out with 20% off");
}

BOOST_AUTO_TEST_CASE(an_update_handler_failure_reaches_the_caller) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    f.idle();
    const auto msg = message_of<perdure::application_error>([&] { run.update<int>("discount", 13); });
    BOOST_TEST(msg == "unlucky");
    BOOST_TEST(run.describe().status == perdure::workflow_status::running);
}

BOOST_AUTO_TEST_CASE(updates_survive_a_restart_and_their_ids_still_deduplicate) {
    engine_fixture f({.workflow_cache_size = 0});
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    f.idle();
    BOOST_TEST(run.update<int>("discount", 10, "once") == 90);
    f.close();
    f.open(setup);
    auto again = f.client().get_handle<cart_state>("c");
    BOOST_TEST(again.update<int>("discount", 40, "once") == 90);
    again.signal("add", std::string("checkout"));
    BOOST_TEST(again.get().status == "checked out with 10% off");
}

BOOST_AUTO_TEST_CASE(a_retried_update_id_finds_its_outcome_after_the_workflow_closed) {
    engine_fixture f;
    f.open(setup);
    auto run = f.client().start_workflow(cart_workflow, {.id = "c", .task_queue = "q"});
    f.idle();
    BOOST_TEST(run.update<int>("discount", 20, "u-1") == 80);
    run.signal("add", std::string("checkout"));
    run.get();
    const auto length = run.history().size();
    // As Temporal's server answers a repeated request: the first outcome, nothing recorded.
    BOOST_TEST(run.update<int>("discount", 30, "u-1") == 80);
    BOOST_TEST(run.history().size() == length);
    const auto msg = message_of<perdure::not_found>([&] { run.update<int>("discount", 30, "u-2"); });
    BOOST_TEST(msg.find("updates reach running workflows only") != std::string::npos, msg);
    const auto missing =
        message_of<perdure::not_found>([&] { f.client().get_handle("ghost").update<int>("discount", 30, "u-1"); });
    BOOST_TEST(missing == "workflow ghost not found in namespace default");
}

BOOST_AUTO_TEST_CASE(signal_with_start_starts_or_signals) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.signal_with_start(cart_workflow, "add", std::string("tea"), {.id = "s", .task_queue = "q"});
    auto second = c.signal_with_start(cart_workflow, "add", std::string("checkout"), {.id = "s", .task_queue = "q"});
    BOOST_TEST(first.run_id() == second.run_id());
    BOOST_TEST(first.get().items == (std::vector<std::string>{"tea"}), boost::test_tools::per_element());
    const auto t = types(first.history());
    BOOST_TEST(t[1] == "WorkflowExecutionSignaled");   // recorded with the start, in the same commit
}

BOOST_AUTO_TEST_CASE(signal_with_start_terminating_the_existing_run_starts_a_new_one_with_the_signal) {
    engine_fixture f;
    f.open(setup);
    auto c = f.client();
    auto first = c.signal_with_start(cart_workflow, "add", std::string("tea"), {.id = "s", .task_queue = "q"});
    auto second = c.signal_with_start(
        cart_workflow, "add", std::string("milk"),
        {.id = "s", .task_queue = "q", .id_conflict = perdure::id_conflict_policy::terminate_existing});
    BOOST_TEST(first.run_id() != second.run_id());
    BOOST_TEST((c.get_handle("s", first.run_id()).describe().status == perdure::workflow_status::terminated));
    const auto t = types(second.history());
    BOOST_TEST(t[1] == "WorkflowExecutionSignaled");
    second.signal("add", std::string("checkout"));
    BOOST_TEST(second.get().items == (std::vector<std::string>{"milk"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(signalling_a_closed_or_unknown_workflow_fails_clearly) {
    engine_fixture f;
    f.open(setup);
    const auto msg = message_of<perdure::not_found>([&] { f.client().get_handle("ghost").signal("add", 1); });
    BOOST_TEST(msg.find("workflow ghost is not running in namespace default") != std::string::npos, msg);
}

BOOST_AUTO_TEST_SUITE_END()
