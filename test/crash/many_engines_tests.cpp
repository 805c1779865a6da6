// Three engine processes running the torture workload on one PostgreSQL database: one owns it,
// the other two stand by and send it what their clients ask. One runs everything, one all but the
// activities (owning the data, it offers them to the others), one only the activities (it never
// owns the data, and claims what the owner offers). One of the three, chosen at random,
// is killed at random moments again and again and started again; whichever engine holds the
// data then, every workflow completes, every recorded result was produced by its activity, no
// recorded step runs again, and no history has a gap or a duplicate.
#include "crash_support.hpp"

#include "support/temp_dir.hpp"
#include "support/test_store.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <csignal>
#include <random>
#include <sys/wait.h>
#include <thread>

namespace {

using namespace perdure::test;

constexpr int engines = 3, workflows = 12;
constexpr std::array<const char*, engines> roles{"full", "workflows", "activities"};
constexpr int activities_only = 2;

/// The exit status of a process that ended, or nullopt while it runs (minus the signal that
/// killed it, if one did).
std::optional<int> ended(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
    return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

/// One workload on a fresh database: the engines run until each has seen every workflow complete,
/// one of them killed and started again every now and then while `kills` is below `wanted`.
/// The activities-only engine runs until the others are done, and is stopped then. The database
/// is checked in full at the end.
void run_workload(const temp_dir& dir, const std::string& side, std::mt19937& rng, int& kills, int wanted) {
    const auto db = fresh_database(dir);
    std::array<pid_t, engines> pids{};
    std::array<bool, engines> finished{};
    for (int i = 0; i < engines; ++i) pids[i] = start_torture(db, side, workflows, roles[i]);
    for (int done = 0; done < engines;) {
        // The kill point, not a timing check: a life opens, stands by or owns, and runs for a while.
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
        for (int i = 0; i < engines; ++i)
            if (!finished[i])
                if (const auto status = ended(pids[i])) {
                    BOOST_REQUIRE_MESSAGE(*status == 0, "engine " << i << " ended with status " << *status
                                                                  << "; open runs:" << describe_open_runs(db));
                    finished[i] = true;
                    ++done;
                }
        if (done == engines - 1 && !finished[activities_only]) {   // its work is over
            ::kill(pids[activities_only], SIGKILL);
            ::waitpid(pids[activities_only], nullptr, 0);
            finished[activities_only] = true;
            ++done;
        }
        if (done == engines || kills >= wanted) continue;
        int victim = static_cast<int>(rng() % engines);
        while (finished[victim]) victim = (victim + 1) % engines;
        ::kill(pids[victim], SIGKILL);
        ::waitpid(pids[victim], nullptr, 0);
        ++kills;
        check_invariants(db, side, false);
        pids[victim] = start_torture(db, side, workflows, roles[victim]);
    }
    BOOST_TEST(check_invariants(db, side, true) == workflows);
}

}   // namespace

BOOST_AUTO_TEST_CASE(three_engines_on_one_database_and_one_killed_again_and_again) {
    if (test_store() != store_kind::postgresql) {
        BOOST_TEST_MESSAGE("engines share a database on PostgreSQL only; this pass runs on SQLite");
        return;
    }
    const char* env = std::getenv("PERDURE_MANY_ENGINE_KILLS");
    const int kills_wanted = env ? std::atoi(env) : 30;
    temp_dir dir;
    const auto side = dir.file("side.log");
    std::mt19937 rng(31);
    int kills = 0, workloads = 0;
    while (kills < kills_wanted) {
        run_workload(dir, side, rng, kills, kills_wanted);
        ++workloads;
    }
    BOOST_TEST_MESSAGE(kills << " kills among " << engines << " engines, " << workloads << " workloads completed");
}
