// What engines sharing a PostgreSQL database tell each other as their transactions commit: a
// command left in the inbox (heard by the owner), its answer, a closed run, a changed namespace
// and an offered activity attempt (heard by the sender). A listener whose connection dies listens
// again and says it may have missed notices; one whose server does not answer never holds up the
// loop it runs on.
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_listener.hpp"

#include "cutting_proxy.hpp"
#include "loopback_listener.hpp"
#include "support/postgres_cluster.hpp"
#include "unit/store/commit_log.hpp"
#include "unit/store/sample_run.hpp"
#include "unit/store/store_options.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

using namespace perdure::detail;
using namespace std::chrono_literals;
using perdure::test::commit_log;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
using kind = store_notice::kind;

namespace {

/// Sets an environment variable for a scope, then puts back what it was.
class environment_variable {
public:
    environment_variable(const char* name, const char* value) : name_(name) {
        if (const char* before = std::getenv(name)) before_ = before;
        ::setenv(name, value, 1);
    }
    ~environment_variable() {
        if (before_)
            ::setenv(name_, before_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    environment_variable(const environment_variable&) = delete;
    environment_variable& operator=(const environment_variable&) = delete;

private:
    const char* name_;
    std::optional<std::string> before_;
};

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

/// An engine's loop, run on a thread of its own until the test ends.
struct loop {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> busy{io.get_executor()};
    std::thread thread{[this] { io.run(); }};
    ~loop() {
        busy.reset();
        io.stop();
        thread.join();
    }
    /// True when a job posted now runs within `patience`.
    bool answers(std::chrono::seconds patience) {
        auto ran = std::make_shared<std::promise<void>>();
        auto done = ran->get_future();
        boost::asio::post(io, [ran] { ran->set_value(); });
        return done.wait_for(patience) == std::future_status::ready;
    }
};

/// A TCP port on loopback whose connections the kernel accepts and nothing ever answers: a
/// server that hangs.
using silent_server = perdure::test::loopback_listener;

std::vector<write_op> one(write_op op) {
    std::vector<write_op> ops;
    ops.push_back(std::move(op));
    return ops;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(notice_tests, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(a_command_its_answer_and_a_closed_run_are_heard_as_they_commit) {
    const auto uri = postgres_cluster::instance().create_database();
    loop engine;
    commit_log log;
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    auto sender = open_store(perdure::test::store_options(uri), open_mode::reader);
    notices at_owner, at_sender;
    BOOST_TEST(owner->listen(engine.io, at_owner.sink()));
    BOOST_TEST(sender->listen(engine.io, at_sender.sink()));
    // Listening starts with "missed": whatever came before was not heard.
    BOOST_TEST_REQUIRE(at_owner.wait_for(kind::missed));
    BOOST_TEST_REQUIRE(at_sender.wait_for(kind::missed));

    const auto id = sender->submit_command(namespace_delete_command{"zeta"}, 100, 1'000);
    BOOST_TEST(at_owner.wait_for(kind::inbox));

    log.wait_for(owner->append(one(finish_inbox{id, inbox_failure{perdure::errc::not_found, "no namespace zeta"}})));
    BOOST_TEST(at_sender.wait_for(kind::answered, id));

    // Closes are heard only once asked for (an engine does while it waits for results), and the
    // change is announced with "missed" once in place.
    log.wait_for(owner->append(one(insert_execution{perdure::test::sample_run(7, "order-1")})));
    log.wait_for(owner->append(one(close_execution{7, run_status::completed, 5})));
    sender->hear_closes(true);
    BOOST_TEST_REQUIRE(at_sender.wait_for(kind::missed, 0, 2));
    log.wait_for(owner->append(one(insert_execution{perdure::test::sample_run(8, "order-2")})));
    log.wait_for(owner->append(one(close_execution{8, run_status::completed, 5})));
    BOOST_TEST(at_sender.wait_for(kind::closed, 8));
    BOOST_TEST(!at_sender.wait_for(kind::closed, 7, 1, 0s));
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
    loop engine;
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner);
    auto sender = open_store(perdure::test::store_options(uri), open_mode::reader);
    notices heard;
    sender->listen(engine.io, heard.sink());
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

BOOST_AUTO_TEST_CASE(a_listener_told_of_other_channels_hears_those_and_says_it_may_have_missed_some) {
    // What a store does when its engine takes the data over or steps back.
    const auto uri = postgres_cluster::instance().create_database();
    loop engine;
    notices heard;
    pg_listener listener(engine.io, uri, {pg_channel::inbox, pg_channel::answered}, heard.sink());
    BOOST_TEST_REQUIRE(heard.wait_for(kind::missed));
    pg::connection admin(uri, "perdure tests");
    admin.exec("SELECT pg_notify('perdure_closed', '7')");
    admin.exec("SELECT pg_notify('perdure_answered', '1')");
    BOOST_TEST_REQUIRE(heard.wait_for(kind::answered, 1));
    BOOST_TEST(!heard.wait_for(kind::closed, 0, 1, 0s));   // sent before the answer: never heard

    listener.listen_to({pg_channel::closed, pg_channel::answered});
    BOOST_TEST_REQUIRE(heard.wait_for(kind::missed, 0, 2));
    admin.exec("SELECT pg_notify('perdure_inbox', '')");
    admin.exec("SELECT pg_notify('perdure_closed', '8')");
    admin.exec("SELECT pg_notify('perdure_answered', '2')");
    BOOST_TEST_REQUIRE(heard.wait_for(kind::answered, 2));
    BOOST_TEST(heard.wait_for(kind::closed, 8, 1, 0s));
    BOOST_TEST(!heard.wait_for(kind::inbox, 0, 1, 0s));
}

BOOST_AUTO_TEST_CASE(a_server_that_does_not_answer_never_holds_up_the_loop_the_listener_runs_on) {
    // A blocking connect would keep the loop's only thread for libpq's 10 s; the engine's
    // workflows, timers and calls run on that loop.
    silent_server server;
    loop engine;
    notices heard;
    std::optional<pg_listener> listener;
    listener.emplace(engine.io, "postgresql://perdure@127.0.0.1:" + std::to_string(server.port) + "/postgres",
                     std::vector<std::string>{pg_channel::inbox}, heard.sink());
    BOOST_TEST(engine.answers(5s));
    BOOST_TEST(engine.answers(5s));
    // Closing it does not wait for the attempt either, and nothing is heard after.
    listener.reset();
    BOOST_TEST(engine.answers(5s));
    BOOST_TEST(!heard.wait_for(kind::missed, 0, 1, 0s));
}

BOOST_AUTO_TEST_CASE(a_listener_resolves_its_servers_host_name_on_the_loop_and_hears_through_it) {
    // What the loop resolves itself: one host by name; an address, a socket directory, several
    // hosts or none are libpq's, which looks nothing up for them.
    const auto named = pg::host_to_resolve("postgresql://app@db.example:6543/app");
    BOOST_TEST_REQUIRE(named.has_value());
    BOOST_TEST(named->name == "db.example");
    BOOST_TEST(named->port == "6543");
    BOOST_TEST(pg::host_to_resolve("postgresql://app@db.example/app")->port == "5432");
    BOOST_TEST(!pg::host_to_resolve("postgresql://app@/app?host=/run/postgresql"));
    BOOST_TEST(!pg::host_to_resolve("postgresql://app@db.example/app?hostaddr=10.0.0.7"));
    BOOST_TEST(!pg::host_to_resolve("postgresql://app@one,two/app"));
    BOOST_TEST(!pg::host_to_resolve("postgresql:///app"));
    BOOST_TEST(!pg::host_to_resolve("not a uri = ="));
    {   // A URI without a server takes libpq's from the environment, and is resolved as well.
        const environment_variable host("PGHOST", "db.example"), port("PGPORT", "6000");
        const auto from_environment = pg::host_to_resolve("postgresql:///app");
        BOOST_TEST_REQUIRE(from_environment.has_value());
        BOOST_TEST(from_environment->name == "db.example");
        BOOST_TEST(from_environment->port == "6000");
        BOOST_TEST(pg::host_to_resolve("postgresql://app@other.example/app")->name == "other.example");
        const environment_variable socket_directory("PGHOST", "/run/postgresql");
        BOOST_TEST(!pg::host_to_resolve("postgresql:///app"));
    }

    // By name, through a loopback port in front of the server.
    const auto uri = postgres_cluster::instance().create_database();
    perdure::test::cutting_proxy proxy(postgres_cluster::instance().socket_path());
    loop engine;
    notices heard;
    pg_listener listener(engine.io, proxy.uri(uri, "localhost"), {pg_channel::closed}, heard.sink());
    BOOST_TEST_REQUIRE(heard.wait_for(kind::missed));
    pg::connection(uri, "perdure tests").exec("SELECT pg_notify('perdure_closed', '9')");
    BOOST_TEST(heard.wait_for(kind::closed, 9));
}

BOOST_AUTO_TEST_SUITE_END()
