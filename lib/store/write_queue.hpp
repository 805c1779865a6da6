// The queue between the engine and a store's writer thread: units of writes in order, taken
// out as group-commit batches (everything queued while the previous batch committed). Both
// stores' writers use it; what they do with a batch, or when idle, is theirs.
#pragma once

#include "store/rows.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace perdure::detail {

class write_queue {
public:
    struct unit {
        std::uint64_t seq;
        std::vector<write_op> ops;
    };
    /// What the writer thread does next.
    enum class next { batch, idle, stop };

    /// Queues one unit; returns its sequence number (1, 2, ...).
    std::uint64_t push(std::vector<write_op>&& ops);
    /// Waits up to `idle_after` for units. `batch`: the oldest units, at least one, up to about
    /// `max_ops` operations. `idle`: nothing came in time. `stop`: stopping, and nothing is left.
    next wait(std::chrono::milliseconds idle_after, std::vector<unit>& batch, std::size_t max_ops = 20'000);
    /// Keeps the writer from taking a batch until as many release() calls: units about to be
    /// queued then join those already queued in one batch.
    void hold();
    void release();
    /// Asks the writer to commit what is queued and stop.
    void request_stop();
    /// Marks the writer failed: it commits nothing more.
    void fail();
    bool failed() const;
    /// Records a committed batch ending with unit `last`, which took `took` to commit.
    void committed_through(std::uint64_t last, std::chrono::steady_clock::duration took);
    std::uint64_t committed() const;
    std::uint64_t batches() const;
    /// The time the batches so far took, from the writer taking each to its commit's end.
    std::chrono::microseconds committing_time() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<unit> queue_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t committed_ = 0;
    std::uint64_t batches_ = 0;
    std::chrono::steady_clock::duration committing_{};
    int holds_ = 0;
    bool stopping_ = false;
    bool failed_ = false;
};

}   // namespace perdure::detail
