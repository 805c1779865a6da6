// What other engines sharing the database say through it, heard as it commits: a thread LISTENs
// on a connection of its own to the channels below and hands each NOTIFY over as a
// store_notice. Lost connections are made again with backoff; each new LISTEN is announced as
// `missed`, since whatever was said while nobody listened is gone.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

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
}   // namespace pg_channel

class pg_listener {
public:
    pg_listener(std::string uri, std::function<void(store_notice)> heard);
    ~pg_listener();
    pg_listener(const pg_listener&) = delete;
    pg_listener& operator=(const pg_listener&) = delete;

private:
    void run();
    /// Listens on one connection until it breaks or the listener stops.
    void listen_on(pg::connection& c);

    std::string uri_;
    std::function<void(store_notice)> heard_;
    int stop_fd_ = -1;   // an eventfd, readable once the listener stops
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}   // namespace perdure::detail
