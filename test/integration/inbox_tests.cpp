// Commands left in the inbox by another process are claimed, applied and answered; a command
// that expired, or that its sender withdrew, is never applied; one whose engine died before it
// answered is answered by the next engine.
#include "support/engine_fixture.hpp"
#include "support/test_store.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <thread>

using namespace std::chrono_literals;
using perdure::test::engine_fixture;

namespace {

/// Another process's connection to the same file.
class other_process {
public:
    explicit other_process(const std::string& path) {
        sqlite3_open(path.c_str(), &db_);
        sqlite3_busy_timeout(db_, 5000);
    }
    ~other_process() { sqlite3_close(db_); }
    std::int64_t send(const std::string& command, std::chrono::seconds ttl = 10s) {
        const auto now =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db_, "INSERT INTO inbox(created, expires, command) VALUES(?,?,?)", -1, &s, nullptr);
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, now + std::chrono::duration_cast<std::chrono::microseconds>(ttl).count());
        sqlite3_bind_text(s, 3, command.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
        sqlite3_finalize(s);
        return sqlite3_last_insert_rowid(db_);
    }
    std::pair<std::string, std::string> state(std::int64_t id) {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db_, "SELECT state, result FROM inbox WHERE id=?", -1, &s, nullptr);
        sqlite3_bind_int64(s, 1, id);
        std::pair<std::string, std::string> out;
        if (sqlite3_step(s) == SQLITE_ROW)
            out = {reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                   reinterpret_cast<const char*>(sqlite3_column_text(s, 1))};
        sqlite3_finalize(s);
        return out;
    }
    /// Marks a command taken, as an engine's claim does.
    void claim(std::int64_t id) {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db_, "UPDATE inbox SET state='running' WHERE id=?", -1, &s, nullptr);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
    /// Waits for an answer as the CLI does (the engine polls every 50 ms in real time).
    std::pair<std::string, std::string> answer(std::int64_t id) {
        for (int i = 0; i < 500; ++i) {
            auto s = state(id);
            if (s.first == "done" || s.first == "failed") return s;
            std::this_thread::sleep_for(10ms);
        }
        return state(id);
    }

private:
    sqlite3* db_ = nullptr;
};

}   // namespace

// Rows written straight into the SQLite inbox table, as the CLI's older versions did.
BOOST_AUTO_TEST_SUITE(inbox, *boost::unit_test::precondition(perdure::test::sqlite_store_only{}))

BOOST_AUTO_TEST_CASE(a_command_from_another_process_is_applied_and_answered) {
    engine_fixture f;
    f.open();
    other_process cli(f.database());
    const auto created =
        cli.answer(cli.send(R"({"op":"namespace.create","namespace":"ops","description":"from the CLI"})"));
    BOOST_TEST(created.first == "done");
    BOOST_TEST(created.second.find("\"name\":\"ops\"") != std::string::npos, created.second);
    BOOST_TEST(f.engine().namespaces().describe("ops").description == "from the CLI");
    const auto duplicate = cli.answer(cli.send(R"({"op":"namespace.create","namespace":"ops"})"));
    BOOST_TEST(duplicate.first == "failed");
    BOOST_TEST(duplicate.second.find("already_exists") != std::string::npos, duplicate.second);
    const auto unknown = cli.answer(cli.send(R"({"op":"dance"})"));
    BOOST_TEST(unknown.second.find("unknown inbox command 'dance'") != std::string::npos, unknown.second);
    // A file has one owner for its whole life: asked for the data, it says no and runs on.
    const auto handover = cli.answer(cli.send(R"({"op":"engine.handover"})"));
    BOOST_TEST(handover.first == "done");
    BOOST_TEST(handover.second.find("\"hands_over\":false") != std::string::npos, handover.second);
    BOOST_TEST(f.engine().namespaces().ensure("ops").description == "from the CLI");
}

BOOST_AUTO_TEST_CASE(an_expired_command_is_never_applied) {
    engine_fixture f;
    f.open();
    other_process cli(f.database());
    const auto id = cli.send(R"({"op":"namespace.create","namespace":"late"})", 0s);
    std::this_thread::sleep_for(200ms);   // four polls: it must stay untouched
    BOOST_TEST(cli.state(id).first == "pending");
    BOOST_CHECK_THROW(f.engine().namespaces().describe("late"), perdure::not_found);
}

BOOST_AUTO_TEST_CASE(a_command_its_engine_took_but_never_answered_is_answered_by_the_next_one) {
    engine_fixture f;
    f.open();
    f.close();
    other_process cli(f.database());
    const auto id = cli.send(R"({"op":"namespace.create","namespace":"lost"})");
    cli.claim(id);   // an engine took it, then died before it answered
    f.open();
    const auto answered = cli.answer(id);
    BOOST_TEST(answered.first == "failed");
    BOOST_TEST(answered.second.find("stopped before it answered") != std::string::npos, answered.second);
    BOOST_TEST(answered.second.find("storage_error") != std::string::npos, answered.second);
}

BOOST_AUTO_TEST_SUITE_END()
