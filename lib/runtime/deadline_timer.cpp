#include "runtime/deadline_timer.hpp"

#include <algorithm>
#include <utility>

namespace perdure::detail {
namespace {
constexpr std::int64_t max_wait_us = 1'000'000;
}   // namespace

deadline_timer::deadline_timer(deadline_timer_host& host, std::shared_ptr<clock> time, strand on)
    : host_(host), clock_(std::move(time)), timer_(on) {}

deadline_timer::~deadline_timer() {
    if (clock_subscription_) clock_->unsubscribe(clock_subscription_);
}

void deadline_timer::start(std::weak_ptr<void> alive) {
    if (started_) return;
    started_ = true;
    alive_ = std::move(alive);
    if (clock_->manual()) {
        // Called on the thread that moved the clock: the wake runs on the strand.
        clock_subscription_ = clock_->subscribe([this, alive = alive_] {
            // The clock may outlive the engine, and call this on another thread while it closes.
            if (const auto engine = alive.lock()) host_.post_job([this] { wake(); });
        });
    }
    plan();
}

void deadline_timer::stop() {
    started_ = false;
    timer_.cancel();
    if (clock_subscription_) clock_->unsubscribe(std::exchange(clock_subscription_, 0));
}

void deadline_timer::arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) {
    if (wheel_.arm(kind, run_key, seq, due_us) && started_) plan();
}

void deadline_timer::plan() {
    if (!started_ || !host_.running()) return;
    const auto next = wheel_.plan_wait();
    if (!next) {
        timer_.cancel();
        return;
    }
    const std::int64_t now = host_.now_us();
    if (clock_->manual()) {
        // Time moves only by hand: check now, and again whenever the clock is moved.
        if (*next <= now) host_.post_job([this] { wake(); });
        return;
    }
    timer_.expires_after(std::chrono::microseconds(std::clamp<std::int64_t>(*next - now, 0, max_wait_us)));
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        const auto engine = alive.lock();
        if (ec || !engine) return;
        try {
            wake();
        } catch (...) {
            host_.fail(std::current_exception());
        }
    });
}

void deadline_timer::wake() {
    if (!started_ || !host_.running()) return;
    wheel_.woke();
    const std::int64_t now = host_.now_us();
    while (auto e = wheel_.pop_due(now)) host_.fire(*e);
    plan();
    host_.after_wake();
}

}   // namespace perdure::detail
