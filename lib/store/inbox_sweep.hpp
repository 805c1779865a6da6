// When a store's writer clears the inbox of commands no sender waits for any more, and which:
// every row below the mark the sweep before left (so at least one period old) that is answered,
// withdrawn, or pending past its expiry. A claimed command stays until it is answered, by the
// next owner if this one dies. Without it, every command ever sent stays in the table.
#pragma once

#include <cstdint>

namespace perdure::detail {

class inbox_sweep {
public:
    /// An engine's sender waits at most 150 s (30 s for the claim, 120 s for the answer), the
    /// CLI 35 s: five minutes is past every sender's patience.
    static constexpr std::int64_t period_us = 5 * 60 * 1'000'000;

    bool due(std::int64_t now_us) const noexcept { return swept_us_ == 0 || now_us - swept_us_ >= period_us; }
    /// Rows with a smaller id were there at the last sweep; 0 before the first, which deletes
    /// nothing.
    std::int64_t below() const noexcept { return mark_; }
    /// The sweep at `now_us` is done; `next_mark` is one past the largest id there is now.
    void done(std::int64_t now_us, std::int64_t next_mark) noexcept {
        swept_us_ = now_us;
        mark_ = next_mark;
    }

private:
    std::int64_t mark_ = 0;
    std::int64_t swept_us_ = 0;
};

}   // namespace perdure::detail
