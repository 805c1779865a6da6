// The store interface on data: units of writes in, the same rows out through store_reads, on the
// owner's thread and on the reader thread; failures reach the failed callback or leave as
// perdure errors, never as SQLite's.
#include "store/store.hpp"

#include "commit_log.hpp"
#include "sample_run.hpp"
#include "store_options.hpp"
#include "support/temp_dir.hpp"
#include "open_runs.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <future>

using namespace perdure::detail;
using perdure::test::commit_log;
using perdure::test::store_options;
using perdure::test::temp_dir;

namespace {

insert_event event_row(std::int64_t run_key, std::int64_t id, event_type type) {
    return {run_key, event{id, type, 1'000'000 * id, {{"n", id}}}};
}

std::vector<write_op> a_started_run() {
    std::vector<write_op> ops;
    ops.emplace_back(upsert_namespace{namespace_row{1, "default", "", 0, 7LL * 24 * 3600 * 1000}});
    ops.emplace_back(insert_execution{perdure::test::sample_run(7, "order-1")});
    ops.emplace_back(event_row(7, 1, event_type::workflow_execution_started));
    ops.emplace_back(event_row(7, 2, event_type::workflow_task_scheduled));
    ops.emplace_back(upsert_task{{7, 5, task_kind::activity, 1, 0, "{}", 0}});
    ops.emplace_back(insert_deadline{{7, deadline_kind::timer, 6, 9'000'000}});
    return ops;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(store_interface)

BOOST_AUTO_TEST_CASE(a_committed_unit_reads_back_on_the_owners_thread) {
    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    BOOST_TEST(s->owner_epoch() > 0u);
    log.wait_for(s->append(a_started_run()));

    auto& r = s->reads();
    const auto ns = r.namespaces();
    BOOST_TEST_REQUIRE(ns.size() == 1u);
    BOOST_TEST(ns[0].name == "default");
    const auto history = r.history(7);
    BOOST_TEST_REQUIRE(history.size() == 2u);
    BOOST_TEST(history[0].id == 1);
    BOOST_TEST((history[1].type == event_type::workflow_task_scheduled));
    BOOST_TEST(history[1].time_us == 2'000'000);
    BOOST_TEST(history[1].attrs.at("n").as_int64() == 2);
    BOOST_TEST(r.history_length(7) == 2);
    BOOST_TEST(r.last_event(7)->id == 2);
    BOOST_TEST(!r.event_at(7, 3));
    const auto tasks = r.tasks();
    BOOST_TEST_REQUIRE(tasks.size() == 1u);
    BOOST_TEST(tasks[0].seq == 5);
    const auto deadlines = r.deadlines();
    BOOST_TEST_REQUIRE(deadlines.size() == 1u);
    BOOST_TEST(deadlines[0].due_us == 9'000'000);
    BOOST_TEST(r.find_latest_run(1, "order-1")->run_id == "run-7");
    BOOST_TEST(perdure::test::every_open_run(r).size() == 1u);
    BOOST_TEST(r.max_run_key() == 7);

    // A later unit settles the work; the reads follow.
    std::vector<write_op> close;
    close.emplace_back(event_row(7, 3, event_type::workflow_execution_completed));
    close.emplace_back(close_execution{7, run_status::completed, 3'000'000});
    close.emplace_back(clear_run_work{7});
    log.wait_for(s->append(std::move(close)));
    BOOST_TEST(r.tasks().empty());
    BOOST_TEST(r.deadlines().empty());
    BOOST_TEST(perdure::test::every_open_run(r).empty());
    BOOST_TEST((r.find_run("run-7")->status == run_status::completed));
}

BOOST_AUTO_TEST_CASE(reads_run_on_the_reader_thread) {
    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_started_run()));
    std::promise<std::size_t> length;
    BOOST_TEST(s->post_read([&](store_reads& r) { length.set_value(r.history(7).size()); }));
    BOOST_TEST(length.get_future().get() == 2u);
}

BOOST_AUTO_TEST_CASE(a_batch_the_store_refuses_reaches_the_failed_callback) {
    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_started_run()));
    std::vector<write_op> again;
    again.emplace_back(event_row(7, 1, event_type::workflow_execution_started));   // event 1 exists
    const auto seq = s->append(std::move(again));
    auto [first, failure] = log.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::storage));
    BOOST_TEST(failure.message.find(dir.file("db")) != std::string::npos);
    BOOST_TEST(s->reads().history(7).size() == 2u);   // nothing of the refused batch
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_a_perdure_error) {
    temp_dir dir;
    std::ofstream(dir.file("text")) << "not a database, just some text that is long enough to have a header";
    BOOST_CHECK_THROW(open_store(store_options(dir.file("text")), open_mode::owner), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_directory_given_as_the_database_says_so) {
    temp_dir dir;
    for (const auto mode : {open_mode::owner, open_mode::reader}) {
        try {
            open_store(store_options(dir.path().string()), mode);
            BOOST_FAIL("a directory opened as a database");
        } catch (const perdure::invalid_argument& e) {
            BOOST_TEST(
                std::string(e.what()).find(dir.path().string() + " is a directory; give the path of a database file") !=
                    std::string::npos,
                e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_second_owner_is_refused_and_a_reader_cannot_write) {
    temp_dir dir;
    auto owner = open_store(store_options(dir.file("db")), open_mode::owner);
    BOOST_CHECK_THROW(open_store(store_options(dir.file("db")), open_mode::owner), perdure::database_locked);
    auto r = open_store(store_options(dir.file("db")), open_mode::reader);
    BOOST_TEST(r->reads().namespaces().empty());
    BOOST_CHECK_THROW(r->append({}), perdure::failed_precondition);
}

BOOST_AUTO_TEST_SUITE_END()
