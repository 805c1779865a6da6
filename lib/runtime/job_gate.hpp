// Jobs for the engine's strand once it has run its last one. A call checks that the engine runs,
// then posts its job; an engine that shuts down in between would leave that job queued for
// good, and the caller waiting on it. So shutdown closes this gate in its last strand job: a job
// posted before runs on the strand as always, one posted after runs at once on the poster's
// thread. From the close on, every job, the strand's included, holds one lock while it runs,
// so those jobs still run one at a time; they answer that the engine stopped.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>

namespace perdure::detail {

class job_gate {
public:
    /// Calls `queue()` and returns true while the gate is open; false once it has closed. No lock:
    /// the engine's threads post all the time, and close() waits for those it might miss.
    template <class Queue>
    bool queue_if_open(Queue&& queue) {
        posting_.fetch_add(1);   // seq_cst, as closed_ and close(): one of the two sees the other
        const struct leaving {
            std::atomic<int>& posting;
            ~leaving() { posting.fetch_sub(1); }
        } left{posting_};
        if (closed_.load()) return false;
        queue();
        return true;
    }
    /// On the strand. Returns once no post that saw the gate open is still queueing its job; the
    /// caller runs the rest of its job under serialized().
    void close() {
        closed_.store(true);
        while (posting_.load() != 0) std::this_thread::yield();
    }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    /// Runs `job` holding the lock that jobs after the close share.
    template <class Job>
    void serialized(Job&& job) {
        std::lock_guard lock(running_);
        job();
    }

private:
    std::atomic<int> posting_{0};
    std::atomic<bool> closed_{false};
    std::recursive_mutex running_;   // a job may post another, which then runs inside it
};

}   // namespace perdure::detail
