// A connection lost after the server committed and before its answer arrived: the client cannot
// know whether its transaction went through. A command left for the owner is the sender's one
// write that is not simply made again; it is looked for first, so it is never left twice.
#include "cutting_proxy.hpp"

#include "store/inbox_command.hpp"
#include "store/store.hpp"
#include "support/postgres_cluster.hpp"
#include "unit/store/commit_log.hpp"
#include "unit/store/store_options.hpp"

#include "store/postgres/pg_connection.hpp"

#include <boost/test/unit_test.hpp>

using namespace perdure::detail;
using perdure::test::commit_log;
using perdure::test::cutting_proxy;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;

BOOST_AUTO_TEST_SUITE(lost_answers, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_command_whose_commit_answer_was_lost_is_left_once) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    const auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    cutting_proxy proxy(postgres_cluster::instance().socket_path());
    const auto sender = open_store(perdure::test::store_options(proxy.uri(uri)), open_mode::reader);

    proxy.arm();   // the insert commits; its COMMIT's answer never reaches the sender
    const auto id = sender->submit_command(namespace_delete_command{"zeta"}, 100, 1'000);
    BOOST_TEST_REQUIRE(proxy.cut());
    pg::connection c(uri, "perdure tests");
    const auto rows = c.exec("SELECT id FROM perdure.inbox");
    BOOST_TEST_REQUIRE(rows.rows() == 1);   // the retry found the first try's row
    BOOST_TEST(rows.int64(0, 0) == id);
    BOOST_TEST(sender->command_status(id).has_value());

    // A second command with the same text at another time is a command of its own.
    sender->submit_command(namespace_delete_command{"zeta"}, 101, 1'000);
    BOOST_TEST(c.exec("SELECT id FROM perdure.inbox").rows() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
