// Jobs for the engine's strand once it has run its last one. A call checks that the engine runs,
// then posts its job; an engine that shuts down in between would leave that job queued for
// good, and the caller waiting on it. So shutdown closes this gate in its last strand job: a job
// posted before runs on the strand as always, one posted after runs at once on the poster's
// thread. From the close on, every job, the strand's included, holds one lock while it runs,
// so those jobs still run one at a time; they answer that the engine stopped.
#pragma once

#include <atomic>
#include <mutex>

namespace perdure::detail {

class job_gate {
public:
    /// Calls `queue()` and returns true while the gate is open; false once it has closed.
    template <class Queue>
    bool queue_if_open(Queue&& queue) {
        std::lock_guard lock(mutex_);
        if (closed_.load(std::memory_order_relaxed)) return false;
        queue();
        return true;
    }
    /// On the strand. The caller runs the rest of its job under serialized().
    void close() {
        std::lock_guard lock(mutex_);
        closed_.store(true, std::memory_order_release);
    }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    /// Runs `job` holding the lock that jobs after the close share.
    template <class Job>
    void serialized(Job&& job) {
        std::lock_guard lock(running_);
        job();
    }

private:
    std::mutex mutex_;
    std::atomic<bool> closed_{false};
    std::recursive_mutex running_;   // a job may post another, which then runs inside it
};

}   // namespace perdure::detail
