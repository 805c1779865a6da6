// Heartbeats on the virtual clock: throttled as Temporal's SDKs throttle them, details held
// back by the throttle sent when its interval ends, and a heartbeat timeout only when no
// heartbeat() call came within it. The activity waits for virtual time to pass and tells the
// test when it has acted on each step, so every step is deterministic.
#include "support/engine_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

struct beat_plan {
    std::int64_t period_s = 20;
    int beats = 5;
    bool hang = false;   ///< after the beats: wait until canceled (no more heartbeats)
    std::int64_t heartbeat_timeout_s = 30;
    int maximum_attempts = 1;
};
BOOST_DESCRIBE_STRUCT(beat_plan, (), (period_s, beats, hang, heartbeat_timeout_s, maximum_attempts))

/// What the activity and the test share: the clock, and how far the activity has got.
struct beat_sync {
    std::mutex mutex;
    std::condition_variable cv;
    std::shared_ptr<perdure::manual_clock> clock;
    perdure::clock::time_point observed{};   ///< the last time the activity acted on
    bool active = false;                     ///< an attempt that acts on time is running
    std::atomic<int> attempts{0};
};
beat_sync beats;

/// Waits until virtual time reaches `t` or cancellation was requested.
void wait_until(perdure::activity_context& ctx, perdure::clock::time_point t) {
    std::unique_lock lk(beats.mutex);
    for (;;) {
        const auto now = beats.clock->now();
        if (now >= t || ctx.cancel_requested()) return;
        beats.observed = now;
        beats.cv.notify_all();
        beats.cv.wait_for(lk, 2ms);   // woken by each clock step; the bound only re-checks cancellation
    }
}

void finished_acting() {
    std::lock_guard lk(beats.mutex);
    beats.active = false;
    beats.cv.notify_all();
}

std::string beat(perdure::activity_context& ctx, beat_plan p) {
    ++beats.attempts;
    if (ctx.info().attempt > 1)
        return "attempt " + std::to_string(ctx.info().attempt) + " saw " +
               boost::json::serialize(ctx.info().heartbeat_details);
    const auto start = beats.clock->now();
    try {
        for (int i = 1; i <= p.beats; ++i) {
            wait_until(ctx, start + std::chrono::seconds(p.period_s * i));
            ctx.heartbeat(i);
            std::lock_guard lk(beats.mutex);
            beats.observed = beats.clock->now();
            beats.cv.notify_all();
        }
        if (p.hang) wait_until(ctx, perdure::clock::time_point::max());
        ctx.heartbeat(p.beats);   // throws once the attempt was given up
    } catch (...) {
        finished_acting();
        throw;
    }
    finished_acting();
    return "beat " + std::to_string(p.beats) + " times";
}
const perdure::activity_def beat_activity{"Beat", &beat};

perdure::workflow<std::string> beat_flow(perdure::workflow_context& ctx, beat_plan p) {
    try {
        co_return co_await ctx.execute_activity(
            beat_activity, p,
            {.start_to_close_timeout = 1h,
             .heartbeat_timeout = std::chrono::seconds(p.heartbeat_timeout_s),
             .retry = perdure::retry_policy{.maximum_attempts = p.maximum_attempts}});
    } catch (const perdure::activity_error& e) {
        try {
            std::rethrow_exception(e.cause());
        } catch (const perdure::timeout_error& t) {
            co_return std::string("timeout ") + perdure::to_string(t.timeout_type());
        }
    }
}
const perdure::workflow_def beat_workflow{"BeatFlow", &beat_flow};

struct beat_fixture {
    engine_fixture f;
    std::uint64_t subscription = 0;

    beat_fixture() {
        beats.clock = f.clock;
        beats.attempts = 0;
        beats.active = false;
        subscription = f.clock->subscribe([] {
            std::lock_guard lk(beats.mutex);
            beats.cv.notify_all();
        });
        f.open([](perdure::engine& e) {
            e.add_worker("default", "q").register_workflow(beat_workflow).register_activity(beat_activity);
        });
    }
    ~beat_fixture() {
        {
            std::lock_guard lk(beats.mutex);
            beats.active = false;
        }
        f.close();
        f.clock->unsubscribe(subscription);
    }

    perdure::workflow_handle<std::string> start(const beat_plan& p) {
        {
            std::lock_guard lk(beats.mutex);
            beats.active = true;
            beats.observed = {};
        }
        auto run = f.client().start_workflow(beat_workflow, p, {.id = "beat", .task_queue = "q"});
        std::unique_lock lk(beats.mutex);   // the first attempt has started waiting for time
        beats.cv.wait(lk, [&] { return !beats.active || beats.observed == f.clock->now(); });
        return run;
    }
    /// Moves virtual time one second at a time, each time until the activity and the engine acted.
    void pass(std::chrono::seconds d) {
        for (auto s = 0s; s < d; s += 1s) {
            f.clock->advance(1s);
            {
                std::unique_lock lk(beats.mutex);
                beats.cv.wait(lk, [&] { return !beats.active || beats.observed >= f.clock->now(); });
            }
            f.settle();
        }
    }
};

}   // namespace

BOOST_AUTO_TEST_SUITE(heartbeats)

BOOST_AUTO_TEST_CASE(heartbeats_more_often_than_the_timeout_never_time_out_even_when_throttled) {
    // A 30 s heartbeat timeout throttles sending to one heartbeat every 24 s: calls every 20,
    // 25 or 29 s are partly held back, and the held ones are sent when the interval ends.
    for (const std::int64_t period : {20, 25, 29}) {
        BOOST_TEST_CONTEXT("a heartbeat every " << period << " s") {
            beat_fixture b;
            auto run = b.start({.period_s = period, .beats = 6});
            b.pass(std::chrono::seconds(period * 6 + 1));
            BOOST_TEST(run.get() == "beat 6 times");
            BOOST_TEST(beats.attempts == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(heartbeats_further_apart_than_the_timeout_time_the_attempt_out) {
    for (const std::int64_t period : {31, 45}) {
        BOOST_TEST_CONTEXT("a heartbeat every " << period << " s") {
            beat_fixture b;
            auto run = b.start({.period_s = period, .beats = 3});
            b.pass(29s);
            BOOST_TEST((run.describe().status == perdure::workflow_status::running));
            b.pass(1s);   // 30 s without a heartbeat() call
            BOOST_TEST(run.get() == "timeout HEARTBEAT");
        }
    }
}

BOOST_AUTO_TEST_CASE(details_held_back_by_the_throttle_reach_the_next_attempt) {
    beat_fixture b;
    // Heartbeats at 20 s (sent) and 40 s (held until 44 s), then none: the timeout comes 30 s
    // after the last call, at 70 s, and attempt 2 starts after its 1 s backoff with details 2.
    auto run = b.start({.period_s = 20, .beats = 2, .hang = true, .maximum_attempts = 2});
    b.pass(69s);
    BOOST_TEST(beats.attempts == 1);
    BOOST_TEST((run.describe().status == perdure::workflow_status::running));
    b.pass(2s);
    BOOST_TEST(run.get() == "attempt 2 saw 2");
    BOOST_TEST(beats.attempts == 2);
}

BOOST_AUTO_TEST_SUITE_END()
