#include "store/postgres/pg_listener.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace perdure::detail {
namespace {

std::int64_t number_in(const std::string& payload) {
    std::int64_t n = 0;
    std::from_chars(payload.data(), payload.data() + payload.size(), n);
    return n;
}

}   // namespace

pg_listener::pg_listener(std::string uri, std::function<void(store_notice)> heard)
    : uri_(std::move(uri)), heard_(std::move(heard)), stop_fd_(::eventfd(0, EFD_CLOEXEC)) {
    if (stop_fd_ < 0) throw storage_error("cannot make the database listener's wake-up descriptor");
    thread_ = std::thread([this] { run(); });
}

pg_listener::~pg_listener() {
    stopping_ = true;
    const std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    thread_.join();
    ::close(stop_fd_);
}

void pg_listener::run() {
    auto delay = std::chrono::milliseconds(100);
    while (!stopping_) {
        try {
            pg::connection c(uri_, "perdure listener");
            for (const char* channel :
                 {pg_channel::inbox, pg_channel::answered, pg_channel::closed, pg_channel::registry, pg_channel::tasks})
                c.run((std::string("LISTEN ") + channel).c_str());
            delay = std::chrono::milliseconds(100);
            heard_({store_notice::kind::missed, 0});
            listen_on(c);
        } catch (const pg::failure&) {
            // The server is away or the connection broke: listened to again after a pause.
        }
        pollfd stop{stop_fd_, POLLIN, 0};
        ::poll(&stop, 1, static_cast<int>(delay.count()));
        delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
}

void pg_listener::listen_on(pg::connection& c) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {c.socket(), POLLIN, 0}};
    while (!stopping_) {
        if (::poll(fds, 2, -1) < 0) continue;   // EINTR
        if (fds[0].revents) return;
        if (!fds[1].revents) continue;
        for (const auto& n : c.take_notifications()) {
            if (n.channel == pg_channel::inbox)
                heard_({store_notice::kind::inbox, 0});
            else if (n.channel == pg_channel::answered)
                heard_({store_notice::kind::answered, number_in(n.payload)});
            else if (n.channel == pg_channel::closed)
                heard_({store_notice::kind::closed, number_in(n.payload)});
            else if (n.channel == pg_channel::registry)
                heard_({store_notice::kind::registry, 0});
            else if (n.channel == pg_channel::tasks)
                heard_({store_notice::kind::tasks, number_in(n.payload)});
        }
    }
}

}   // namespace perdure::detail
