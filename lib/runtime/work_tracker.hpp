// One count of outstanding work: strand handlers, writer units, running activities and
// handlers, reader jobs. Idle means nothing can progress without time passing; the test
// environment skips virtual time only then, and says what holds it otherwise.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace perdure::detail {

class work_tracker {
public:
    enum kind { strand, writer, activity, reader, handler, kinds };

    void add(kind k, long n = 1) noexcept { counts_[k].fetch_add(n); }
    void done(kind k, long n = 1) noexcept {
        counts_[k].fetch_sub(n);
        if (quiet(false)) {
            std::lock_guard lk(mutex_);
            idle_.notify_all();
        }
    }
    bool idle() const noexcept { return quiet(true); }
    /// Nothing outstanding but (unless `count_running`) activities and handlers still running.
    bool quiet(bool count_running) const noexcept {
        for (int k = 0; k < kinds; ++k)
            if ((count_running || (k != activity && k != handler)) && counts_[k].load() != 0) return false;
        return true;
    }
    /// Waits until idle; false when `timeout` passed first.
    bool wait_idle(std::chrono::milliseconds timeout) { return wait_quiet(timeout, true); }
    bool wait_quiet(std::chrono::milliseconds timeout, bool count_running) {
        std::unique_lock lk(mutex_);
        return idle_.wait_for(lk, timeout, [&] { return quiet(count_running); });
    }
    /// What is outstanding, e.g. "1 running activity, 2 strand tasks".
    std::string holders() const;

private:
    std::array<std::atomic<long>, kinds> counts_{};
    std::mutex mutex_;
    std::condition_variable idle_;
};

/// Who is waiting for workflow progress (clients in get() or update(), the test's sleep()).
/// The test environment moves virtual time only under this gate, so time never passes after
/// a wait has ended and before the waiter has seen its answer.
class time_gate {
public:
    void add(int n) {
        std::lock_guard lk(mutex_);
        waiting_ += n;
    }
    void set_sleep_until(std::int64_t us) {
        std::lock_guard lk(mutex_);
        sleep_until_ = us;
    }
    /// Runs fn(sleep_until) with the gate held, if anyone waits.
    template <class F>
    void when_waiting(F&& fn) {
        std::lock_guard lk(mutex_);
        if (waiting_ > 0 || sleep_until_ > 0) fn(sleep_until_);
    }

private:
    std::mutex mutex_;
    int waiting_ = 0;
    std::int64_t sleep_until_ = 0;
};

}   // namespace perdure::detail
