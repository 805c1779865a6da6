// Jobs for the engine's strand once it has run its last one. A call checks that the engine runs,
// then posts its job; an engine that shuts down in between would leave that job queued for
// good, and the caller waiting on it. So shutdown closes this gate before its last strand job:
// a job posted before runs on the strand as always, one posted after runs at once on the
// poster's thread, one at a time, and answers that the engine stopped.
#pragma once

#include <mutex>

namespace perdure::detail {

class job_gate {
public:
    /// Calls `queue()` and returns true while the gate is open; false once it has closed.
    template <class Queue>
    bool queue_if_open(Queue&& queue) {
        std::lock_guard lock(mutex_);
        if (closed_) return false;
        queue();
        return true;
    }
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    /// Runs a job that came after the gate closed. What it throws is dropped: the engine has
    /// stopped, so there is nothing left to fail.
    template <class Job>
    void run_late(Job& job) noexcept {
        std::lock_guard lock(late_);
        try {
            job();
        } catch (...) {
        }
    }

private:
    std::mutex mutex_;
    bool closed_ = false;
    std::recursive_mutex late_;   // a late job may post another
};

}   // namespace perdure::detail
