// Every exit code, with a message that says what to fix: 1 for user errors, 2 for usage errors,
// 3 for database problems; only a create command makes a database where none exists.
#include "cli_fixture.hpp"

#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite.hpp"
#include "support/test_store.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using perdure::test::cli_fixture;
using perdure::test::cli_result;
using perdure::test::run_cli;
using perdure::test::words;

bool says(const cli_result& r, const std::string& text) { return r.err.find(text) != std::string::npos; }

void check(const cli_result& r, int code, const std::string& message) {
    BOOST_TEST_INFO("expecting: " << message);
    BOOST_TEST(r.code == code);
    BOOST_TEST(says(r, message), "stderr: " << r.err);
    BOOST_TEST(r.err.starts_with("perdure: "));
}

}   // namespace

BOOST_AUTO_TEST_SUITE(exit_codes)

BOOST_FIXTURE_TEST_CASE(usage_errors_exit_2, cli_fixture) {
    check(perdure(""), 2, "perdure needs a command (operator, workflow); run 'perdure --help'");
    check(perdure("operator frobnicate"), 2, "unknown command 'operator frobnicate'");
    check(perdure("operator namespace"), 2,
          "perdure operator namespace needs a command (create, update, list, describe, delete)");
    check(perdure("operator namespace list --bogus"), 2, "unrecognised option '--bogus'");
    check(perdure("operator namespace list extra"), 2, "perdure operator namespace list takes only flags");
    check(perdure("operator namespace list --output xml"), 2, "--output must be table or json");
    check(perdure("workflow list --limit many"), 2, "--limit");
    check(perdure("operator nexus endpoint create --name ep --target-namespace app --target-task-queue q "
                  "--description a --description-file b"),
          2, "give --description or --description-file, not both");
}

BOOST_FIXTURE_TEST_CASE(a_flag_or_value_like_a_message_placeholder_is_quoted_as_given, cli_fixture) {
    // Boost.Program_options' own messages never finish expanding these.
    check(perdure("workflow list --limit %value%"), 2, "the argument ('%value%') for option '--limit' is invalid");
    check(perdure("workflow list --limit x%canonical_option%"), 2,
          "the argument ('x%canonical_option%') for option '--limit'");
    check(perdure("workflow list --%canonical_option%"), 2, "unrecognised option '--%canonical_option%'");
    check(perdure("workflow list --a%option%%original_token%"), 2, "unrecognised option '--a%option%%original_token%'");
}

BOOST_AUTO_TEST_CASE(no_database_given_exits_2) {
    check(run_cli(words("operator namespace list")), 2,
          "no database: give --db PATH (or a postgresql:// URL) or set PERDURE_DB");
}

BOOST_FIXTURE_TEST_CASE(user_errors_exit_1_and_say_what_to_fix, cli_fixture) {
    check(perdure("operator namespace create"), 1, "the option '--namespace' is required but missing");
    check(perdure("workflow signal --namespace app --workflow-id order-1"), 1, "'--name' is required");
    check(perdure("operator nexus endpoint create --name ep --target-namespace app"), 1,
          "'--target-task-queue' is required");
    check(perdure(std::vector<std::string>{"operator", "namespace", "create", "--namespace", "bad/name"}), 1,
          "invalid namespace name 'bad/name'");
    check(perdure("operator namespace create --namespace app"), 1, "app");
    check(perdure("operator namespace describe --namespace nowhere"), 1,
          "namespace 'nowhere' does not exist (known: app)");
    check(perdure("operator namespace delete --namespace app"), 1, "open");
    check(perdure("operator nexus endpoint describe --name ghost"), 1, "Nexus endpoint 'ghost' does not exist");
    check(perdure("operator nexus endpoint update --name ghost --target-task-queue q"), 1, "ghost");
    check(perdure("operator nexus endpoint delete --name ghost"), 1, "ghost");
    check(perdure("operator nexus endpoint update --name ghost"), 1, "nothing to update");
    check(perdure("workflow list --limit -1"), 1, "--limit takes a positive number of runs, not -1");
    check(perdure("workflow list -n app --query WorkflowId='x' --limit 0"), 1,
          "--limit takes a positive number of runs, not 0");
    check(perdure("operator nexus endpoint create --name my_endpoint --target-namespace app --target-task-queue q"), 1,
          "invalid Nexus endpoint name 'my_endpoint'");
    check(perdure("operator nexus endpoint create --name ep --target-namespace nowhere --target-task-queue q"), 1,
          "nowhere");
    check(perdure("operator nexus endpoint create --name ep --target-namespace app --target-task-queue q "
                  "--description-file /nonexistent/file.md"),
          1, "cannot read --description-file /nonexistent/file.md");
    check(perdure("workflow describe --namespace app --workflow-id order-9"), 1,
          "workflow order-9 not found in namespace app");
    check(perdure("workflow list --status sleeping"), 1, "unknown --status 'sleeping'");
    check(perdure("workflow signal --namespace app --workflow-id order-1 --name go --input {oops"), 1,
          "--input is not JSON");
    check(perdure("workflow signal --namespace app --workflow-id order-0 --name go"), 1, "order-0");   // closed
    // Nothing of that changed the database.
    BOOST_TEST(json("operator nexus endpoint list").as_array().empty());
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_missing_database_exits_3_and_is_not_created_by_reads_changes_or_workflow_commands) {
    perdure::test::temp_dir dir;
    // A path where no file is, or a PostgreSQL database without perdure's schema.
    const auto db = perdure::test::fresh_database(dir);
    const bool sqlite = perdure::test::test_store() == perdure::test::store_kind::sqlite;
    const auto missing = sqlite ? "no database at " + db + ": check --db PATH (or $PERDURE_DB)"
                                : "no perdure database at " + db + " (it has no schema perdure): check --db";
    // Nothing to read, change or remove there: the database is what is wrong.
    for (const char* line :
         {"operator namespace list", "operator namespace describe --namespace a", "operator nexus endpoint list",
          "operator nexus endpoint describe --name ep", "workflow list", "workflow describe --workflow-id w",
          "workflow show --workflow-id w", "operator namespace update --namespace a --retention 1d",
          "operator namespace delete --namespace a", "operator nexus endpoint delete --name ep",
          "operator nexus endpoint update --name ep --target-task-queue q",
          "workflow signal --namespace a --workflow-id w --name s", "workflow cancel --namespace a --workflow-id w",
          "workflow terminate --namespace a --workflow-id w", "workflow delete --namespace a --workflow-id w"}) {
        BOOST_TEST_CONTEXT("perdure " << line) { check(run_cli(words(line), db), 3, missing); }
    }
    if (sqlite)
        BOOST_TEST(std::filesystem::is_empty(dir.path()));   // no database, no lock file, no WAL
    else
        BOOST_TEST(
            perdure::test::stored_column(db, "SELECT nspname FROM pg_namespace WHERE nspname = 'perdure'").empty());
}

BOOST_AUTO_TEST_CASE(a_create_command_on_a_missing_database_creates_it_and_says_so) {
    perdure::test::temp_dir dir;
    const auto db = perdure::test::fresh_database(dir);
    // An endpoint needs its target namespace, which a new database lacks; the database stays.
    const auto create_endpoint =
        words("operator nexus endpoint create --name ep --target-namespace a --target-task-queue q");
    const auto endpoint = run_cli(create_endpoint, db);
    BOOST_TEST(endpoint.code == 1);
    BOOST_TEST(endpoint.err.starts_with("perdure: created a new database at " + db + "\n"), endpoint.err);
    BOOST_TEST(says(endpoint, "namespace 'a'"), endpoint.err);
    const auto ns = run_cli(words("operator namespace create --namespace a"), db);
    BOOST_TEST(ns.code == 0);
    BOOST_TEST(ns.err == "");   // it exists now
    BOOST_TEST(run_cli(create_endpoint, db).code == 0);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_perdure_database_exits_3_naming_the_cli_setting,
                     *boost::unit_test::precondition(perdure::test::sqlite_store_only{})) {
    perdure::test::temp_dir dir;
    // The remedy is the flag the user gave, not the library's option.
    const std::string remedy = "point --db PATH (or $PERDURE_DB) at a perdure database";
    const auto text = dir.file("notes.txt");
    std::ofstream(text) << "not a database\n";
    for (const char* line : {"operator namespace list", "operator namespace create --namespace a"}) {
        const auto r = run_cli(words(line), text);
        check(r, 3, "not a SQLite database");
        check(r, 3, remedy);
        BOOST_TEST(!says(r, "engine_options"), r.err);
    }

    const auto empty = dir.file("empty.db");
    std::ofstream{empty};
    check(run_cli(words("workflow list"), empty), 3, "is empty, not a perdure database; " + remedy);

    const auto other = dir.file("other.db");
    {
        perdure::detail::sql::connection c(other, false, false);
        c.exec("CREATE TABLE things(x)");
    }
    for (const char* line : {"operator nexus endpoint list", "operator namespace create --namespace a"}) {
        const auto r = run_cli(words(line), other);
        check(r, 3, "is not a perdure database");
        check(r, 3, remedy);
        BOOST_TEST(!says(r, "engine_options"), r.err);
    }
    BOOST_TEST(!std::filesystem::exists(other + "-perdure.lock"));
}

BOOST_AUTO_TEST_CASE(a_database_left_mid_write_by_a_dead_process_exits_3_saying_how_to_recover,
                     *boost::unit_test::precondition(perdure::test::sqlite_store_only{})) {
    perdure::test::temp_dir dir;
    const auto db = dir.file("interrupted.db");
    // A child writes more than its page cache holds inside one transaction, so pages reach the
    // file with the journal beside them, and dies without committing: a hot journal.
    const pid_t pid = ::fork();
    if (pid == 0) {
        perdure::detail::sql::connection c(db, false, false);
        c.exec("PRAGMA cache_size=1");
        c.exec("BEGIN");
        c.exec("CREATE TABLE t(x)");
        for (int i = 0; i < 200; ++i) c.exec("INSERT INTO t VALUES (randomblob(4000))");
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_REQUIRE(std::filesystem::exists(db + "-journal"));
    check(run_cli(words("workflow list"), db), 3, "open it once with the application's engine");
}

BOOST_FIXTURE_TEST_CASE(a_newer_schema_exits_3, cli_fixture,
                        *boost::unit_test::precondition(perdure::test::sqlite_store_only{})) {
    {
        perdure::detail::sql::connection c(db, false, false);
        c.exec("PRAGMA user_version=" + std::to_string(perdure::detail::schema_version + 1));
    }
    check(perdure("operator namespace list"), 3, "newer perdure");
    check(perdure("operator namespace create --namespace a"), 3, "newer perdure");
}

BOOST_FIXTURE_TEST_CASE(a_locked_database_nobody_answers_for_exits_3_and_changes_nothing, cli_fixture,
                        *boost::unit_test::precondition(perdure::test::sqlite_store_only{})) {
    // A process that holds the owner lock but is no engine that answers: the command is withdrawn.
    const int fd = ::open((db + "-perdure.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    check(perdure("operator namespace create --namespace late"), 3, "the command was withdrawn and nothing changed");
    // Reads need no lock.
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
    ::close(fd);
    // An engine that opens later must not apply it.
    {
        perdure::engine engine({.database = db, .durability = perdure::durability::normal});
        BOOST_CHECK_THROW(engine.namespaces().describe("late"), perdure::not_found);
        perdure::detail::database file(db, perdure::durability::normal, perdure::detail::database::mode::reader);
        auto c = file.connect(true);
        auto s = c->prepare("SELECT state FROM inbox");
        BOOST_REQUIRE(s.step());
        BOOST_TEST(std::string(s.text(0)) == "withdrawn");
    }
    BOOST_TEST(json("operator namespace list").as_array().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
