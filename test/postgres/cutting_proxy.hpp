// A loopback TCP port in front of the test cluster's Unix socket that forwards every connection
// as it is and, once armed, cuts the next connection whose server answers a COMMIT just before
// that answer reaches the client: the transaction committed and the client cannot know it, as
// when a network drops at the worst moment.
#pragma once

#include "loopback_listener.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <list>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace perdure::test {

class cutting_proxy {
public:
    explicit cutting_proxy(std::string server_socket)
        : server_socket_(std::move(server_socket)), accepting_([this] { accept_all(); }) {}
    cutting_proxy(const cutting_proxy&) = delete;
    ~cutting_proxy() {
        stopping_ = true;
        accepting_.join();
        for (auto& t : pumps_) t.join();
    }

    /// The database of `cluster_uri` (postgresql://perdure@/NAME?host=...) through this proxy, on
    /// `host` (an address or a name of the loopback interface); no SSL or GSS negotiation, whose
    /// bytes would not be framed as messages.
    std::string uri(const std::string& cluster_uri, const std::string& host = "127.0.0.1") const {
        const auto from = cluster_uri.find("@/") + 2;
        return "postgresql://perdure@" + host + ":" + std::to_string(listener_.port) + "/" +
               cluster_uri.substr(from, cluster_uri.find('?') - from) + "?sslmode=disable&gssencmode=disable";
    }
    void arm() { armed_ = true; }
    bool cut() const { return cut_; }

private:
    void accept_all() {
        while (!stopping_) {
            pollfd p{listener_.fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            const int client = ::accept(listener_.fd, nullptr, nullptr);
            if (client < 0) continue;
            const int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un u{};
            u.sun_family = AF_UNIX;
            std::strncpy(u.sun_path, server_socket_.c_str(), sizeof u.sun_path - 1);
            if (::connect(server, reinterpret_cast<sockaddr*>(&u), sizeof u) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            pumps_.emplace_back([this, client, server] { pump(client, server); });
        }
    }

    /// Forwards both ways until either side closes; the server's bytes message by message
    /// (a type byte and a 32-bit length that counts itself), so a cut falls between two.
    void pump(int client, int server) {
        std::vector<char> from_server;
        char buf[8192];
        for (bool open = true; open && !stopping_;) {
            pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(p, 2, 20) <= 0) continue;
            if (p[0].revents) {
                const auto n = ::read(client, buf, sizeof buf);
                open = n > 0 && ::write(server, buf, static_cast<std::size_t>(n)) == n;
            }
            if (open && p[1].revents) {
                const auto n = ::read(server, buf, sizeof buf);
                open = n > 0;
                if (open) from_server.insert(from_server.end(), buf, buf + n);
                open = open && forward(client, from_server);
            }
        }
        ::close(client);
        ::close(server);
    }

    /// Sends the complete messages in `pending` on; false once it cut the connection.
    bool forward(int client, std::vector<char>& pending) {
        std::size_t at = 0;
        while (pending.size() - at >= 5) {
            std::uint32_t len = 0;
            std::memcpy(&len, pending.data() + at + 1, 4);
            const std::size_t size = 1 + ntohl(len);
            if (pending.size() - at < size) break;
            const bool commit_answered =
                pending[at] == 'C' && std::string(pending.data() + at + 5, size - 5).rfind("COMMIT", 0) == 0;
            if (commit_answered && armed_.exchange(false)) {
                cut_ = true;
                return false;
            }
            if (::write(client, pending.data() + at, size) != static_cast<ssize_t>(size)) return false;
            at += size;
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(at));
        return true;
    }

    std::string server_socket_;
    loopback_listener listener_;
    std::atomic<bool> stopping_{false}, armed_{false}, cut_{false};
    std::list<std::thread> pumps_;   // the accepting thread's; joined once it stopped
    std::thread accepting_;          // last: it uses the members above
};

}   // namespace perdure::test
