// An engine standing by beside the live owner of a shared database (PostgreSQL) runs nothing
// itself: what its clients ask becomes an inbox command for the owner, as the CLI's commands
// do, and the owner's answer comes back to the caller. The store's sender calls run on its
// reader thread; the timers that watch for the answer run on the strand.
#pragma once

#include "store/store.hpp"
#include "support/unique_function.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <exception>
#include <memory>

namespace perdure::detail {

class owner_link {
public:
    /// How long the owner has to claim a command before it is withdrawn (it expires then too,
    /// so an owner that comes back later never applies it), and how long a claimed command's
    /// answer may take (an update waits for its handler).
    static constexpr std::chrono::seconds claim_patience{30}, answer_patience{120};
    static constexpr std::chrono::milliseconds poll_interval{20};

    using answered = unique_function<void(std::exception_ptr, inbox_answer)>;

    owner_link(store& s, boost::asio::any_io_executor strand) : store_(s), strand_(std::move(strand)) {}

    /// Leaves `command` for the owner and calls `then` on the strand with its answer, an answered
    /// failure as the perdure::error it names. `owner` keeps the engine alive while it waits:
    /// nothing is called once it is gone.
    void send(inbox_command command, std::weak_ptr<const void> owner, answered then);
    /// Shutdown, on the strand before the store closes: no further read; waiting callers hear
    /// engine_stopped at their next look.
    void stop() noexcept { stopped_ = true; }

private:
    struct exchange;
    void watch(std::shared_ptr<exchange> x);
    void check(std::shared_ptr<exchange> x);

    store& store_;
    boost::asio::any_io_executor strand_;
    bool stopped_ = false;   // strand
};

}   // namespace perdure::detail
