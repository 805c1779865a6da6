// Load: many concurrent workflows, each receiving a numbered stream of signals from its own
// sender thread while other threads query and update random workflows. Every workflow checks
// that its signals arrived complete and in order; memory must stay bounded. Sizes come from
// PERDURE_LOAD_WORKFLOWS and PERDURE_LOAD_SIGNALS (defaults sized for CI; the full run is
// 10,000 workflows and 100,000 signals).
#define BOOST_TEST_MODULE perdure load
#include "support/temp_dir.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/allocator_interface.h>
#define PERDURE_UNDER_ASAN 1
#endif
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

struct tally {
    int received = 0;
    bool in_order = true;
    int checkpoints = 0;
};
BOOST_DESCRIBE_STRUCT(tally, (), (received, in_order, checkpoints))

/// Receives signals numbered 0, 1, 2, … until -1; a query reads the count, an update records
/// a checkpoint.
perdure::workflow<tally> mailbox(perdure::workflow_context& ctx) {
    tally t;
    ctx.set_query_handler("received", [&] { return t.received; });
    ctx.set_update_handler("checkpoint", [&](int) -> perdure::workflow<int> { co_return ++t.checkpoints; });
    auto numbers = ctx.signal_channel<int>("n");
    for (int n; (n = co_await numbers.receive()) >= 0; ++t.received)
        if (n != t.received) t.in_order = false;
    co_return t;
}
const perdure::workflow_def mailbox_workflow{"Mailbox", &mailbox};

int env_or(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

/// The memory the process holds: resident pages, or under AddressSanitizer (whose quarantine
/// keeps freed blocks resident on purpose) the bytes allocated and not yet freed.
std::size_t memory_in_use() {
#ifdef PERDURE_UNDER_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
#endif
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}   // namespace

BOOST_AUTO_TEST_CASE(signals_to_many_workflows_arrive_complete_and_in_order_under_queries_and_updates) {
    const int workflows = env_or("PERDURE_LOAD_WORKFLOWS", 2000);
    const int signals = env_or("PERDURE_LOAD_SIGNALS", 20000);
    constexpr int senders = 16;
    perdure::test::temp_dir dir;
    perdure::engine engine({.database = dir.file("load.db")});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "load").register_workflow(mailbox_workflow);
    engine.start();
    auto client = engine.client_for("default");
    const auto rss_before = memory_in_use();

    auto t0 = std::chrono::steady_clock::now();
    std::vector<perdure::workflow_handle<tally>> runs;
    runs.reserve(static_cast<std::size_t>(workflows));
    for (int i = 0; i < workflows; ++i)
        runs.push_back(
            client.start_workflow(mailbox_workflow, {.id = "mailbox-" + std::to_string(i), .task_queue = "load"}));
    const double start_seconds = seconds_since(t0);

    // Signal k goes to workflow k % workflows; each workflow is fed by exactly one sender, so
    // its numbers are sent in order and must be received in order.
    std::vector<int> per_workflow(static_cast<std::size_t>(workflows), 0);
    for (int k = 0; k < signals; ++k) ++per_workflow[static_cast<std::size_t>(k % workflows)];
    std::atomic<bool> sending{true};
    std::atomic<int> queries{0}, updates{0};
    std::vector<std::thread> readers;
    for (int q = 0; q < 2; ++q)
        readers.emplace_back([&, q] {
            std::mt19937 rng(static_cast<unsigned>(q));
            while (sending) {
                auto& run = runs[rng() % runs.size()];
                if (q == 0) {
                    BOOST_TEST(run.query<int>("received") >= 0);
                    ++queries;
                } else {
                    run.update<int>("checkpoint", 0);
                    ++updates;
                }
            }
        });
    t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int s = 0; s < senders; ++s)
        threads.emplace_back([&, s] {
            for (int w = s; w < workflows; w += senders)
                for (int n = 0; n < per_workflow[static_cast<std::size_t>(w)]; ++n)
                    runs[static_cast<std::size_t>(w)].signal("n", n);
        });
    for (auto& t : threads) t.join();
    const double signal_seconds = seconds_since(t0);
    sending = false;
    for (auto& t : readers) t.join();

    for (auto& run : runs) run.signal("n", -1);   // the end of each stream
    int lost_or_reordered = 0, checkpoints = 0;
    for (int w = 0; w < workflows; ++w) {
        const auto t = runs[static_cast<std::size_t>(w)].get();
        if (t.received != per_workflow[static_cast<std::size_t>(w)] || !t.in_order) ++lost_or_reordered;
        checkpoints += t.checkpoints;
    }
    const auto rss_after = memory_in_use();
    BOOST_TEST(lost_or_reordered == 0);
    BOOST_TEST(checkpoints == updates.load());
    // Bounded: the workflow cache holds at most workflow_cache_size (default 1,000) runs, so
    // the growth is that, the SQLite page cache and allocator slack, not one entry per signal.
    const double growth_mib = (static_cast<double>(rss_after) - static_cast<double>(rss_before)) / (1 << 20);
    BOOST_TEST(growth_mib < 256.0);
    BOOST_TEST_MESSAGE(workflows << " workflows started at " << static_cast<int>(workflows / start_seconds) << "/s; "
                                 << signals << " signals at " << static_cast<int>(signals / signal_seconds)
                                 << "/s from " << senders << " threads, with " << queries << " queries and " << updates
                                 << " updates alongside; memory in use grew " << static_cast<int>(growth_mib)
                                 << " MiB");
}
