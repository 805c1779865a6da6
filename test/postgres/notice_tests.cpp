// What engines sharing a PostgreSQL database tell each other as their transactions commit: a
// command left in the inbox (heard by the owner), its answer, a closed run, a changed namespace
// and an offered activity attempt (heard by the sender). A listener whose connection dies listens again and says it may have missed notices.
#include "store/postgres/pg_connection.hpp"

#include "support/postgres_cluster.hpp"
#include "unit/store/commit_log.hpp"
#include "unit/store/sample_run.hpp"
#include "unit/store/store_options.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace perdure::detail;
using namespace std::chrono_literals;
using perdure::test::commit_log;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
using kind = store_notice::kind;

namespace {

/// The notices a store's listener hands over, for a test to wait on.
struct notices {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<store_notice> heard;

    std::function<void(store_notice)> sink() {
        return [this](store_notice n) {
            {
                std::lock_guard lk(mutex);
                heard.push_back(n);
            }
            changed.notify_all();
        };
    }
    /// Waits (10 s at most) until `what` (with `id`, unless 0) has been heard `times` times.
    bool wait_for(kind what, std::int64_t id = 0, std::size_t times = 1, std::chrono::seconds patience = 10s) {
        std::unique_lock lk(mutex);
        return changed.wait_for(lk, patience, [&] {
            std::size_t seen = 0;
            for (const auto& n : heard) seen += n.what == what && (id == 0 || n.id == id);
            return seen >= times;
        });
    }
};

std::vector<write_op> one(write_op op) {
    std::vector<write_op> ops;
    ops.push_back(std::move(op));
    return ops;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(notice_tests, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_command_its_answer_and_a_closed_run_are_heard_as_they_commit) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    auto sender = open_store(perdure::test::store_options(uri), open_mode::reader);
    notices at_owner, at_sender;
    BOOST_TEST(owner->listen(at_owner.sink()));
    BOOST_TEST(sender->listen(at_sender.sink()));
    // Listening starts with "missed": whatever came before was not heard.
    BOOST_TEST_REQUIRE(at_owner.wait_for(kind::missed));
    BOOST_TEST_REQUIRE(at_sender.wait_for(kind::missed));

    const auto id = sender->submit_command(namespace_delete_command{"zeta"}, 100, 1'000);
    BOOST_TEST(at_owner.wait_for(kind::inbox));

    log.wait_for(owner->append(one(finish_inbox{id, inbox_failure{perdure::errc::not_found, "no namespace zeta"}})));
    BOOST_TEST(at_sender.wait_for(kind::answered, id));

    log.wait_for(owner->append(one(insert_execution{perdure::test::sample_run(7, "order-1")})));
    log.wait_for(owner->append(one(close_execution{7, run_status::completed, 5})));
    BOOST_TEST(at_sender.wait_for(kind::closed, 7));
    log.wait_for(owner->append(one(upsert_namespace{namespace_row{2, "second", "", 0, 0}})));
    BOOST_TEST(at_sender.wait_for(kind::registry));
    log.wait_for(owner->append(one(offer_task{task_offer{7, 5, 3, "images", "Resize", 1, ""}})));
    BOOST_TEST(at_sender.wait_for(kind::tasks, 3));
    // Each hears what its role acts on: the owner, which waits for no result and keeps the
    // registries itself, was not woken for the close or the namespace. Notices arrive in
    // order, so once a later one is in, the earlier ones would be too.
    pg::connection(uri, "perdure tests").exec("SELECT pg_notify('perdure_inbox', '')");
    BOOST_TEST_REQUIRE(at_owner.wait_for(kind::inbox, 0, 2));
    BOOST_TEST(!at_owner.wait_for(kind::closed, 0, 1, 0s));
    BOOST_TEST(!at_owner.wait_for(kind::registry, 0, 1, 0s));
    BOOST_TEST(!at_owner.wait_for(kind::tasks, 0, 1, 0s));
    BOOST_TEST(!at_sender.wait_for(kind::inbox, 0, 1, 0s));
    sender->close();
    owner->close();
}

BOOST_AUTO_TEST_CASE(a_listener_whose_connection_is_cut_listens_again_and_says_it_may_have_missed_some) {
    const auto uri = postgres_cluster::instance().create_database();
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner);
    auto sender = open_store(perdure::test::store_options(uri), open_mode::reader);
    notices heard;
    sender->listen(heard.sink());
    BOOST_TEST_REQUIRE(heard.wait_for(kind::missed));

    pg::connection admin(uri, "perdure tests");
    BOOST_TEST(admin
                   .exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
                         "'perdure listener' AND datname = current_database()")
                   .int64(0, 0) == 1);
    BOOST_TEST_REQUIRE(heard.wait_for(kind::missed, 0, 2));
    admin.exec("SELECT pg_notify('perdure_answered', '42')");
    BOOST_TEST(heard.wait_for(kind::answered, 42));
}

BOOST_AUTO_TEST_SUITE_END()
