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
#include <unordered_map>

namespace perdure::detail {

class owner_link {
public:
    /// How long the owner has to claim a command before it is withdrawn (it expires then too,
    /// so an owner that comes back later never applies it), and how long a claimed command's
    /// answer may take (an update waits for its handler).
    static constexpr std::chrono::seconds claim_patience{30}, answer_patience{120};
    /// How often a waiting caller reads its command's state: often when nothing tells it of
    /// answers (the store has no notices), rarely, as a safety net, when something does.
    static constexpr std::chrono::milliseconds poll_interval{20}, fallback_interval{1000};

    using answered = unique_function<void(std::exception_ptr, inbox_answer)>;

    owner_link(store& s, boost::asio::any_io_executor strand) : store_(s), strand_(std::move(strand)) {}

    /// Leaves `command` for the owner and calls `then` on the strand with its answer, an answered
    /// failure as the perdure::error it names. `owner` keeps the engine alive while it waits:
    /// nothing is called once it is gone.
    void send(inbox_command command, std::weak_ptr<const void> owner, answered then);
    /// Shutdown, on the strand before the store closes: no further read; waiting callers hear
    /// engine_stopped (at once, or at their next look for those still being sent).
    void stop();

    // On the strand, from the store's notices.
    /// Answers will be told of: commands are read at the fallback interval only.
    void hears_answers() noexcept { interval_ = fallback_interval; }
    /// Command `id` was answered: its caller looks at once.
    void heard_answer(std::int64_t id);
    /// Answers may have gone unheard: every caller looks at once.
    void heard_all();

private:
    struct exchange;
    /// Leaves the command in the inbox and waits for its answer.
    void submit(std::shared_ptr<exchange> x, inbox_command command);
    /// Sends the exchange's command again (its owner stopped before it finished).
    void send_again(std::shared_ptr<exchange> x);
    void watch(std::shared_ptr<exchange> x);
    void look(std::shared_ptr<exchange> x);
    void check(std::shared_ptr<exchange> x);
    /// Hands the outcome to the caller on the strand; the command is no longer waited for.
    void finish(std::shared_ptr<exchange> x, std::exception_ptr e, inbox_answer answer = {});

    store& store_;
    boost::asio::any_io_executor strand_;
    bool stopped_ = false;   // strand
    std::chrono::milliseconds interval_ = poll_interval;
    std::unordered_map<std::int64_t, std::shared_ptr<exchange>> waiting_;   // strand: by command id
};

}   // namespace perdure::detail
