// Opening databases: one engine per file, files that are not perdure databases, newer
// schemas, corrupted files, and the file mode.
#include "support/engine_fixture.hpp"
#include "support/test_store.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>

using perdure::test::temp_dir;

namespace {

template <class E>
std::string open_error(const std::string& path) {
    try {
        perdure::engine e({.database = path});
    } catch (const E& e) {
        return e.what();
    }
    return "no exception";
}

void sql(const std::string& path, const char* statement) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, statement, nullptr, nullptr, nullptr);
    sqlite3_close(db);
}

/// Turns a current file back into schema 4: no visibility columns or tables (what schema 5 added).
void drop_visibility(const std::string& path) {
    sql(path, "DROP INDEX executions_by_start");
    sql(path, "DROP TABLE search_attribute_types");
    sql(path, "DROP TABLE search_attribute_values");
    for (const char* column : {"execution_time", "history_length", "history_size_bytes", "parent_workflow_id",
                               "parent_run_id", "root_workflow_id", "root_run_id", "search_attributes"})
        sql(path, ("ALTER TABLE executions DROP COLUMN " + std::string(column)).c_str());
}

const perdure::activity_def<std::string, std::string> stamp{
    "Stamp", [](perdure::activity_context&, std::string s) { return "stamped " + s; }};

// Stamps, answers the update "stamped" once it has, then waits for the signal "go".
perdure::workflow<std::string> stamp_then_wait(perdure::workflow_context& ctx, std::string what) {
    std::string stamped;
    ctx.set_update_handler("stamped", [&](std::string) -> perdure::workflow<std::string> {
        co_await ctx.wait_condition([&] { return !stamped.empty(); });
        co_return stamped;
    });
    auto go = ctx.signal_channel<std::string>("go");
    stamped = co_await ctx.execute_activity(stamp, what, {.start_to_close_timeout = std::chrono::seconds(10)});
    co_return stamped + " " + co_await go.receive();
}
const perdure::workflow_def stamp_workflow{"StampThenWait", &stamp_then_wait};

std::vector<std::string> event_types(perdure::workflow_handle<std::string>& h) {
    std::vector<std::string> out;
    for (const auto& e : h.history()) out.push_back(std::to_string(e.event_id) + " " + e.event_type);
    return out;
}

}   // namespace

// The SQLite file itself: its lock, its schema versions and migrations, its size limit.
BOOST_AUTO_TEST_SUITE(databases, *boost::unit_test::precondition(perdure::test::sqlite_store_only{}))

BOOST_AUTO_TEST_CASE(a_second_engine_on_the_same_file_is_refused_naming_the_file) {
    temp_dir dir;
    const auto path = dir.file("one.db");
    perdure::engine first({.database = path});
    const auto msg = open_error<perdure::database_locked>(path);
    BOOST_TEST(msg.find(path + " is in use by another perdure engine") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(an_engine_told_to_stand_by_is_refused_on_a_file_saying_why) {
    temp_dir dir;
    BOOST_CHECK_EXCEPTION(perdure::engine({.database = dir.file("one.db"), .stand_by = true}),
                          perdure::invalid_argument, [](const perdure::invalid_argument& e) {
                              return std::string(e.what()).find("postgresql://") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(the_lock_is_released_when_the_engine_closes) {
    temp_dir dir;
    const auto path = dir.file("one.db");
    { perdure::engine first({.database = path}); }
    BOOST_CHECK_NO_THROW(perdure::engine({.database = path}));
}

BOOST_AUTO_TEST_CASE(the_database_is_created_readable_by_its_owner_only) {
    temp_dir dir;
    const auto path = dir.file("private.db");
    { perdure::engine e({.database = path}); }
    struct stat st {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(a_sqlite_file_of_another_application_is_refused) {
    temp_dir dir;
    const auto path = dir.file("other.db");
    sql(path, "CREATE TABLE customers(id INTEGER)");
    const auto msg = open_error<perdure::invalid_argument>(path);
    BOOST_TEST(msg.find("is not a perdure database") != std::string::npos, msg);
    BOOST_TEST(msg.find("point engine_options::database at") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_sqlite_is_refused) {
    temp_dir dir;
    const auto path = dir.file("text.db");
    std::ofstream(path) << std::string(8192, 'x');
    const auto msg = open_error<perdure::invalid_argument>(path);
    BOOST_TEST(msg.find("not a SQLite database") != std::string::npos, msg);
    BOOST_TEST(msg.find("point engine_options::database at") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(a_database_from_a_newer_perdure_is_refused_with_what_to_do) {
    temp_dir dir;
    const auto path = dir.file("newer.db");
    { perdure::engine e({.database = path}); }
    sql(path, "PRAGMA user_version = 99");
    const auto msg = open_error<perdure::failed_precondition>(path);
    BOOST_TEST(msg.find("written by a newer perdure (schema 99") != std::string::npos, msg);
    BOOST_TEST(msg.find("upgrade perdure") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(a_database_of_schema_1_is_migrated_when_its_engine_opens_it) {
    temp_dir dir;
    const auto path = dir.file("old.db");
    {
        perdure::engine e({.database = path});
        e.namespaces().ensure("orders");
        e.nexus_endpoints().create({"orders-ep", "orders", "q", "kept"});
    }
    // What schema 1 was: endpoints without a rate limit (and, as in 2, tasks without flags).
    sql(path, "ALTER TABLE nexus_endpoints DROP COLUMN max_operations_per_second");
    sql(path, "ALTER TABLE tasks DROP COLUMN flags");
    drop_visibility(path);
    sql(path, "PRAGMA user_version = 1");
    {
        perdure::engine e({.database = path});
        const auto ep = e.nexus_endpoints().describe("orders-ep");
        BOOST_TEST(ep.spec.description == "kept");
        BOOST_TEST(ep.spec.max_operations_per_second == 0);
        e.nexus_endpoints().update("orders-ep", {.max_operations_per_second = 5});
    }
    perdure::engine e({.database = path});
    BOOST_TEST(e.nexus_endpoints().describe("orders-ep").spec.max_operations_per_second == 5);
}

BOOST_AUTO_TEST_CASE(a_database_of_schema_2_is_migrated_and_keeps_its_namespaces) {
    temp_dir dir;
    const auto path = dir.file("v2.db");
    {
        perdure::engine e({.database = path});
        e.namespaces().create("orders", "kept");
    }
    // What schema 2 was: namespace names unique, deleted namespaces gone, tasks without flags.
    sql(path,
        "CREATE TABLE ns2(ns_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL "
        "DEFAULT '', created INTEGER NOT NULL, retention_ms INTEGER NOT NULL)");
    sql(path, "INSERT INTO ns2 SELECT ns_id, name, description, created, retention_ms FROM namespaces");
    sql(path, "DROP TABLE namespaces");
    sql(path, "ALTER TABLE ns2 RENAME TO namespaces");
    sql(path, "ALTER TABLE tasks DROP COLUMN flags");
    drop_visibility(path);
    sql(path, "PRAGMA user_version = 2");
    {
        perdure::engine e({.database = path});
        BOOST_TEST(e.namespaces().describe("orders").description == "kept");
        e.namespaces().remove("orders");
        e.namespaces().create("orders", "new");
    }
    perdure::engine e({.database = path});
    BOOST_TEST(e.namespaces().describe("orders").description == "new");
    BOOST_TEST(e.namespaces().list().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_database_of_schema_3_is_migrated_and_its_open_runs_go_on_from_their_histories) {
    temp_dir dir;
    const auto path = dir.file("v3.db");
    std::vector<std::string> before;
    {
        perdure::engine e({.database = path});
        e.namespaces().ensure("default");
        e.add_worker("default", "q").register_workflow(stamp_workflow).register_activity(stamp);
        e.start();
        auto h =
            e.client_for("default").start_workflow(stamp_workflow, std::string("form"), {.id = "f", .task_queue = "q"});
        BOOST_REQUIRE(h.update<std::string>("stamped", std::string()) == "stamped form");
        before = event_types(h);
    }
    // What schema 3 was: history keyed by a rowid, with (run_key, event_id) as an index.
    sql(path,
        "CREATE TABLE h3(seq INTEGER PRIMARY KEY, run_key INTEGER NOT NULL, event_id INTEGER NOT NULL, "
        "type INTEGER NOT NULL, time INTEGER NOT NULL, attrs TEXT NOT NULL, UNIQUE(run_key, event_id))");
    sql(path,
        "INSERT INTO h3(run_key, event_id, type, time, attrs) SELECT run_key, event_id, type, time, attrs FROM history");
    sql(path, "DROP TABLE history");
    sql(path, "ALTER TABLE h3 RENAME TO history");
    drop_visibility(path);
    sql(path, "PRAGMA user_version = 3");
    perdure::engine e({.database = path});
    e.add_worker("default", "q").register_workflow(stamp_workflow).register_activity(stamp);
    e.start();
    auto h = e.client_for("default").get_handle<std::string>("f");
    BOOST_TEST(event_types(h) == before, boost::test_tools::per_element());
    h.signal("go", std::string("now"));
    BOOST_TEST(h.get() == "stamped form now");
}

BOOST_AUTO_TEST_CASE(a_truncated_database_is_refused_rather_than_crashing) {
    temp_dir dir;
    const auto path = dir.file("cut.db");
    {
        perdure::test::engine_fixture f;
        perdure::engine e({.database = path, .durability = perdure::durability::normal});
        e.namespaces().ensure("default");
    }
    std::filesystem::resize_file(path, 1000);
    bool refused = false;
    try {
        perdure::engine e({.database = path});
        e.namespaces().list();
    } catch (const perdure::error&) {
        refused = true;
    }
    BOOST_TEST(refused);
}

BOOST_AUTO_TEST_CASE(an_in_memory_engine_works_without_a_file) {
    perdure::engine e;   // ":memory:"
    e.namespaces().ensure("default");
    BOOST_TEST(e.namespaces().list().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
