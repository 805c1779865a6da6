// What tests of engines beside a database's owner share: waiting for what another engine does,
// reading a child process's word, finding an event, and a forked engine process whose work
// says it runs and never finishes, until the test kills it.
#pragma once

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

namespace perdure::test {

/// Waits for what another engine does: true once `done`, false after 20 s.
template <class F>
bool soon(F done) {
    for (const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < give_up; std::this_thread::sleep_for(std::chrono::milliseconds(5)))
        if (done()) return true;
    return false;
}

inline std::string read_line(int fd) {
    std::string line;
    for (char c; ::read(fd, &c, 1) == 1 && c != '\n';) line += c;
    return line;
}

inline const perdure::history_event& first(const std::vector<perdure::history_event>& h, const std::string& type) {
    for (const auto& e : h)
        if (e.event_type == type) return e;
    BOOST_FAIL("no " + type + " event");
    return h.front();
}

/// In a stuck_process: where its work says it runs.
inline int stuck_fd = -1;
/// The body of work that never finishes: it says it runs, then waits for its process to die.
[[noreturn]] inline void run_stuck() {
    (void)!::write(stuck_fd, "running\n", 8);
    for (;;) ::pause();
}

/// A child process, forked before the test process has threads, that opens an engine once told
/// to go (`open(uri)` makes it, started), claims work whose body is run_stuck(), and is killed
/// once that work runs.
class stuck_process {
public:
    template <class Open>
    stuck_process(const std::string& uri, Open open) {
        BOOST_REQUIRE(::pipe(go_) == 0);
        BOOST_REQUIRE(::pipe(running_) == 0);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(go_[1]);
            ::close(running_[0]);
            if (read_line(go_[0]) != "go") ::_exit(1);
            stuck_fd = running_[1];
            const auto engine = open(uri);
            for (;;) ::pause();
        }
        ::close(go_[0]);
        ::close(running_[1]);
    }
    stuck_process(const stuck_process&) = delete;
    ~stuck_process() {
        ::close(go_[1]);
        ::close(running_[0]);
    }

    /// Lets it open its engine (once the owner is up).
    void go() { (void)!::write(go_[1], "go\n", 3); }
    /// Waits until its work runs, then kills it with SIGKILL; false when it never said so.
    bool kill_once_running() {
        const bool ran = read_line(running_[0]) == "running";
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        return ran;
    }

private:
    int go_[2] = {-1, -1}, running_[2] = {-1, -1};
    pid_t pid_ = -1;
};

}   // namespace perdure::test
