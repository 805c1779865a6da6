// What only the PostgreSQL store has: its schema and migrations, the shard map, leases and the
// epoch fence (driven by manual clocks, never by sleeping), a backend terminated in the middle
// of a batch, and the errors for a database that cannot be reached.
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_schema.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/shards.hpp"

#include "support/postgres_cluster.hpp"
#include "unit/store/commit_log.hpp"
#include "unit/store/sample_run.hpp"
#include "unit/store/store_options.hpp"

#include <perdure/clock.hpp>
#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <thread>

using namespace perdure::detail;
using namespace std::chrono_literals;
using perdure::test::commit_log;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;

namespace {

std::vector<write_op> a_started_run(std::int64_t run_key, std::string workflow_id) {
    std::vector<write_op> ops;
    ops.emplace_back(insert_execution{perdure::test::sample_run(run_key, std::move(workflow_id))});
    ops.emplace_back(insert_event{run_key, event{1, event_type::workflow_execution_started, 1, {}}});
    ops.emplace_back(insert_event{run_key, event{2, event_type::workflow_task_scheduled, 2, {}}});
    return ops;
}

/// An engine's view of one database: its own clock, lease and name.
struct engine_at {
    std::shared_ptr<perdure::manual_clock> clock = std::make_shared<perdure::manual_clock>();
    perdure::engine_options options;
    pg_store_config config;

    engine_at(const std::string& uri, std::string owner, std::chrono::seconds at) {
        options = perdure::test::store_options(uri);
        options.clock = clock;
        clock->advance(at);
        config.lease = 30s;
        config.owner = std::move(owner);
    }
    std::unique_ptr<postgres_store> open(commit_log& log) const {
        return std::make_unique<postgres_store>(options, open_mode::owner, log.callbacks(), config);
    }
};

std::int64_t scalar(const std::string& uri, const char* sql) {
    pg::connection c(uri, "perdure tests");
    return c.exec(sql).int64(0, 0);
}

void run_sql(const std::string& uri, const char* sql) {
    pg::connection c(uri, "perdure tests");
    c.run(sql);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_store_tests, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(the_schema_is_created_once_and_reopened_unchanged) {
    const auto uri = postgres_cluster::instance().create_database();
    {
        auto s = open_store(perdure::test::store_options(uri), open_mode::owner);
        BOOST_TEST(s->created());
    }
    {
        auto s = open_store(perdure::test::store_options(uri), open_mode::owner);
        BOOST_TEST(!s->created());
        BOOST_TEST(s->owner_epoch() == 2u);   // the second owner raised every shard's epoch
    }
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.schema_version") == 1);
    BOOST_TEST(scalar(uri, "SELECT version FROM perdure.schema_version") == perdure::detail::pg_schema_version);
    BOOST_TEST(scalar(uri, "SELECT shard_count FROM perdure.cluster_meta") == 16);
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.shard_leases") == 16);
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.shard_leases WHERE owner <> ''") == 0);   // closed: released
}

BOOST_AUTO_TEST_CASE(only_owner_and_create_opens_make_a_schema) {
    const auto uri = postgres_cluster::instance().create_database();
    for (const auto mode : {open_mode::reader, open_mode::maintenance})
        BOOST_CHECK_EXCEPTION(open_store(perdure::test::store_options(uri), mode), perdure::not_found,
                              [&](const perdure::not_found& e) {
                                  return std::string(e.what()).find("no perdure database at postgresql://") == 0;
                              });
    auto created = open_store(perdure::test::store_options(uri), open_mode::create);
    BOOST_TEST(created->created());
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused) {
    const auto uri = postgres_cluster::instance().create_database();
    open_store(perdure::test::store_options(uri), open_mode::owner)->close();
    pg::connection(uri, "perdure tests").run("UPDATE perdure.schema_version SET version = 99");
    BOOST_CHECK_EXCEPTION(open_store(perdure::test::store_options(uri), open_mode::owner), perdure::failed_precondition,
                          [](const perdure::failed_precondition& e) {
                              return std::string(e.what()).find("newer perdure (schema 99") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(a_schema_named_perdure_that_is_not_ours_is_refused) {
    const auto uri = postgres_cluster::instance().create_database();
    pg::connection(uri, "perdure tests").run("CREATE SCHEMA perdure");
    BOOST_CHECK_THROW(open_store(perdure::test::store_options(uri), open_mode::owner), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_shard_map_is_stable_and_spreads_workflows) {
    // Part of the stored format: these values never change.
    BOOST_TEST(shard_of(1, "order-1", 16) == shard_of(1, "order-1", 16));
    BOOST_TEST(shard_of(1, "", 1) == 0);
    std::set<int> seen;
    for (int i = 0; i < 200; ++i) {
        const int s = shard_of(1, "wf-" + std::to_string(i), 16);
        BOOST_TEST((s >= 0 && s < 16));
        seen.insert(s);
    }
    BOOST_TEST(seen.size() == 16u);
    // Every run of a workflow id lands where the store recorded it.
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto s = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_started_run(7, "order-1")));
    BOOST_TEST(scalar(uri, "SELECT shard_id FROM perdure.executions WHERE run_key = 7") == shard_of(1, "order-1", 16));
}

BOOST_AUTO_TEST_CASE(beside_a_live_lease_a_second_engine_stands_by_until_it_lapses) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 10s);
    auto store_a = a.open(log_a);
    auto store_b = b.open(log_b);
    BOOST_TEST(store_b->standing_by());
    BOOST_TEST(store_b->owner_epoch() == 0u);
    BOOST_CHECK_THROW(store_b->append(a_started_run(7, "order-1")), perdure::failed_precondition);
    BOOST_TEST(!store_b->take_ownership());
    // The CLI's own opens are still refused, naming the holder.
    BOOST_CHECK_EXCEPTION(postgres_store(b.options, open_mode::maintenance, {}, b.config), perdure::database_locked,
                          [](const perdure::database_locked& e) {
                              return std::string(e.what()).find("engine-a holds shard 0 for another 20 s") !=
                                     std::string::npos;
                          });
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));
    b.clock->advance(21s);   // a's lease (to 30 s) lapsed
    BOOST_TEST(store_b->take_ownership());
    BOOST_TEST(!store_b->standing_by());
    BOOST_TEST(store_b->owner_epoch() == 2u);
    log_b.wait_for(store_b->append(a_started_run(8, "order-2")));
    const auto seq = store_a->append(a_started_run(9, "order-3"));
    auto [first, failure] = log_a.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::ownership_lost));
    BOOST_TEST(store_b->reads().history_length(7) == 2);
    BOOST_TEST(!store_b->reads().find_run(std::int64_t{9}));
}

BOOST_AUTO_TEST_CASE(a_standby_that_saw_the_server_restart_does_not_take_a_free_lock_for_a_dead_owner) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 0s);
    auto store_a = a.open(log_a);
    auto store_b = b.open(log_b);
    BOOST_TEST(store_b->standing_by());
    // Every session is cut, engine-a's liveness lock with it, and engine-a has not written since:
    // its lease alone says it is alive.
    BOOST_REQUIRE(postgres_cluster::instance().restart());
    std::optional<bool> took;
    for (int tries = 0; !took && tries < 100; ++tries) try {
            took = store_b->take_ownership();
        } catch (const perdure::storage_error&) {
            // its own connection was cut: the next try reconnects
        }
    BOOST_TEST((took == false));
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));   // reconnected, and still the owner
    BOOST_TEST(store_a->reads().history_length(7) == 2);
    // Once the lease lapses, the lease decides as before.
    b.clock->advance(31s);
    BOOST_TEST(store_b->take_ownership());
}

BOOST_AUTO_TEST_CASE(a_stolen_shard_fences_the_old_owners_next_batch) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 31s);   // b comes after a's lease lapsed
    auto store_a = a.open(log_a);
    BOOST_TEST(store_a->owner_epoch() == 1u);
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));

    auto store_b = b.open(log_b);   // takes every shard: epoch 2
    BOOST_TEST(store_b->owner_epoch() == 2u);

    auto late = a_started_run(8, "order-2");
    late.emplace_back(insert_event{7, event{3, event_type::workflow_task_scheduled, 3, {}}});
    const auto seq = store_a->append(std::move(late));
    auto [first, failure] = log_a.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::ownership_lost));
    BOOST_TEST(failure.message.find("moved to engine engine-b at epoch 2") != std::string::npos);
    // Nothing of a's batch is there; b writes on.
    BOOST_TEST(store_b->reads().history_length(7) == 2);
    BOOST_TEST(!store_b->reads().find_run(std::int64_t{8}));
    log_b.wait_for(store_b->append(a_started_run(9, "order-3")));
    BOOST_TEST(store_b->reads().history_length(9) == 2);
    store_a->close();   // a gives nothing up: the leases are b's
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.shard_leases WHERE owner = 'engine-b'") == 16);
}

BOOST_AUTO_TEST_CASE(a_fenced_store_steps_back_and_takes_the_shards_again_under_a_new_name) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 31s);
    auto store_a = a.open(log_a);
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));
    auto store_b = b.open(log_b);
    store_a->append(a_started_run(8, "order-2"));
    BOOST_TEST((log_a.failure.get_future().get().second.reason == commit_failure::kind::ownership_lost));

    BOOST_TEST(store_a->step_back());
    BOOST_TEST(store_a->standing_by());
    BOOST_TEST(store_a->owner_epoch() == 0u);
    BOOST_TEST(!store_a->step_back());   // nothing left to give back
    BOOST_CHECK_THROW(store_a->append(a_started_run(9, "order-3")), perdure::failed_precondition);
    BOOST_TEST(!store_a->take_ownership());                // b is alive and its lease holds
    BOOST_TEST(store_a->reads().history_length(7) == 2);   // it still reads

    store_b->close();   // b hands its shards over
    BOOST_TEST(store_a->take_ownership());
    BOOST_TEST(store_a->owner_epoch() == 3u);
    {
        std::lock_guard lk(log_a.mutex);
        log_a.committed = 0;   // the new writer numbers its units from 1
    }
    log_a.wait_for(store_a->append(a_started_run(9, "order-3")));
    BOOST_TEST(store_a->reads().history_length(9) == 2);
    BOOST_TEST(!store_a->reads().find_run(std::int64_t{8}));
    // A new name: the fenced writer's progress row is never taken for this writer's.
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.shard_leases WHERE owner = 'engine-a.1'") == 16);
}

BOOST_AUTO_TEST_CASE(engines_sharing_a_database_never_give_two_runs_one_key) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 31s);
    auto store_a = a.open(log_a);
    const auto held_by_a = store_a->reserve_run_keys();   // handed out, never committed
    BOOST_TEST(held_by_a.end - held_by_a.first == 1024);
    auto store_b = b.open(log_b);   // a's lease lapsed: b takes over while a still holds its block
    const auto of_b = store_b->reserve_run_keys();
    BOOST_TEST((of_b.first >= held_by_a.end || of_b.end <= held_by_a.first));
    BOOST_TEST(store_b->reserve_run_keys().first == of_b.end);   // blocks follow one another
}

BOOST_AUTO_TEST_CASE(a_database_of_version_2_gets_its_key_blocks_above_its_runs) {
    const auto uri = postgres_cluster::instance().create_database();
    {
        commit_log log;
        engine_at a(uri, "engine-a", 0s);
        auto s = a.open(log);
        log.wait_for(s->append(a_started_run(5000, "order-1")));
    }
    // As a version 2 schema left it: no sequence, no fence function (version 4's, nor version 8's
    // refusal), no shared task table (version 5's).
    run_sql(
        uri,
        "DROP SEQUENCE perdure.run_key_blocks; DROP FUNCTION perdure.fence; DROP FUNCTION perdure.fence_refused; DROP TABLE perdure.queue_tasks; "
        "UPDATE perdure.schema_version SET version = 2");
    commit_log log;
    engine_at a(uri, "engine-a", 0s);
    auto s = a.open(log);
    BOOST_TEST(scalar(uri, "SELECT version FROM perdure.schema_version") == perdure::detail::pg_schema_version);
    BOOST_TEST(s->reserve_run_keys().first > 5000);
    log.wait_for(s->append(a_started_run(6000, "order-2")));   // fenced by the migrated function
    BOOST_TEST(s->reads().history_length(6000) == 2);
}

BOOST_AUTO_TEST_CASE(a_renewed_lease_holds_past_its_first_expiry) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b, log_c;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 31s), c(uri, "engine-c", 56s);
    auto store_a = a.open(log_a);
    a.clock->advance(25s);   // past a third of the lease: the next batch renews first (to 55 s)
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));
    BOOST_TEST(b.open(log_b)->standing_by());
    auto store_c = c.open(log_c);
    BOOST_TEST(store_c->owner_epoch() == 2u);
}

BOOST_AUTO_TEST_CASE(an_idle_writer_renews_its_leases) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    engine_at a(uri, "engine-a", 0s);
    auto store_a = a.open(log);
    const auto first_expiry = scalar(uri, "SELECT max(expires_at) FROM perdure.shard_leases");
    a.clock->advance(25s);
    // No batch comes: the writer's idle tick renews. Wait for the row to change, not for a time.
    while (scalar(uri, "SELECT min(expires_at) FROM perdure.shard_leases") == first_expiry)
        std::this_thread::sleep_for(20ms);
    BOOST_TEST(scalar(uri, "SELECT min(expires_at) FROM perdure.shard_leases") == first_expiry + 25'000'000);
    BOOST_TEST(scalar(uri, "SELECT max(epoch) FROM perdure.shard_leases") == 1);   // renewing keeps the epoch
}

BOOST_AUTO_TEST_CASE(a_closed_store_hands_its_shards_over_at_once) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 1s);
    a.open(log_a)->close();
    BOOST_TEST(b.open(log_b)->owner_epoch() == 2u);
}

BOOST_AUTO_TEST_CASE(a_backend_terminated_mid_batch_never_half_applies_it) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto s = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    // Hold the history table so the writer's batch stops inside its transaction, after it has
    // written the execution row.
    pg::connection blocker(uri, "perdure tests");
    blocker.run("BEGIN");
    blocker.run("LOCK TABLE perdure.history IN ACCESS EXCLUSIVE MODE");
    const auto seq = s->append(a_started_run(7, "order-1"));
    pg::connection admin(uri, "perdure tests");
    std::int64_t writer_pid = 0;
    while (writer_pid == 0) {   // wait for the writer to block, not for a time
        auto r = admin.exec(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'perdure writer' "
            "AND datname = current_database() AND wait_event_type = 'Lock'");
        if (r.rows() == 1)
            writer_pid = r.int64(0, 0);
        else
            std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST(admin.exec("SELECT pg_terminate_backend($1::integer)", pg::params(writer_pid)).text(0, 0) == "t");
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.executions") == 0);   // the half batch is gone
    blocker.run("ROLLBACK");
    log.wait_for(seq);   // retried whole on a new connection
    BOOST_TEST(s->reads().history_length(7) == 2);
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.executions") == 1);
    BOOST_TEST(s->batches() == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_lost_units_it_had_acknowledged_stops_the_writer_instead_of_writing_past_them) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto s = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_started_run(7, "order-1")));
    // What a server crash does to commits it had not flushed yet (durability below full, or a
    // claim of an inbox command): they are gone with the progress row that counted them, and
    // the writer's connection with them.
    pg::connection admin(uri, "perdure tests");
    admin.run(
        "DELETE FROM perdure.history; DELETE FROM perdure.executions; UPDATE perdure.writer_progress SET "
        "last_unit = 0");
    BOOST_TEST(admin
                   .exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
                         "'perdure writer' AND datname = current_database()")
                   .int64(0, 0) == 1);
    const auto seq = s->append(a_started_run(8, "order-2"));
    const auto [first, failure] = log.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::storage));
    BOOST_TEST(failure.message.find("the server lost units 1 to 1, which it had reported committed") !=
               std::string::npos);
    BOOST_TEST(failure.message.find("reopen the database") != std::string::npos);
    // Written past the lost unit, run 8 would sit in a history the engine believes has run 7.
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.executions") == 0);
}

BOOST_AUTO_TEST_CASE(an_owner_whose_shards_moved_while_its_connection_was_down_is_fenced_not_told_of_lost_units) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log_a, log_b;
    engine_at a(uri, "engine-a", 0s), b(uri, "engine-b", 31s);   // b comes after a's lease lapsed
    auto store_a = a.open(log_a);
    log_a.wait_for(store_a->append(a_started_run(7, "order-1")));
    auto store_b = b.open(log_b);   // takes every shard, and deletes a's progress row
    pg::connection admin(uri, "perdure tests");
    BOOST_TEST(admin
                   .exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
                         "'perdure writer' AND datname = current_database()")
                   .int64(0, 0) == 2);   // b's writer too, which has nothing to lose
    const auto seq = store_a->append(a_started_run(8, "order-2"));
    const auto [first, failure] = log_a.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::ownership_lost), failure.message);
    BOOST_TEST(!store_b->reads().find_run(std::int64_t{8}));
}

BOOST_AUTO_TEST_CASE(the_owner_sweeps_commands_no_sender_waits_for_from_the_inbox) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    engine_at a(uri, "engine-a", 0s);
    auto owner = a.open(log);
    auto sender = open_store(perdure::test::store_options(uri), open_mode::reader);
    const auto command = [&](std::int64_t expires) {
        return sender->submit_command(namespace_delete_command{"zeta"}, 0, expires);
    };
    constexpr std::int64_t far = std::int64_t{1} << 60;
    const auto answered = command(far), withdrawn = command(far);
    command(1);   // left pending past its expiry
    const auto waiting = command(far), claimed = command(far);
    std::vector<write_op> ops;
    ops.emplace_back(finish_inbox{answered, inbox_failure{perdure::errc::not_found, "no namespace zeta"}});
    ops.emplace_back(claim_inbox{claimed, std::make_shared<std::atomic<bool>>(false)});
    log.wait_for(owner->append(std::move(ops)));
    BOOST_TEST(sender->withdraw_command(withdrawn));

    a.clock->advance(25s);   // the next batch renews the leases, and the first sweep marks where it stands
    log.wait_for(owner->append(a_started_run(7, "order-1")));
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.inbox") == 5);
    const auto late = command(1);   // after the mark: the next sweep leaves it
    a.clock->advance(5min);
    log.wait_for(owner->append(a_started_run(8, "order-2")));

    pg::connection admin(uri, "perdure tests");
    auto left = admin.exec("SELECT id FROM perdure.inbox ORDER BY id");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < left.rows(); ++i) ids.push_back(left.int64(i, 0));
    const std::vector<std::int64_t> kept{waiting, claimed, late};
    BOOST_TEST(ids == kept, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_pipeline_sends_many_statements_and_stops_at_the_first_failure) {
    pg::connection c(postgres_cluster::instance().create_database(), "perdure tests");
    c.run("CREATE TABLE public.t(k bigint PRIMARY KEY, v text)");
    // Far more than a socket buffer holds, both ways: sending must take answers in meanwhile.
    std::vector<pg::statement> many{{"BEGIN", {}}};
    for (std::int64_t k = 0; k < 20'000; ++k)
        many.push_back({"INSERT INTO public.t(k, v) VALUES ($1::bigint, $2)", pg::params(k, std::string(100, 'x'))});
    std::int64_t counted = 0;
    many.push_back({"SELECT count(*) FROM public.t", {}, [&](const pg::result& r) { counted = r.int64(0, 0); }});
    many.push_back({"COMMIT", {}});
    c.exec_all(many);
    BOOST_TEST(counted == 20'000);

    bool after_failure_ran = false;
    const std::vector<pg::statement> failing{
        {"BEGIN", {}},
        {"INSERT INTO public.t(k, v) VALUES ($1::bigint, 'new')", pg::params(std::int64_t{-1})},
        {"INSERT INTO public.t(k, v) VALUES ($1::bigint, 'dup')", pg::params(std::int64_t{5})},
        {"SELECT 1", {}, [&](const pg::result&) { after_failure_ran = true; }},
        {"COMMIT", {}}};
    BOOST_CHECK_EXCEPTION(c.exec_all(failing), pg::failure,
                          [](const pg::failure& f) { return f.sqlstate == "23505" && !f.connection_lost; });
    BOOST_TEST(!after_failure_ran);
    c.run("ROLLBACK");
    BOOST_TEST(c.ok());   // the connection goes on
    BOOST_TEST(c.exec("SELECT count(*) FROM public.t WHERE k < 0").int64(0, 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_missing_database_is_a_storage_error_naming_it) {
    const auto uri = postgres_cluster::instance().uri("no_such_db");
    BOOST_CHECK_EXCEPTION(open_store(perdure::test::store_options(uri), open_mode::owner), perdure::storage_error,
                          [&](const perdure::storage_error& e) {
                              const std::string m = e.what();
                              return m.find("database " + uri + ": opening: the server has no such database") == 0 &&
                                     m.find("no_such_db\" does not exist") != std::string::npos &&
                                     m.find("engine_options::database") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_a_storage_error_without_the_password) {
    const std::string uri = "postgresql://someone:secret@/db?host=/nonexistent-perdure-dir&port=1";
    BOOST_CHECK_EXCEPTION(open_store(perdure::test::store_options(uri), open_mode::reader), perdure::storage_error,
                          [](const perdure::storage_error& e) {
                              const std::string m = e.what();
                              return m.find("postgresql://someone:***@/db") != std::string::npos &&
                                     m.find("secret") == std::string::npos && m.find("--db URL") != std::string::npos;
                          });
    BOOST_CHECK_THROW(pg::connect_with_backoff(uri, "perdure tests", 250ms), pg::failure);
}

BOOST_AUTO_TEST_CASE(an_offered_attempt_is_claimed_once_until_its_claim_expires_and_goes_with_its_run) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    auto ops = a_started_run(7, "order-1");
    ops.emplace_back(insert_event{
        7, event{3, event_type::activity_task_scheduled, 3, {{"activity_type", "Resize"}, {"task_queue", "images"}}}});
    ops.emplace_back(offer_task{task_offer{7, 3, 1, "images", "Resize", 2, "41"}});
    ops.emplace_back(offer_task{task_offer{7, 9, 1, "images", "Crop", 1, ""}});
    log.wait_for(owner->append(std::move(ops)));
    auto first = open_store(perdure::test::store_options(uri), open_mode::reader);
    auto second = open_store(perdure::test::store_options(uri), open_mode::reader);

    // Only the types a claimer serves, only once, with what the attempt needs to run.
    BOOST_TEST(first->claim_tasks(task_kind::activity, 1, "other", {"Resize"}, "a", 30s, 8).empty());
    BOOST_TEST(first->claim_tasks(task_kind::activity, 2, "images", {"Resize"}, "a", 30s, 8).empty());
    const auto claimed = first->claim_tasks(task_kind::activity, 1, "images", {"Resize", "Blur"}, "a", 30s, 8);
    BOOST_TEST_REQUIRE(claimed.size() == 1u);
    BOOST_TEST(claimed[0].run_key == 7);
    BOOST_TEST(claimed[0].seq == 3);
    BOOST_TEST(claimed[0].attempt == 2);
    BOOST_TEST(claimed[0].details == "41");
    BOOST_TEST(claimed[0].workflow_id == "order-1");
    BOOST_TEST(claimed[0].scheduled_attrs.find("\"Resize\"") != std::string::npos);
    BOOST_TEST(second->claim_tasks(task_kind::activity, 1, "images", {"Resize"}, "b", 30s, 8).empty());
    // A claim whose start the owner never recorded expires, and another engine may claim it.
    BOOST_TEST(first->claim_tasks(task_kind::activity, 1, "images", {"Crop"}, "a", 0ms, 8).size() == 1u);
    BOOST_TEST(second->claim_tasks(task_kind::activity, 1, "images", {"Crop"}, "b", 30s, 8).size() == 1u);
    // An offer may hold its claims for less than the claimer asks (an activity's timeouts).
    std::vector<write_op> brief;
    brief.emplace_back(offer_task{task_offer{7, 11, 1, "images", "Trim", 1, "", task_kind::activity, 1'000}});
    log.wait_for(owner->append(std::move(brief)));
    BOOST_TEST(first->claim_tasks(task_kind::activity, 1, "images", {"Trim"}, "a", 30s, 8).size() == 1u);
    BOOST_TEST(scalar(uri,
                      "SELECT count(*) FROM perdure.queue_tasks WHERE task_type = 'Trim' "
                      "AND claim_expires <= clock_timestamp() + interval '1 s'") == 1);
    BOOST_TEST(scalar(uri,
                      "SELECT count(*) FROM perdure.queue_tasks WHERE task_type = 'Crop' "
                      "AND claim_expires > clock_timestamp() + interval '20 s'") == 1);
    // The next attempt's offer replaces the claimed one and is claimable again.
    std::vector<write_op> next;
    next.emplace_back(offer_task{task_offer{7, 3, 1, "images", "Resize", 3, ""}});
    log.wait_for(owner->append(std::move(next)));
    BOOST_TEST(second->claim_tasks(task_kind::activity, 1, "images", {"Resize"}, "b", 30s, 8).at(0).attempt == 3);
    // Withdrawn, or its run's work cleared at close, nothing is left to claim.
    std::vector<write_op> done;
    done.emplace_back(withdraw_task{7, 3});
    done.emplace_back(clear_run_work{7});
    log.wait_for(owner->append(std::move(done)));
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.queue_tasks") == 0);
}

BOOST_AUTO_TEST_CASE(an_offered_nexus_attempt_is_taken_by_its_claim_and_never_by_an_activity_claim) {
    const auto uri = postgres_cluster::instance().create_database();
    commit_log log;
    auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    auto ops = a_started_run(7, "caller-1");
    ops.emplace_back(insert_event{
        7, event{3, event_type::nexus_operation_scheduled, 3, {{"service", "echo"}, {"operation", "say"}}}});
    // Offered to the handler namespace (2) on the endpoint's target queue, named by its service.
    ops.emplace_back(offer_task{task_offer{7, 3, 2, "handlers", "echo", 4, "", task_kind::nexus}});
    log.wait_for(owner->append(std::move(ops)));
    auto first = open_store(perdure::test::store_options(uri), open_mode::reader);
    auto second = open_store(perdure::test::store_options(uri), open_mode::reader);

    BOOST_TEST(first->claim_tasks(task_kind::activity, 2, "handlers", {"echo"}, "a", 30s, 8).empty());
    BOOST_TEST(first->claim_tasks(task_kind::nexus, 2, "handlers", {"other"}, "a", 30s, 8).empty());
    const auto claimed = first->claim_tasks(task_kind::nexus, 2, "handlers", {"echo"}, "a", 30s, 8);
    BOOST_TEST_REQUIRE(claimed.size() == 1u);
    BOOST_TEST(claimed[0].attempt == 4);
    BOOST_TEST(claimed[0].ns_id == 2);
    BOOST_TEST(claimed[0].run_ns_id == 1);
    BOOST_TEST(claimed[0].task_queue == "handlers");
    BOOST_TEST(claimed[0].workflow_id == "caller-1");
    BOOST_TEST(claimed[0].scheduled_attrs.find("\"say\"") != std::string::npos);
    // The claim took the offer: nobody else runs this attempt, and the owner has nothing to withdraw.
    BOOST_TEST(second->claim_tasks(task_kind::nexus, 2, "handlers", {"echo"}, "b", 30s, 8).empty());
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.queue_tasks") == 0);
}

BOOST_AUTO_TEST_CASE(queries_offered_by_an_owner_are_dropped_when_the_data_moves_and_other_offers_stay) {
    const auto uri = postgres_cluster::instance().create_database();
    {
        commit_log log;
        auto owner = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
        auto ops = a_started_run(7, "order-1");
        ops.emplace_back(
            offer_task{task_offer{7, -1, 1, "orders", "Order", 1, R"({"query_id":"q1"})", task_kind::query}});
        ops.emplace_back(offer_task{task_offer{7, 3, 1, "images", "Resize", 1, ""}});
        log.wait_for(owner->append(std::move(ops)));
        BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.queue_tasks") == 2);
    }
    // Its caller waited in the old owner's memory: nobody would hear the answer.
    commit_log log;
    auto next = open_store(perdure::test::store_options(uri), open_mode::owner, log.callbacks());
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.queue_tasks WHERE kind = 6") == 0);
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.queue_tasks WHERE task_type = 'Resize'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
