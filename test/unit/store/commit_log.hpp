// The store's commit reports collected, so a store test can wait for a unit to commit or for a
// batch to fail.
#pragma once

#include "store/store.hpp"

#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <utility>

namespace perdure::test {

/// Collects the store's commit reports so a test can wait for them.
struct commit_log {
    std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t committed = 0;
    std::promise<std::pair<std::uint64_t, detail::commit_failure>> failure;

    detail::commit_callbacks callbacks() {
        return {[this](std::uint64_t last) {
                    {
                        std::lock_guard lk(mutex);
                        committed = last;
                    }
                    changed.notify_all();
                },
                [this](std::uint64_t first, detail::commit_failure f) {
                    failure.set_value({first, std::move(f)});
                }};
    }
    /// Waits until unit `seq` is committed.
    void wait_for(std::uint64_t seq) {
        std::unique_lock lk(mutex);
        changed.wait(lk, [&] { return committed >= seq; });
    }
};

}   // namespace perdure::test
