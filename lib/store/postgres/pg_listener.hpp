// What other engines sharing the database say through it, heard as it commits: the engine's
// Asio loop LISTENs on a connection of its own to the channels below and hands each NOTIFY over
// as a store_notice. The connection is made, and its socket waited on, without ever blocking
// the loop. Lost connections are made again with backoff; each new LISTEN is announced as
// `missed`, since whatever was said while nobody listened is gone.
#pragma once

#include "store/store.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace perdure::detail {

/// The channels, and who NOTIFYs them in the transaction that makes the change: a sender
/// leaving a command, the owner's batch answering one (its id), closing a run (its key), or
/// changing a namespace, a search attribute or an endpoint, offering an activity attempt to the
/// engines serving its queue (its namespace's id). Their statements (pg_writes.cpp,
/// postgres_store.cpp) spell the names out.
namespace pg_channel {
inline constexpr const char* inbox = "perdure_inbox";
inline constexpr const char* answered = "perdure_answered";
inline constexpr const char* closed = "perdure_closed";
inline constexpr const char* registry = "perdure_registry";
inline constexpr const char* tasks = "perdure_tasks";

/// The channel that carries notices of `what` ("" for `missed`, which the listener itself says).
constexpr const char* of(store_notice::kind what) noexcept {
    switch (what) {
    case store_notice::kind::inbox: return inbox;
    case store_notice::kind::answered: return answered;
    case store_notice::kind::closed: return closed;
    case store_notice::kind::registry: return registry;
    case store_notice::kind::tasks: return tasks;
    case store_notice::kind::missed: break;
    }
    return "";
}
}   // namespace pg_channel

class pg_listener {
public:
    /// Listens to `channels` from now on, on `io` (a strand of its own), and calls `heard` there.
    pg_listener(boost::asio::io_context& io, std::string uri, std::vector<std::string> channels,
                std::function<void(store_notice)> heard);
    /// Once it returns, `heard` is called no more. It does not wait for the loop: the
    /// connection is closed by the loop's next turn (or with the loop, if that never comes).
    ~pg_listener();
    pg_listener(const pg_listener&) = delete;
    pg_listener& operator=(const pg_listener&) = delete;
    /// Listens to `channels` instead, and says `missed` once it does: what was said meanwhile
    /// on the new ones was not heard. Any thread.
    void listen_to(std::vector<std::string> channels);

private:
    struct state;
    std::shared_ptr<state> state_;
};

}   // namespace perdure::detail
