// What an endpoint's health says of attempts in flight: an attempt counts from the moment it
// goes to the handler until its answer, or until its caller stops waiting for it, and only
// once, whatever path it took (refused, a test double, a caller that closed meanwhile).
#include "integration/nexus_support.hpp"
#include "client/core_access.hpp"

#include "runtime/core.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;
using namespace perdure::test::nexus_support;

namespace {

gate* the_hold = nullptr;

const perdure::nexus::sync_operation<std::string, std::string> held_op{
    "held", [](perdure::nexus::operation_context&, std::string in) {
        the_hold->pass();
        return "held " + in;
    }};

void setup_held(perdure::engine& e) {
    setup(e);
    e.add_worker("handler-ns", "held-tq").register_nexus_service(perdure::nexus::service("svc").add(held_op));
    e.nexus_endpoints().ensure({.name = "held-ep", .target_namespace = "handler-ns", .target_task_queue = "held-tq"});
}

std::int64_t in_flight(engine_fixture& f) {
    return f.engine().nexus_endpoints().health("held-ep", "caller-ns").in_flight;
}

/// Starts a caller whose operation on held-ep stays in its handler until `h` is released.
perdure::workflow_handle<std::string> start_held(engine_fixture& f, gate& h, const std::string& id) {
    the_hold = &h;
    auto run = start(f, id, {.operation = "held", .input = id, .endpoint = "held-ep"});
    BOOST_REQUIRE(h.wait_entered());
    return run;
}

/// Lets the held handler answer: its caller gets the result and nothing is in flight any more.
void release(engine_fixture& f, gate& h, perdure::workflow_handle<std::string>& held) {
    h.release();
    BOOST_TEST(held.get().starts_with("ok: held "));
    f.idle();
    BOOST_TEST(in_flight(f) == 0);
}

/// An engine with held-ep, whose "held" operation waits in its handler for `h`.
struct held_engine {
    gate h;
    engine_fixture f;
    held_engine() { f.open(setup_held); }
};

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_health)

BOOST_FIXTURE_TEST_CASE(an_attempt_counts_in_flight_until_its_handler_answers, held_engine) {
    BOOST_TEST(in_flight(f) == 0);
    auto run = start_held(f, h, "a");
    BOOST_TEST(in_flight(f) == 1);
    BOOST_TEST(f.engine().nexus_endpoints().health("held-ep").in_flight == 1);   // all callers together
    release(f, h, run);
}

BOOST_FIXTURE_TEST_CASE(an_operation_the_target_does_not_serve_leaves_the_attempts_in_flight_counted, held_engine) {
    auto held = start_held(f, h, "a");
    auto missing = start(f, "b", {.operation = "nope", .input = "x", .endpoint = "held-ep"});
    BOOST_TEST(missing.get().find("handler_error NOT_FOUND: no operation nope in service svc") != std::string::npos);
    BOOST_TEST(in_flight(f) == 1);   // the refused one never went; the held one still runs
    release(f, h, held);
}

BOOST_FIXTURE_TEST_CASE(a_delayed_test_double_counts_its_start_once_and_its_completion_not_at_all, held_engine) {
    auto def =
        perdure::nexus::sync_operation<std::string, std::string>("delayed", [](perdure::nexus::operation_context&,
                                                                               std::string in) {
            return "later " + in;
        }).definition();
    perdure::detail::core_access::core(f.engine())
        ->workers()
        .override_nexus_operation("svc",
                                  {.operation = std::move(def), .complete_after = 1000ms, .token_prefix = "double-"});
    auto held = start_held(f, h, "a");
    auto delayed = start(f, "b", {.operation = "delayed", .input = "x", .endpoint = "held-ep"});
    f.settle();   // the double has started; its completion waits for the clock
    f.clock->advance(2s);
    BOOST_TEST(delayed.get() == "ok: later x");
    BOOST_TEST(in_flight(f) == 1);
    release(f, h, held);
}

BOOST_FIXTURE_TEST_CASE(an_attempt_whose_caller_closed_is_no_longer_in_flight, held_engine) {
    auto held = start_held(f, h, "a");
    held.terminate("no longer needed");
    BOOST_TEST(in_flight(f) == 0);   // nobody waits for its answer any more
    h.release();
    f.idle();
    BOOST_TEST(in_flight(f) == 0);
    BOOST_TEST(f.engine().nexus_endpoints().health("held-ep").breaker == "closed");
}

BOOST_AUTO_TEST_SUITE_END()
