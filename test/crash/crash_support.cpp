#include "crash_support.hpp"

#include "store/sqlite/database.hpp"
#include "support/test_store.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace perdure::test {
namespace {

/// A finished mixed workflow's result is built from the results its activities really
/// produced, in order: a|b|child|quote|fulfil|go|bumped.
void check_mixed_result(const std::string& id, const std::string& result, const std::set<std::string>& produced) {
    std::vector<std::string> parts;
    for (std::size_t from = 0;;) {
        const auto bar = result.find('|', from);
        parts.push_back(result.substr(from, bar - from));
        if (bar == std::string::npos) break;
        from = bar + 1;
    }
    BOOST_REQUIRE_EQUAL(parts.size(), 7u);
    const char* produced_parts[] = {":a#", ":b#", ":child#"};
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(parts[i].starts_with(id + produced_parts[i]), result);
        BOOST_TEST(produced.contains(parts[i]), parts[i] << " was never produced");
    }
    BOOST_TEST(parts[3] == "quote for " + id);
    BOOST_TEST(parts[4].starts_with(id + ":fulfil#"), result);
    BOOST_TEST(produced.contains(parts[4]), parts[4] << " was never produced");
    BOOST_TEST(parts[5] == "go");
    BOOST_TEST(parts[6] == "bumped");
}

}   // namespace

int slower_by() { return perdure::test::test_store() == perdure::test::store_kind::postgresql ? 5 : 1; }

stored::stored(const std::string& db)
    : store_(perdure::detail::open_store({.database = db}, perdure::detail::open_mode::reader)),
      reads_(store_->snapshot()) {}

void check_sqlite_file(const std::string& db) {
    if (perdure::test::test_store() != perdure::test::store_kind::sqlite) return;
    perdure::detail::database database(db, perdure::durability::full, perdure::detail::database::mode::owner);
    auto conn = database.connect(true);
    auto s = conn->prepare("PRAGMA integrity_check");
    BOOST_REQUIRE(s.step());
    BOOST_TEST(std::string(s.text(0)) == "ok");
}

pid_t start_torture(const std::string& db, const std::string& side, int workflows, const char* role) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string n = std::to_string(workflows);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::alarm(120);   // a life that never ends fails the test instead of hanging it
        ::execl(TORTURE_WORKER, "torture-worker", db.c_str(), side.c_str(), n.c_str(), role, nullptr);
        ::_exit(127);
    }
    return pid;
}

int run_torture(const std::string& db, const std::string& side, int workflows,
                std::optional<std::chrono::microseconds> kill_after) {
    const pid_t pid = start_torture(db, side, workflows);
    if (kill_after) {
        std::this_thread::sleep_for(*kill_after);   // the kill point, not a timing check
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
}

int check_invariants(const std::string& db, const std::string& side, bool all_done) {
    const bool sqlite = perdure::test::test_store() == perdure::test::store_kind::sqlite;
    if (sqlite && !std::filesystem::exists(db)) return 0;   // killed before it created the file
    check_sqlite_file(db);
    std::optional<stored> reads;
    try {
        reads.emplace(db);
    } catch (const perdure::not_found&) {
        if (sqlite) throw;
        return 0;   // killed before its schema committed
    }
    int mixed_completed = 0;
    using perdure::detail::event_type;
    std::map<std::string, int> handlers_per_request;
    // The snapshot is taken at its first read; the side file is read after it, so every result
    // the snapshot holds was written there first, whatever engines still run meanwhile.
    const auto runs = (*reads)->list_runs(0, std::nullopt, 100000, 0);
    const auto produced = read_lines(side);
    for (const auto& run : runs) {
        const auto history = (*reads)->history(run.run_key);
        std::map<std::int64_t, int> closes;
        for (std::size_t i = 0; i < history.size(); ++i) {
            const auto& e = history[i];
            BOOST_TEST(e.id == static_cast<std::int64_t>(i) + 1);
            if (e.type == event_type::activity_task_scheduled) closes.try_emplace(e.id, 0);
            if (e.type == event_type::activity_task_completed) {
                ++closes[e.attrs.at("scheduled_event_id").as_int64()];
                const std::string r = e.attrs.at("result").as_string().c_str();
                BOOST_TEST(produced.contains(r), "recorded result " << r << " was never produced");
            }
            if (e.type == event_type::nexus_operation_scheduled)
                handlers_per_request[e.attrs.at("request_id").as_string().c_str()];
        }
        for (const auto& [sched, n] : closes) BOOST_TEST(n <= 1);
        if (run.workflow_type == "Mixed" && run.status == perdure::detail::run_status::completed && ++mixed_completed)
            check_mixed_result(run.workflow_id, history.back().attrs.at("result").as_string().c_str(), produced);
        if (run.workflow_type == "Fulfil") ++handlers_per_request[run.request_id.str()];
        if (all_done) BOOST_TEST((run.status != perdure::detail::run_status::running), run.workflow_id);
    }
    for (const auto& [request, n] : handlers_per_request) BOOST_TEST(n <= 1, "request " << request << " started " << n);
    return mixed_completed;
}

std::string describe_open_runs(const std::string& db) {
    stored reads(db);
    std::string out;
    for (const auto& run : reads->list_runs(0, std::nullopt, 100000, 0)) {
        if (run.status != perdure::detail::run_status::running) continue;
        const auto history = reads->history(run.run_key);
        out +=
            "\n  " + run.workflow_id + " (" + run.workflow_type + ", " + std::to_string(history.size()) + " events):";
        for (std::size_t i = history.size() > 4 ? history.size() - 4 : 0; i < history.size(); ++i)
            out += std::string(" ") + perdure::detail::event_type_name(history[i].type);
    }
    return out.empty() ? " none" : out;
}

std::set<std::string> read_lines(const std::string& path) {
    std::set<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
}

}   // namespace perdure::test
