// Storage faults: I/O errors on write and fsync, short writes, a full disk. The engine reports
// storage_error, stops taking work, acknowledges nothing that did not commit; reopened after
// the fault clears, everything committed is intact and work in flight resumes.
#define BOOST_TEST_MODULE perdure storage faults
#include "faults/fault_vfs.hpp"
#include "support/temp_dir.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <filesystem>

using namespace std::chrono_literals;
using namespace perdure::test;

namespace {

const perdure::activity_def<int, int> add_one{"AddOne", [](perdure::activity_context&, int n) { return n + 1; }};

perdure::workflow<int> count_to(perdure::workflow_context& ctx, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = co_await ctx.execute_activity(add_one, v, {.start_to_close_timeout = 10s});
    co_return v;
}
const perdure::workflow_def count_workflow{"CountTo", &count_to};

std::unique_ptr<perdure::engine> open(const std::string& path, std::uint64_t max_bytes = 0) {
    auto e =
        std::make_unique<perdure::engine>(perdure::engine_options{.database = path, .max_database_bytes = max_bytes});
    e->namespaces().ensure("default");
    e->add_worker("default", "q").register_workflow(count_workflow).register_activity(add_one);
    e->start();
    return e;
}

std::string integrity(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
    std::string out = sqlite3_step(s) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0)) : "";
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

}   // namespace

BOOST_AUTO_TEST_CASE(every_kind_of_storage_fault_stops_the_engine_and_loses_nothing_committed) {
    install_fault_vfs();
    for (const auto f : {fault::write_error, fault::fsync_error, fault::short_write, fault::disk_full}) {
        BOOST_TEST_CONTEXT("fault " << static_cast<int>(f)) {
            temp_dir dir;
            const auto path = dir.file("faults.db");
            std::string long_run_id;
            {
                auto engine = open(path);
                auto client = engine->client_for("default");
                BOOST_TEST(client.start_workflow(count_workflow, 3, {.id = "done", .task_queue = "q"}).get() == 3);
                auto running = client.start_workflow(count_workflow, 200, {.id = "long", .task_queue = "q"});
                long_run_id = running.run_id();
                inject(f, 20);   // the disk breaks while "long" is under way
                try {
                    running.get();
                    BOOST_FAIL("the run cannot have finished on a broken disk");
                } catch (const perdure::storage_error& e) {
                    BOOST_TEST(std::string(e.what()).find("reopen") != std::string::npos, e.what());
                }
                BOOST_TEST(faults_injected() >= 1);
                // The engine takes no more work and says why.
                BOOST_CHECK_THROW(client.start_workflow(count_workflow, 1, {.id = "after", .task_queue = "q"}),
                                  perdure::storage_error);
                BOOST_CHECK_THROW(engine->namespaces().ensure("more"), perdure::storage_error);
                clear_faults();
            }
            BOOST_TEST(integrity(path) == "ok");
            auto engine = open(path);
            auto client = engine->client_for("default");
            BOOST_TEST(client.get_handle<int>("done").get() == 3);                  // committed before: intact
            BOOST_TEST(client.get_handle<int>("long", long_run_id).get() == 200);   // in flight: resumed and finished
            BOOST_CHECK_THROW(client.get_handle("after").describe(), perdure::not_found);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_database_at_its_size_cap_stops_like_a_full_disk_and_a_larger_cap_carries_on) {
    temp_dir dir;
    const auto path = dir.file("capped.db");
    std::string long_run_id;
    {
        auto engine = open(path);
        BOOST_TEST(
            engine->client_for("default").start_workflow(count_workflow, 3, {.id = "done", .task_queue = "q"}).get() ==
            3);
    }
    {
        auto engine = open(path, std::filesystem::file_size(path) + (64 << 10));   // room for a few hundred steps
        auto running =
            engine->client_for("default").start_workflow(count_workflow, 2000, {.id = "long", .task_queue = "q"});
        long_run_id = running.run_id();
        try {
            running.get();
            BOOST_FAIL("2,000 steps cannot fit in 64 KiB");
        } catch (const perdure::storage_error& e) {
            BOOST_TEST(std::string(e.what()).find("max_database_bytes") != std::string::npos, e.what());
        }
    }
    BOOST_TEST(integrity(path) == "ok");
    auto engine = open(path);   // no cap: the run resumes where the last commit left it
    BOOST_TEST(engine->client_for("default").get_handle<int>("done").get() == 3);
    BOOST_TEST(engine->client_for("default").get_handle<int>("long", long_run_id).get() == 2000);
}
