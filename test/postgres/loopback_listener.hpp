// A TCP socket listening on a free port of the loopback interface, for tests that stand in for a
// server or between a client and one.
#pragma once

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace perdure::test {

struct loopback_listener {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int port = 0;
    loopback_listener() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t n = sizeof a;
        BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        BOOST_TEST_REQUIRE(::listen(fd, 16) == 0);
        BOOST_TEST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0);
        port = ntohs(a.sin_port);
    }
    loopback_listener(const loopback_listener&) = delete;
    ~loopback_listener() { ::close(fd); }
};

}   // namespace perdure::test
