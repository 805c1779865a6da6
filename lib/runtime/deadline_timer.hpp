// The engine's waiting for its deadlines: the wheel of every armed deadline, and one Asio timer
// for the earliest (re-checked at least every second, so wall-clock jumps behave), or, with a
// manual clock, the clock's moves. What a due deadline does is the engine's (fire()).
#pragma once

#include "runtime/deadline_wheel.hpp"
#include "support/unique_function.hpp"

#include <perdure/clock.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <exception>
#include <memory>

namespace perdure::detail {

/// What the timer needs of the engine.
class deadline_timer_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// False once the engine stops or failed: nothing is waited for any more.
    virtual bool running() const = 0;
    /// An entry came due (it is no longer armed).
    virtual void fire(const wheel_entry& e) = 0;
    /// After each wake, when the due entries have fired.
    virtual void after_wake() = 0;
    /// Runs `job` on the strand; a failure in it fails the engine.
    virtual void post_job(unique_function<void()> job) = 0;
    virtual void fail(std::exception_ptr e) noexcept = 0;

protected:
    ~deadline_timer_host() = default;
};

class deadline_timer {
public:
    using strand = boost::asio::strand<boost::asio::io_context::executor_type>;
    deadline_timer(deadline_timer_host& host, std::shared_ptr<clock> time, strand on);
    deadline_timer(const deadline_timer&) = delete;
    deadline_timer& operator=(const deadline_timer&) = delete;
    ~deadline_timer();

    /// Starts waiting (armed entries already due fire at once). `alive` expires with the
    /// engine: a wake that arrives after it is ignored. Strand only, as all but the snapshot.
    void start(std::weak_ptr<void> alive);
    /// Stops waiting; armed entries stay armed but never fire.
    void stop();

    /// Arms (or moves) an entry; waits again when it is now the earliest.
    void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us);
    void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) { wheel_.disarm(kind, run_key, seq); }
    /// Removes every deadline of a run.
    void disarm_run(std::int64_t run_key) { wheel_.disarm_run(run_key); }
    /// Stops, with nothing armed: the engine no longer owns the runs (start() arms them anew).
    void forget_all() {
        stop();
        wheel_.clear();
    }
    bool armed(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const {
        return wheel_.due_of(kind, run_key, seq).has_value();
    }
    /// The earliest armed due time, readable from any thread; INT64_MAX when none.
    std::int64_t next_due_snapshot() const noexcept { return wheel_.next_due_snapshot(); }
    std::size_t size() const noexcept { return wheel_.size(); }

private:
    /// Plans the wait for the earliest entry.
    void plan();
    /// Fires every due entry, then plans again.
    void wake();

    deadline_timer_host& host_;
    std::shared_ptr<clock> clock_;
    boost::asio::steady_timer timer_;
    deadline_wheel wheel_;
    std::weak_ptr<void> alive_;
    std::uint64_t clock_subscription_ = 0;
    bool started_ = false;
};

}   // namespace perdure::detail
