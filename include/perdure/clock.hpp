// The engine's only source of time. The system clock in production; a manual clock that tests
// move by hand, so no test sleeps to wait for a timer, a timeout or a retry backoff.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace perdure {

class clock {
public:
    using time_point = std::chrono::system_clock::time_point;
    virtual ~clock() = default;
    virtual time_point now() const = 0;
    /// True when time moves only by hand: the engine then waits for changes instead of
    /// arming wall-clock timers.
    virtual bool manual() const noexcept { return false; }

    /// Calls `fn` whenever time is moved by hand; returns an id for unsubscribe().
    std::uint64_t subscribe(std::function<void()> fn);
    void unsubscribe(std::uint64_t id);

protected:
    void notify();

private:
    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;
};

/// The system clock (the default when engine_options::clock is null).
std::shared_ptr<clock> system_clock();

/// A clock that stands still until advanced.
class manual_clock : public clock {
public:
    /// Starts at `start`, or at 2025-01-01T00:00:00Z when not given.
    explicit manual_clock(time_point start = {});
    time_point now() const override;
    bool manual() const noexcept override { return true; }
    void advance(std::chrono::nanoseconds d);
    void set(time_point t);

private:
    mutable std::mutex time_mutex_;
    time_point now_;
};

}   // namespace perdure
