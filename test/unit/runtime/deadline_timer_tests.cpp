// The deadline timer with a manual clock and an io_context run by hand: entries fire when the
// clock reaches them, in due order and once; nothing fires before start() or after stop().
#include "runtime/deadline_timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

using namespace perdure;
using namespace perdure::detail;

namespace {

/// Runs jobs on the strand of an io_context the test drives; records what fired.
class recording_host final : public deadline_timer_host {
public:
    explicit recording_host(boost::asio::io_context& io, perdure::clock& time) : io_(io), clock_(time) {}
    std::int64_t now_us() const override {
        return std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch()).count();
    }
    bool running() const override { return running_; }
    void fire(const wheel_entry& e) override {
        if (throw_on_fire) throw std::runtime_error("fire failed");
        fired.push_back(e);
    }
    void after_wake() override { ++wakes; }
    void post_job(unique_function<void()> job) override {
        boost::asio::post(io_, [this, job = std::move(job)]() mutable {
            try {
                job();
            } catch (...) {
                fail(std::current_exception());
            }
        });
    }
    void fail(std::exception_ptr) noexcept override { ++failures; }

    bool running_ = true;
    bool throw_on_fire = false;
    std::vector<wheel_entry> fired;
    int wakes = 0, failures = 0;

private:
    boost::asio::io_context& io_;
    perdure::clock& clock_;
};

struct timer_fixture {
    std::shared_ptr<manual_clock> time =
        std::make_shared<manual_clock>(perdure::clock::time_point{std::chrono::microseconds(1)});
    boost::asio::io_context io;
    recording_host host{io, *time};
    std::shared_ptr<int> engine = std::make_shared<int>(0);   // stands for the engine's lifetime
    deadline_timer timer{host, time, boost::asio::make_strand(io)};

    void advance_to_us(std::int64_t us) {
        time->set(perdure::clock::time_point{std::chrono::microseconds(us)});
        io.restart();
        io.poll();
    }
    std::vector<std::int64_t> fired_seqs() const {
        std::vector<std::int64_t> seqs;
        for (const auto& e : host.fired) seqs.push_back(e.seq);
        return seqs;
    }
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(deadline_timer_with_a_manual_clock, timer_fixture)

BOOST_AUTO_TEST_CASE(entries_fire_when_the_clock_reaches_them_in_due_order) {
    timer.start(engine);
    timer.arm(wheel_kind::timer, 1, 30, 300);
    timer.arm(wheel_kind::timer, 1, 10, 100);
    timer.arm(wheel_kind::timer, 2, 20, 200);
    advance_to_us(99);
    BOOST_TEST(host.fired.empty());
    advance_to_us(250);
    BOOST_TEST(fired_seqs() == (std::vector<std::int64_t>{10, 20}));
    advance_to_us(1'000);
    BOOST_TEST(fired_seqs() == (std::vector<std::int64_t>{10, 20, 30}));
    advance_to_us(2'000);
    BOOST_TEST(host.fired.size() == 3u);   // each once
    BOOST_TEST(timer.size() == 0u);
}

BOOST_AUTO_TEST_CASE(nothing_fires_before_start_and_what_is_overdue_fires_at_start) {
    timer.arm(wheel_kind::timer, 1, 1, 100);
    advance_to_us(500);
    BOOST_TEST(host.fired.empty());
    timer.start(engine);
    io.restart();
    io.poll();
    BOOST_TEST(fired_seqs() == (std::vector<std::int64_t>{1}));
}

BOOST_AUTO_TEST_CASE(a_disarmed_or_moved_entry_fires_as_changed) {
    timer.start(engine);
    timer.arm(wheel_kind::timer, 1, 1, 100);
    timer.arm(wheel_kind::timer, 1, 2, 100);
    timer.arm(wheel_kind::activity_heartbeat, 2, 3, 100);
    timer.disarm(wheel_kind::timer, 1, 1);
    timer.arm(wheel_kind::timer, 1, 2, 400);   // moved later
    timer.disarm_run(2);
    BOOST_TEST(!timer.armed(wheel_kind::timer, 1, 1));
    BOOST_TEST(timer.armed(wheel_kind::timer, 1, 2));
    advance_to_us(200);
    BOOST_TEST(host.fired.empty());
    advance_to_us(400);
    BOOST_TEST(fired_seqs() == (std::vector<std::int64_t>{2}));
}

BOOST_AUTO_TEST_CASE(an_entry_armed_already_due_fires_without_moving_the_clock) {
    timer.start(engine);
    advance_to_us(1'000);
    timer.arm(wheel_kind::task_retry, 1, 0, 900);
    io.restart();
    io.poll();
    BOOST_TEST(host.fired.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_snapshot_shows_the_earliest_armed_deadline) {
    constexpr auto none = std::numeric_limits<std::int64_t>::max();
    BOOST_TEST(timer.next_due_snapshot() == none);
    timer.arm(wheel_kind::timer, 1, 1, 700);
    timer.arm(wheel_kind::timer, 1, 2, 300);
    BOOST_TEST(timer.next_due_snapshot() == 300);
    timer.start(engine);
    advance_to_us(300);
    BOOST_TEST(timer.next_due_snapshot() == 700);
}

BOOST_AUTO_TEST_CASE(nothing_fires_after_stop_or_once_the_engine_stopped_running) {
    timer.start(engine);
    timer.arm(wheel_kind::timer, 1, 1, 100);
    timer.stop();
    advance_to_us(200);
    BOOST_TEST(host.fired.empty());
    BOOST_TEST(timer.armed(wheel_kind::timer, 1, 1));   // kept, never fired

    deadline_timer other{host, time, boost::asio::make_strand(io)};
    other.start(engine);
    host.running_ = false;
    other.arm(wheel_kind::timer, 1, 2, 100);
    advance_to_us(300);
    BOOST_TEST(host.fired.empty());
}

BOOST_AUTO_TEST_CASE(a_clock_move_after_the_engine_is_gone_does_nothing) {
    timer.start(engine);
    timer.arm(wheel_kind::timer, 1, 1, 100);
    engine.reset();
    advance_to_us(200);
    BOOST_TEST(host.fired.empty());
}

BOOST_AUTO_TEST_CASE(a_failure_while_firing_is_reported_to_the_engine) {
    timer.start(engine);
    host.throw_on_fire = true;
    timer.arm(wheel_kind::timer, 1, 1, 100);
    advance_to_us(100);
    BOOST_TEST(host.failures == 1);
}

BOOST_AUTO_TEST_CASE(every_wake_lets_the_engine_do_its_periodic_work) {
    timer.start(engine);
    advance_to_us(10);
    advance_to_us(20);
    BOOST_TEST(host.wakes == 2);   // the retention sweep runs on clock moves with nothing due
}

BOOST_AUTO_TEST_SUITE_END()
