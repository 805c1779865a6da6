// The activity pool's threads as the strand accounts for them. A blocking attempt reserves a
// thread before it is posted to the pool, so no attempt ever waits inside the pool where its
// schedule-to-start timeout could not see it; attempts that find every thread busy wait here,
// oldest first. Strand only, except the pool's own threads.
#pragma once

#include "runtime/activity_task.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

namespace perdure::detail {

class activity_threads {
public:
    explicit activity_threads(std::size_t count) : count_(count < 1 ? 1 : count), pool_(count_) {}

    /// Reserves a free thread; false when all are busy.
    bool try_reserve() noexcept {
        if (busy_ >= count_) return false;
        ++busy_;
        return true;
    }
    /// A reserved thread is free again (its attempt ended, or never started).
    void release() noexcept { --busy_; }
    /// The attempt waits for a free thread.
    void wait_for_thread(const task_key& key) { waiting_.push_back(key); }
    /// The oldest waiting attempt that `still_waits` accepts, with a thread reserved for it;
    /// none when no thread is free or nobody waits. Those it refuses leave the queue.
    template <class Predicate>
    std::optional<task_key> take_next(Predicate still_waits);

    /// Runs `job` on a thread reserved for it.
    template <class F>
    void run(F&& job) {
        boost::asio::post(pool_, std::forward<F>(job));
    }
    /// Waits for every job to finish; no more may be run.
    void join() { pool_.join(); }

private:
    std::size_t count_;
    std::size_t busy_ = 0;   // running, or reserved for, an attempt
    std::deque<task_key> waiting_;
    boost::asio::thread_pool pool_;
};

template <class Predicate>
std::optional<task_key> activity_threads::take_next(Predicate still_waits) {
    while (busy_ < count_ && !waiting_.empty()) {
        const auto key = waiting_.front();
        waiting_.pop_front();
        if (!still_waits(key)) continue;
        ++busy_;
        return key;
    }
    return std::nullopt;
}

}   // namespace perdure::detail
