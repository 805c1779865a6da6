// The commit pipeline: units of writes go to the store in order, and what waits for each unit
// (answering a client, dispatching an activity) runs only once the unit is committed.
#pragma once

#include "store/store.hpp"
#include "support/unique_function.hpp"

#include <cstdint>
#include <deque>
#include <exception>
#include <utility>
#include <vector>

namespace perdure::detail {

/// Something to do after a unit commits; called with null, or with the error when the unit
/// will never commit (the engine failed or stopped).
using effect = unique_function<void(std::exception_ptr)>;

/// One strand step's writes and what waits for them.
struct write_unit {
    std::vector<write_op> ops;
    std::vector<effect> effects;
    std::vector<std::int64_t> runs;   ///< runs whose history it appends to (their last_unit)
    /// Hand-offs to other runs of this engine, done as soon as the unit is queued: whatever
    /// they write is queued after it, so it commits with it or after it, never alone, and
    /// their effects wait for their own commit. A unit dropped before it is queued hands off
    /// nothing.
    std::vector<unique_function<void()>> on_queued;
};

/// Owns the write side of the store: the effects waiting for their unit and which unit is
/// committed. Strand only; the store's writer reports commits through the callbacks it was
/// opened with, and the strand passes them on to `committed`.
class commit_pipeline {
public:
    explicit commit_pipeline(store& s) noexcept : store_(s) {}

    /// Queues `ops` as one unit and keeps `effects` for its commit; returns its sequence number.
    /// A unit with no writes needs no commit of its own: its effects ride on the last unit in
    /// flight, or run at once when nothing is.
    std::uint64_t submit(std::vector<write_op>&& ops, std::vector<effect>&& effects);
    /// Units through `last` are durable: runs their effects in order. Returns how many units
    /// that released (each one `submit` queued with writes).
    long committed(std::uint64_t last);
    /// Nothing waiting will ever commit: every waiting effect hears `why`.
    void fail_waiting(std::exception_ptr why);
    /// After fail_waiting, for the store's next writer, which numbers its units from 1.
    void restart() noexcept { committed_unit_ = 0; }

    /// The last unit known to be committed.
    std::uint64_t committed_unit() const noexcept { return committed_unit_; }
    /// True when no unit is waiting for its commit.
    bool idle() const noexcept { return waiting_.empty(); }

private:
    store& store_;
    std::uint64_t committed_unit_ = 0;
    std::deque<std::pair<std::uint64_t, std::vector<effect>>> waiting_;   // by unit, oldest first
};

}   // namespace perdure::detail
