// The inbox poller: commands from other processes (the perdure CLI beside a running engine) are
// read from the store's inbox on a timer, claimed atomically (so a CLI that withdrew its command
// knows it did not run), handed to the engine once their claim is committed, and answered
// through the store. It owns the timer and which commands are being claimed; what a command
// does is the engine's (`inbox_host::apply`). Strand only.
#pragma once

#include "runtime/commit_pipeline.hpp"

#include <perdure/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace perdure::detail {

/// What a call hears when its engine gave the data to another engine before answering it: the
/// call was not applied here, and made again it goes to the new owner. A command that heard it
/// is put back when it would be at a shutdown (the next owner makes it); an update, which may
/// have been accepted, is answered as unfinished, so that its sender sends it again.
class data_moved : public storage_error {
public:
    using storage_error::storage_error;
};

/// Commits the answer to a command: the result, or the failure the exception says. Copyable:
/// a command may pass it on through more than one entry point.
using answer_sender = std::function<void(std::exception_ptr, inbox_answer)>;

/// What the poller needs of the engine around it, and nothing more.
class inbox_host {
public:
    /// Commands waiting in the store, at most `limit`; `now_wall_us` is the wall time their
    /// expiry is measured in.
    virtual std::vector<pending_command> pending_commands(std::int64_t now_wall_us, std::size_t limit) = 0;
    virtual std::uint64_t commit(write_unit&& unit) = 0;
    /// False once the engine is stopping or failed: polling ends.
    virtual bool takes_commands() const = 0;
    /// Called after every poll, whether or not it read anything.
    virtual void after_poll() = 0;
    /// Applies a claimed command through the engine's entry points; `answer` is called once
    /// with its outcome.
    virtual void apply(inbox_command& command, answer_sender answer) = 0;

protected:
    ~inbox_host() = default;
};

class inbox_poller {
public:
    static constexpr std::chrono::milliseconds default_interval{50};
    /// When the store announces every new command (PostgreSQL's NOTIFY, and `missed` after a
    /// lost connection), a poll is only a safety net.
    static constexpr std::chrono::milliseconds announced_interval{1000};
    /// Commands claimed per poll; the rest wait for the next one.
    static constexpr std::size_t batch = 32;

    /// `strand` runs the timer's handler; every other call is made on it too.
    inbox_poller(inbox_host& host, boost::asio::any_io_executor strand,
                 std::chrono::milliseconds interval = default_interval);

    /// Polls every interval from now on, while `owner` lives and the host takes commands.
    /// `owner` is what keeps the poller alive (the engine holding it): a timer that fired just
    /// before the engine was destroyed still has its handler queued, and the handler touches
    /// the poller only after locking `owner`, so it can neither run on a destroyed poller nor
    /// let the engine go away under it.
    void start(std::weak_ptr<const void> owner);
    /// From the next poll on, polls every `interval`.
    void poll_every(std::chrono::milliseconds interval) { interval_ = interval; }
    /// No further poll (shutdown): the timer's wait is cancelled.
    void stop() { timer_.cancel(); }

    /// One poll: each pending command not already being claimed gets a claim of its own, and
    /// is applied once that claim commits, if it took the command. A read that came back full
    /// polls again once its claims are in. The timer calls it; public so tests can poll without
    /// waiting for the timer.
    void poll();
    /// A poll on the strand soon, unless one is already queued: a burst of notices of new
    /// commands (one per command sent) makes one read, not one each. `owner` as for start().
    void poll_soon(std::weak_ptr<const void> owner);
    /// For an owner handing its data over: the commands whose claims are queued or committed but
    /// which were not applied yet are not applied by this engine; the unit returned puts them
    /// back for the next owner to claim (no ops when there are none). No command is claimed
    /// after it, until the next start().
    write_unit release_unapplied();
    /// Commands applied and not answered yet.
    bool answering() const noexcept { return !applying_.empty(); }

private:
    void arm(std::weak_ptr<const void> owner);   ///< the timer's next poll
    void claimed(pending_command pending);
    /// `put_back`: a command this engine stopping left unmade goes back for the next owner.
    answer_sender answer_for(std::int64_t id, bool put_back);

    inbox_host& host_;
    std::chrono::milliseconds interval_;
    boost::asio::steady_timer timer_;
    std::set<std::int64_t> claiming_;   // ids whose claim is in flight: not claimed twice
    std::set<std::int64_t> released_;   // claimed, then put back unapplied: their claims apply nothing
    std::set<std::int64_t> applying_;   // applied, their answers not queued yet
    bool releasing_ = false;            // release_unapplied() was called: claim nothing more
    bool more_ = false;                 // the last read was full: read again once its claims are in
    bool poll_queued_ = false;          // a poll_soon() is on its way to the strand
};

}   // namespace perdure::detail
