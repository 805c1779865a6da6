// Growth: a day of short workflows in virtual time, with a one-hour retention. Closed runs are
// deleted in the background and their pages returned, so the file stops growing once the
// first hour's runs start to expire. PERDURE_SOAK_PER_MINUTE sets the rate (default 4).
#include "support/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace std::chrono_literals;

namespace {

std::string stamp(perdure::activity_context&, std::string id) { return id + " done"; }
const perdure::activity_def stamp_activity{"Stamp", &stamp};

perdure::workflow<std::string> short_job(perdure::workflow_context& ctx, std::string id) {
    co_await ctx.sleep(20s);
    co_return co_await ctx.execute_activity(stamp_activity, id, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def short_workflow{"ShortJob", &short_job};

std::uintmax_t size_on_disk(const std::string& db) {
    std::uintmax_t total = 0;
    for (const auto* suffix : {"", "-wal"})
        if (std::error_code ec; std::filesystem::exists(db + suffix, ec))
            total += std::filesystem::file_size(db + suffix);
    return total;
}

}   // namespace

BOOST_AUTO_TEST_CASE(a_day_of_short_workflows_with_retention_keeps_the_file_bounded) {
    const char* env = std::getenv("PERDURE_SOAK_PER_MINUTE");
    const int per_minute = env && *env ? std::atoi(env) : 4;
    perdure::test::engine_fixture f;
    f.open([](perdure::engine& e) {
        e.namespaces().set_retention("default", 1h);
        e.add_worker("default", "q").register_workflow(short_workflow).register_activity(stamp_activity);
    });
    std::vector<std::uintmax_t> hourly;
    int started = 0;
    for (int minute = 0; minute < 24 * 60; ++minute) {
        for (int i = 0; i < per_minute; ++i, ++started)
            f.client().start_workflow(short_workflow, "job-" + std::to_string(started),
                                      {.id = "job-" + std::to_string(started), .task_queue = "q"});
        f.advance(1min);
        if (minute % 60 == 59) hourly.push_back(size_on_disk(f.database()));
    }
    // Everything started more than an hour (plus a sweep) ago is gone; the rest is kept.
    const auto kept = f.client().list(std::nullopt, 100000).size();
    BOOST_TEST(kept <= static_cast<std::size_t>(per_minute * 62));
    BOOST_TEST(kept >= static_cast<std::size_t>(per_minute * 59));
    // Once runs expire (from hour 2 on), the file holds a steady state: no hour ends more than
    // 25% above the largest size seen in hours 2 to 4.
    const auto plateau = *std::max_element(hourly.begin() + 1, hourly.begin() + 4);
    for (std::size_t h = 4; h < hourly.size(); ++h)
        BOOST_TEST(hourly[h] <= plateau + plateau / 4, "hour " << h + 1 << ": " << hourly[h] << " bytes");
    BOOST_TEST_MESSAGE(started << " workflows in a virtual day; file size at hours 1, 2, 12, 24: " << hourly[0] << ", "
                               << hourly[1] << ", " << hourly[11] << ", " << hourly[23] << " bytes");
}
