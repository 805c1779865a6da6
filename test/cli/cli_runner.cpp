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

cli_process::cli_process(const std::vector<std::string>& args, const std::string& db_env)
    : deadline_(std::chrono::steady_clock::now() + std::chrono::seconds(60)) {
    std::vector<std::string> argv{PERDURE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = environment_with(db_env);
    auto argv_p = pointers(argv);
    auto env_p = pointers(env);
    int out[2], err[2];
    make_pipe(out);
    make_pipe(err);
    pid_ = ::fork();
    if (pid_ == 0) {
        // Never a terminal: a command that would ask a question refuses instead.
        if (const int null = ::open("/dev/null", O_RDONLY); null >= 0) ::dup2(null, 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execve(argv_p[0], argv_p.data(), env_p.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    fds_[0] = out[0];
    fds_[1] = err[0];
}

cli_process::~cli_process() {
    if (pid_ < 0) return;
    ::kill(pid_, SIGKILL);
    finish();
}

bool cli_process::pump(int ms) {
    if (std::chrono::steady_clock::now() > deadline_ && !killed_) {
        ::kill(pid_, SIGKILL);
        killed_ = true;
        BOOST_ERROR("perdure did not finish within 60 s");
    }
    pollfd fds[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
    std::string* sinks[2] = {&result_.out, &result_.err};
    if (fds_[0] < 0 && fds_[1] < 0) return false;
    if (::poll(fds, 2, ms) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
        if (fds_[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        const auto n = ::read(fds_[i], buf, sizeof buf);
        if (n > 0) {
            sinks[i]->append(buf, static_cast<std::size_t>(n));
        } else {
            ::close(fds_[i]);
            fds_[i] = -1;
        }
    }
    return fds_[0] >= 0 || fds_[1] >= 0;
}

bool cli_process::read_until(std::string_view text) {
    while (result_.out.find(text) == std::string::npos)
        if (!pump(1000)) return result_.out.find(text) != std::string::npos;
    return true;
}

cli_result cli_process::finish() {
    while (pump(1000)) {
    }
    if (pid_ >= 0) {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        result_.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
    }
    return result_;
}

cli_result run_cli(const std::vector<std::string>& args, const std::string& db_env) {
    return cli_process(args, db_env).finish();
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
