// The store interface's contract, one case body for every store (SQLite and PostgreSQL): units
// of writes in, the same rows out, the inbox, snapshots, refused batches and reader stores. A
// last case writes one workload to both stores and compares every read.
#include "store/store.hpp"

#include "store/run_columns.hpp"
#include "store_backends.hpp"
#include "unit/store/commit_log.hpp"
#include "unit/store/open_runs.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <memory>
#include <sstream>

using namespace perdure::detail;
using perdure::test::commit_log;
using perdure::test::postgres_available;

namespace {

insert_event event_row(std::int64_t run_key, std::int64_t id, event_type type) {
    return {run_key, event{id, type, 1'000'000 * id, {{"n", id}, {"text", "é \"q\" \\ \u00e9"}}}};
}

run_identity a_run(std::int64_t run_key, std::int64_t ns_id, std::string workflow_id) {
    run_identity r;
    r.run_key = run_key;
    r.ns_id = ns_id;
    r.workflow_id = std::move(workflow_id);
    r.run_id = "run-" + std::to_string(run_key);
    r.first_run_id = r.run_id.str();
    r.root_workflow_id = r.workflow_id;
    r.root_run_id = r.run_id.str();
    r.workflow_type = "order";
    r.task_queue = "q";
    r.start_time_us = 1'000'000 * run_key;
    r.request_id = "req-" + std::to_string(run_key);
    r.execution_deadline_us = 99'000'000;
    r.run_timeout_ms = 5000;
    r.attempt = 2;
    r.memo = boost::json::object{{"k", "v"}};
    r.parent = {3, 4, perdure::parent_close_policy::abandon};
    r.callbacks = {{5, 6, "rid", "ep", "svc", "op", "tok"}};
    return r;
}

/// Two namespaces, an endpoint, two runs with history, outbox rows and deadlines.
std::vector<write_op> a_workload() {
    std::vector<write_op> ops;
    ops.emplace_back(upsert_namespace{namespace_row{2, "zeta", "second", 10, 1000}});
    ops.emplace_back(upsert_namespace{namespace_row{1, "Alpha", "first", 20, 2000}});
    ops.emplace_back(upsert_endpoint{endpoint_row{"ep-1", "orders", 3, "zeta", "q", "desc", 30, 40, 2.5}});
    ops.emplace_back(insert_execution{a_run(7, 1, "order-1")});
    ops.emplace_back(insert_execution{a_run(8, 2, "order-2")});
    for (std::int64_t id = 1; id <= 3; ++id) ops.emplace_back(event_row(7, id, event_type::workflow_task_scheduled));
    ops.emplace_back(event_row(8, 1, event_type::workflow_execution_started));
    ops.emplace_back(upsert_task{{7, 5, task_kind::activity, 1, 50, "{}", task_flags::final_attempt}});
    ops.emplace_back(upsert_task{{7, -1, task_kind::delivery, 1, 50, "{\"e\":1}", 0}});
    ops.emplace_back(upsert_task{{8, -2, task_kind::delivery, 1, 50, "{\"e\":2}", 0}});
    ops.emplace_back(insert_deadline{{7, deadline_kind::timer, 6, 9'000'000}});
    ops.emplace_back(insert_deadline{{8, deadline_kind::run_timeout, 0, 8'000'000}});
    return ops;
}

std::string text_of(const execution_row& r) {
    std::ostringstream o;
    o << r.run_key << '|' << r.ns_id << '|' << r.workflow_id << '|' << r.run_id.str() << '|' << r.workflow_type << '|'
      << r.task_queue << '|' << static_cast<int>(r.status) << '|' << r.start_time_us << '|' << r.close_time_us << '|'
      << r.request_id.str() << '|' << *r.first_run_id << '|' << r.execution_deadline_us << '|' << memo_column(r.memo)
      << '|' << r.task_failure << '|' << parent_column(r) << '|' << options_column(r) << '|'
      << callbacks_column(r.callbacks);
    return o.str();
}

std::string text_of(const event& e) {
    return std::to_string(e.id) + "|" + std::to_string(static_cast<int>(e.type)) + "|" + std::to_string(e.time_us) +
           "|" + boost::json::serialize(e.attrs);
}

/// Every read of the interface, as text, so two stores' answers compare in one assertion.
std::string everything(store_reads& r) {
    std::ostringstream o;
    for (const auto& n : r.namespaces())
        o << "ns " << n.ns_id << '|' << n.name << '|' << n.description << '|' << n.created_us << '|' << n.retention_ms
          << '\n';
    o << "max ns " << r.max_namespace_id() << "\n";
    for (const auto& e : r.endpoints())
        o << "ep " << e.id << '|' << e.name << '|' << e.version << '|' << e.target_namespace << '|'
          << e.target_task_queue << '|' << e.description << '|' << e.created_us << '|' << e.last_modified_us << '|'
          << e.max_operations_per_second << '\n';
    o << "max run " << r.max_run_key() << " min seq " << r.min_task_seq() << "\n";
    for (const auto& run : perdure::test::every_open_run(r))
        o << "open " << text_of(run.exec) << '|' << run.last_event_id << '|' << run.last_event_type << '\n';
    for (const auto& run : r.list_runs(0, std::nullopt, 100, 0)) {
        o << "run " << text_of(run) << " len " << r.history_length(run.run_key) << '\n';
        for (const auto& e : r.history(run.run_key, 1)) o << "  " << text_of(e) << '\n';
    }
    for (const auto& t : r.tasks())
        o << "task " << t.run_key << '|' << t.seq << '|' << static_cast<int>(t.kind) << '|' << t.attempt << '|'
          << t.due_us << '|' << t.details << '|' << t.flags << '\n';
    for (const auto& d : r.deadlines())
        o << "deadline " << d.run_key << '|' << static_cast<int>(d.kind) << '|' << d.seq << '|' << d.due_us << '\n';
    o << "open in 1: " << r.count_open_runs(1) << "\n";
    return o.str();
}

}   // namespace

BOOST_AUTO_TEST_SUITE(store_conformance, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE_TEMPLATE(committed_units_read_back_on_the_owners_thread, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    BOOST_TEST(s->owner_epoch() > 0u);
    BOOST_TEST(s->created());
    log.wait_for(s->append(a_workload()));

    auto& r = s->reads();
    const auto ns = r.namespaces();
    BOOST_TEST_REQUIRE(ns.size() == 2u);
    BOOST_TEST(ns[0].name == "Alpha");   // byte order, as SQLite sorts
    BOOST_TEST(r.endpoints().at(0).max_operations_per_second == 2.5);
    const auto history = r.history(7, 2);
    BOOST_TEST_REQUIRE(history.size() == 2u);
    BOOST_TEST(history[0].id == 2);
    BOOST_TEST(history[1].attrs.at("text").as_string() == "é \"q\" \\ \u00e9");
    BOOST_TEST(r.last_event(7)->id == 3);
    BOOST_TEST(!r.event_at(7, 4));
    BOOST_TEST(r.event_at(8, 1)->time_us == 1'000'000);
    const auto run = r.find_run("run-7");
    BOOST_TEST_REQUIRE(run.has_value());
    BOOST_TEST((static_cast<const run_identity&>(*run) == a_run(7, 1, "order-1")));
    BOOST_TEST(r.find_latest_run(2, "order-2")->run_key == 8);
    BOOST_TEST(!r.find_latest_run(1, "order-2"));
    BOOST_TEST(r.min_task_seq() == -2);
    const auto tasks = r.tasks();   // by due, kind, then outbox rows as written (seqs go down)
    BOOST_TEST_REQUIRE(tasks.size() == 3u);
    BOOST_TEST(tasks[0].seq == 5);
    BOOST_TEST(tasks[1].seq == -1);
    BOOST_TEST(tasks[0].flags == task_flags::final_attempt);
    BOOST_TEST(r.deadlines().front().run_key == 8);

    std::vector<write_op> close;
    close.emplace_back(event_row(7, 4, event_type::workflow_execution_completed));
    close.emplace_back(close_execution{7, run_status::completed, 4'000'000});
    close.emplace_back(clear_run_work{7});
    // Another run's events after a close, in the same batch: the close counts its own run's.
    close.emplace_back(event_row(8, 2, event_type::workflow_task_scheduled));
    close.emplace_back(event_row(8, 3, event_type::workflow_task_started));
    log.wait_for(s->append(std::move(close)));
    BOOST_TEST(r.history_length(7) == 4);
    BOOST_TEST(r.history(8).size() == 3u);
    BOOST_TEST(r.history(8).back().attrs.at("text").as_string() == "é \"q\" \\ \u00e9");
    BOOST_TEST(perdure::test::every_open_run(r).size() == 1u);
    BOOST_TEST(r.count_open_runs(1) == 0);
    BOOST_TEST((r.find_run(std::int64_t{7})->status == run_status::completed));
    BOOST_TEST(r.list_runs(0, run_status::completed, 10, 0).size() == 1u);
    BOOST_TEST(r.list_runs(0, std::nullopt, 10, 8).size() == 1u);   // below run 8
    BOOST_TEST(r.expired_runs(1, 5'000'000, 10) == std::vector<std::int64_t>{7});
    BOOST_TEST(r.expired_runs(1, 4'000'000, 10).empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(deleted_namespaces_and_runs_leave_the_reads, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_workload()));
    std::vector<write_op> ops;
    ops.emplace_back(delete_namespace{2});
    ops.emplace_back(delete_endpoint{"ep-1"});
    ops.emplace_back(delete_run{7});
    ops.emplace_back(incremental_vacuum{10});
    log.wait_for(s->append(std::move(ops)));
    auto& r = s->reads();
    BOOST_TEST(r.namespaces().size() == 1u);
    BOOST_TEST(r.max_namespace_id() == 2);
    BOOST_TEST(r.runs_of_deleted_namespaces(10) == std::vector<std::int64_t>{8});
    BOOST_TEST(r.list_runs(0, std::nullopt, 10, 0).empty());
    BOOST_TEST(r.endpoints().empty());
    BOOST_TEST(r.history(7, 1).empty());
    BOOST_TEST(!r.find_run(std::int64_t{7}));
    // The name of a deleted namespace is free again.
    std::vector<write_op> again;
    again.emplace_back(upsert_namespace{namespace_row{3, "zeta", "", 0, 0}});
    log.wait_for(s->append(std::move(again)));
    BOOST_TEST(r.namespaces().size() == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_refused_batch_fails_whole_and_stops_the_writer, Backend,
                              perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_workload()));
    std::vector<write_op> bad;
    bad.emplace_back(event_row(7, 4, event_type::workflow_task_scheduled));   // new, would apply
    bad.emplace_back(event_row(7, 1, event_type::workflow_task_scheduled));   // event 1 exists
    const auto seq = s->append(std::move(bad));
    auto [first, failure] = log.failure.get_future().get();
    BOOST_TEST(first == seq);
    BOOST_TEST((failure.reason == commit_failure::kind::storage));
    BOOST_TEST(failure.message.find("database ") != std::string::npos);
    BOOST_TEST(s->reads().history_length(7) == 3);   // nothing of the refused batch
}

// A read posted as the store closes either runs (queued before the reader stopped) or is refused
// and dropped, so that its poster answers whoever waits: never queued where nothing runs it.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_read_posted_after_the_store_closed_is_refused, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_workload()));
    std::promise<std::size_t> before;
    BOOST_TEST(s->post_read([&](store_reads& r) { before.set_value(r.history(7, 1).size()); }));
    s->close();
    BOOST_TEST(before.get_future().get() == 3u);   // queued before the close: run by it
    auto dropped = std::make_shared<int>(0);
    BOOST_TEST(!s->post_read([dropped](store_reads&) { ++*dropped; }));
    BOOST_TEST(dropped.use_count() == 1);   // the refused job was dropped, not kept
}

BOOST_AUTO_TEST_CASE_TEMPLATE(reads_run_on_the_reader_thread_and_in_snapshots, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_workload()));
    std::promise<std::size_t> length;
    BOOST_TEST(s->post_read([&](store_reads& r) { length.set_value(r.history(7, 1).size()); }));
    BOOST_TEST(length.get_future().get() == 3u);

    auto snap = s->snapshot();
    BOOST_TEST(snap->history_length(7) == 3);
    std::vector<write_op> more;
    more.emplace_back(event_row(7, 4, event_type::workflow_task_scheduled));
    log.wait_for(s->append(std::move(more)));
    BOOST_TEST(snap->history_length(7) == 3);   // still the state it first saw
    BOOST_TEST(snap->history(7, 1).size() == 3u);
    BOOST_TEST(s->reads().history_length(7) == 4);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_reader_store_reads_and_refuses_writes, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto owner = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(owner->append(a_workload()));
    auto reader = open_store(b.options(), open_mode::reader);
    BOOST_TEST(reader->owner_epoch() == 0u);
    BOOST_TEST(!reader->created());
    BOOST_TEST(reader->reads().history_length(7) == 3);
    BOOST_CHECK_THROW(reader->append({}), perdure::failed_precondition);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(keys_for_new_runs_lie_above_every_stored_one, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto s = open_store(b.options(), open_mode::owner, log.callbacks());
    log.wait_for(s->append(a_workload()));   // runs 7 and 8
    const auto first = s->reserve_run_keys();
    BOOST_TEST(first.first > 8);
    BOOST_TEST(first.end > first.first);
    const auto next = s->reserve_run_keys();   // asked again: nothing of the first block again
    BOOST_TEST((next.first >= first.end || next.first >= next.end));
    s->close();

    std::vector<write_op> high;
    high.emplace_back(insert_execution{a_run(first.first, 1, "order-9")});
    commit_log log_again;
    auto again = open_store(b.options(), open_mode::owner, log_again.callbacks());
    log_again.wait_for(again->append(std::move(high)));
    BOOST_TEST(again->reserve_run_keys().first > first.first);
    auto reader = open_store(b.options(), open_mode::reader);
    BOOST_CHECK_THROW(reader->reserve_run_keys(), perdure::failed_precondition);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_command_put_back_unapplied_is_pending_again_for_the_next_owner, Backend,
                              perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto owner = open_store(b.options(), open_mode::owner, log.callbacks());
    auto sender = open_store(b.options(), open_mode::reader);
    const auto id = sender->submit_command(namespace_delete_command{"zeta"}, 100, 1'000);
    const auto claim = [&] {
        auto claimed = std::make_shared<std::atomic<bool>>(false);
        std::vector<write_op> ops;
        ops.emplace_back(claim_inbox{id, claimed});
        log.wait_for(owner->append(std::move(ops)));
        return claimed->load();
    };
    const auto release = [&] {
        std::vector<write_op> ops;
        ops.emplace_back(release_inbox{id});
        log.wait_for(owner->append(std::move(ops)));
    };
    BOOST_TEST(claim());
    release();
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::pending));
    BOOST_TEST(owner->reads().pending_commands(500, 10).size() == 1u);
    BOOST_TEST(owner->reads().abandoned_commands().empty());   // not answered as abandoned
    BOOST_TEST(claim());                                       // the next owner takes it

    // An answered command stays answered, and a withdrawn one withdrawn.
    std::vector<write_op> finish;
    finish.emplace_back(finish_inbox{id, inbox_failure{perdure::errc::not_found, "no namespace zeta"}});
    log.wait_for(owner->append(std::move(finish)));
    release();
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::answered));
    const auto withdrawn = sender->submit_command(namespace_delete_command{"alpha"}, 100, 1'000);
    BOOST_TEST(sender->withdraw_command(withdrawn));
    std::vector<write_op> ops;
    ops.emplace_back(release_inbox{withdrawn});
    log.wait_for(owner->append(std::move(ops)));
    BOOST_TEST((sender->command_status(withdrawn)->at == inbox_status::stage::withdrawn));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(inbox_commands_go_from_sender_to_owner_and_back, Backend, perdure::test::store_backends) {
    Backend b;
    commit_log log;
    auto owner = open_store(b.options(), open_mode::owner, log.callbacks());
    auto sender = open_store(b.options(), open_mode::reader);
    const auto id = sender->submit_command(namespace_delete_command{"zeta"}, 100, 1'000);
    const auto other = sender->submit_command(namespace_delete_command{"alpha"}, 100, 1'000);
    BOOST_TEST(other > id);
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::pending));

    auto pending = owner->reads().pending_commands(500, 10);
    BOOST_TEST_REQUIRE(pending.size() == 2u);
    BOOST_TEST(pending[0].id == id);
    BOOST_TEST((*pending[0].command == inbox_command{namespace_delete_command{"zeta"}}));
    BOOST_TEST(owner->reads().pending_commands(1'000, 10).empty());   // expired by then

    auto claimed = std::make_shared<std::atomic<bool>>(false);
    std::vector<write_op> claim;
    claim.emplace_back(claim_inbox{id, claimed});
    log.wait_for(owner->append(std::move(claim)));
    BOOST_TEST(claimed->load());
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::claimed));
    BOOST_TEST(!sender->withdraw_command(id));

    std::vector<write_op> finish;
    finish.emplace_back(finish_inbox{id, inbox_failure{perdure::errc::not_found, "no namespace zeta"}});
    log.wait_for(owner->append(std::move(finish)));
    const auto answered = sender->command_status(id);
    BOOST_TEST((answered->at == inbox_status::stage::answered));
    BOOST_TEST((answered->answer == inbox_answer{inbox_failure{perdure::errc::not_found, "no namespace zeta"}}));

    BOOST_TEST(sender->withdraw_command(other));
    BOOST_TEST((sender->command_status(other)->at == inbox_status::stage::withdrawn));
    BOOST_TEST(!sender->command_status(9999));
}

BOOST_AUTO_TEST_CASE(one_workload_reads_the_same_on_both_stores) {
    perdure::test::sqlite_backend sqlite;
    perdure::test::postgres_backend postgres;
    std::string seen[2];
    int i = 0;
    for (const auto& options : {sqlite.options(), postgres.options()}) {
        commit_log log;
        auto s = open_store(options, open_mode::owner, log.callbacks());
        s->append(a_workload());
        std::vector<write_op> more;
        more.emplace_back(set_task_failure{8, "it failed"});
        more.emplace_back(set_callbacks{7, {}});
        more.emplace_back(close_execution{7, run_status::failed, 7'000'000});
        more.emplace_back(delete_task{8, -2});
        more.emplace_back(delete_deadline{7, deadline_kind::timer, 6});
        log.wait_for(s->append(std::move(more)));
        seen[i++] = everything(s->reads());
    }
    BOOST_TEST(seen[0] == seen[1]);
    BOOST_TEST(seen[0].find("it failed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
