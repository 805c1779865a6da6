// fork/exec with pipes for the CLI tests. Both output pipes are drained together (poll), so
// a command that writes much to one of them cannot block on the other.
#include "cli_runner.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace perdure::test {
namespace {

std::vector<std::string> environment_with(const std::string& db_env) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "PERDURE_DB=", 11) != 0) env.emplace_back(*e);
    if (!db_env.empty()) env.push_back("PERDURE_DB=" + db_env);
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
}

}   // namespace

std::vector<std::string> words(std::string_view line) {
    std::istringstream in{std::string(line)};
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

cli_result run_cli(const std::vector<std::string>& args, const std::string& db_env) {
    std::vector<std::string> argv{PERDURE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = environment_with(db_env);
    auto argv_p = pointers(argv);
    auto env_p = pointers(env);
    int out[2], err[2];
    make_pipe(out);
    make_pipe(err);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execve(argv_p[0], argv_p.data(), env_p.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    cli_result r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open = 2;
    while (open > 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            BOOST_ERROR("perdure did not finish within 60 s");
            break;
        }
        if (::poll(fds, 2, 1000) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            const auto n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

engine_host::engine_host(const std::string& db) {
    int in[2], out[2];
    make_pipe(in);
    make_pipe(out);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::execl(ENGINE_HOST, "engine-host", db.c_str(), nullptr);
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    input_ = in[1];
    // Waiting for its "ready" line is waiting on the event, not on time.
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    if (line != "ready") {
        stop();
        throw std::runtime_error("engine-host did not start (it said '" + line + "')");
    }
}

engine_host::~engine_host() { stop(); }

int engine_host::stop() {
    if (pid_ < 0) return 0;
    ::close(input_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}   // namespace perdure::test
