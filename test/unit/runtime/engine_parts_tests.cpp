// The engine core's parts on data: the commit pipeline releases effects only after their unit
// commits, the run table keeps its indexes and its cache honest, the namespace table validates
// and never reuses an id, the activity threads are handed out oldest waiter first.
#include "runtime/activity_threads.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/namespace_table.hpp"
#include "runtime/run_table.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>
#include <stdexcept>

using namespace perdure::detail;

namespace {

/// A store that only numbers the units it is given: commits are reported by the test.
class numbering_store final : public store {
public:
    std::uint64_t append(std::vector<write_op>&& ops) override {
        appended_ops += ops.size();
        return ++units;
    }
    void hold_batch() noexcept override {}
    void release_batch() noexcept override {}
    bool post_read(unique_function<void(store_reads&)>) override { throw std::logic_error("no reads here"); }
    store_reads& reads() override { throw std::logic_error("no reads here"); }
    std::unique_ptr<store_reads> snapshot() override { throw std::logic_error("no reads here"); }
    std::int64_t submit_command(const inbox_command&, std::int64_t, std::int64_t) override {
        throw std::logic_error("no inbox here");
    }
    std::optional<inbox_status> command_status(std::int64_t) override { throw std::logic_error("no inbox here"); }
    bool withdraw_command(std::int64_t) override { throw std::logic_error("no inbox here"); }
    key_block reserve_run_keys() override { return {1, std::numeric_limits<std::int64_t>::max()}; }
    void reserve_keys_above(std::int64_t) override {}
    bool created() const noexcept override { return false; }
    std::uint64_t owner_epoch() const noexcept override { return 1; }
    bool in_memory() const noexcept override { return true; }
    const std::string& name() const noexcept override { return name_; }
    std::uint64_t batches() const override { return units; }
    std::chrono::microseconds committing_time() const override { return {}; }
    void stop_writes() override {}
    void close() override {}

    std::uint64_t units = 0;
    std::size_t appended_ops = 0;

private:
    std::string name_ = "numbering";
};

std::vector<write_op> one_write() {
    std::vector<write_op> ops;
    ops.emplace_back(incremental_vacuum{1});
    return ops;
}

/// Effects that record, in order, which ran and with what outcome.
struct effect_log {
    std::vector<std::string> ran;
    effect record(std::string name) {
        return [this, name = std::move(name)](std::exception_ptr e) { ran.push_back(name + (e ? " failed" : "")); };
    }
    std::vector<effect> effects(std::string name) {
        std::vector<effect> out;
        out.push_back(record(std::move(name)));
        return out;
    }
};

std::unique_ptr<run_state> run(std::int64_t key, std::string workflow_id, std::int64_t ns_id = 1) {
    auto r = std::make_unique<run_state>();
    r->run_key = key;
    r->ns_id = ns_id;
    r->workflow_id = std::move(workflow_id);
    return r;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(commit_pipeline_on_data)

BOOST_AUTO_TEST_CASE(effects_run_only_once_their_unit_commits_and_in_order) {
    numbering_store s;
    commit_pipeline pipeline(s);
    effect_log log;
    const auto first = pipeline.submit(one_write(), log.effects("first"));
    const auto second = pipeline.submit(one_write(), log.effects("second"));
    BOOST_TEST(log.ran.empty());
    BOOST_TEST(!pipeline.idle());
    BOOST_TEST(pipeline.committed(first) == 1);
    BOOST_TEST(log.ran == std::vector<std::string>{"first"});
    BOOST_TEST(pipeline.committed(second) == 1);
    BOOST_TEST((log.ran == std::vector<std::string>{"first", "second"}));
    BOOST_TEST(pipeline.idle());
    BOOST_TEST(pipeline.committed_unit() == second);
}

BOOST_AUTO_TEST_CASE(a_unit_without_writes_waits_for_the_last_unit_in_flight) {
    numbering_store s;
    commit_pipeline pipeline(s);
    effect_log log;
    const auto written = pipeline.submit(one_write(), log.effects("write"));
    BOOST_TEST(pipeline.submit({}, log.effects("answer")) == written);
    BOOST_TEST(s.units == 1u);   // it asked the store for nothing
    BOOST_TEST(log.ran.empty());
    BOOST_TEST(pipeline.committed(written) == 1);
    BOOST_TEST((log.ran == std::vector<std::string>{"write", "answer"}));
}

BOOST_AUTO_TEST_CASE(a_unit_without_writes_answers_at_once_when_nothing_is_in_flight) {
    numbering_store s;
    commit_pipeline pipeline(s);
    effect_log log;
    pipeline.submit({}, log.effects("answer"));
    BOOST_TEST(log.ran == std::vector<std::string>{"answer"});
}

BOOST_AUTO_TEST_CASE(a_report_covering_several_units_releases_them_all) {
    numbering_store s;
    commit_pipeline pipeline(s);
    effect_log log;
    pipeline.submit(one_write(), log.effects("a"));
    pipeline.submit(one_write(), log.effects("b"));
    const auto last = pipeline.submit(one_write(), log.effects("c"));
    BOOST_TEST(pipeline.committed(last) == 3);
    BOOST_TEST((log.ran == std::vector<std::string>{"a", "b", "c"}));
}

BOOST_AUTO_TEST_CASE(a_failure_reaches_every_waiting_effect_and_none_runs_twice) {
    numbering_store s;
    commit_pipeline pipeline(s);
    effect_log log;
    const auto first = pipeline.submit(one_write(), log.effects("first"));
    pipeline.submit(one_write(), log.effects("second"));
    pipeline.committed(first);
    pipeline.fail_waiting(std::make_exception_ptr(perdure::storage_error("disk full")));
    BOOST_TEST((log.ran == std::vector<std::string>{"first", "second failed"}));
    BOOST_TEST(pipeline.idle());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_table_on_data)

BOOST_AUTO_TEST_CASE(a_new_run_of_a_workflow_id_replaces_the_closed_one_in_the_open_index) {
    run_table runs;
    runs.add(run(1, "order-7"));
    runs.add(run(2, "order-7"));   // continue-as-new: the old run is still tracked until its waiters hear
    BOOST_TEST(runs.find_open(1, "order-7")->run_key == 2);
    runs.erase(1);   // forgetting the old run leaves the new one findable
    BOOST_TEST(runs.find(1) == nullptr);
    BOOST_TEST(runs.find_open(1, "order-7")->run_key == 2);
    runs.erase(2);
    BOOST_TEST(runs.find_open(1, "order-7") == nullptr);
}

BOOST_AUTO_TEST_CASE(workflow_ids_are_per_namespace) {
    run_table runs;
    runs.add(run(1, "same", 1));
    runs.add(run(2, "same", 2));
    BOOST_TEST(runs.find_open(1, "same")->run_key == 1);
    BOOST_TEST(runs.find_open(2, "same")->run_key == 2);
    BOOST_TEST(runs.find_open(3, "same") == nullptr);
}

BOOST_AUTO_TEST_CASE(keys_come_from_the_stores_blocks_the_next_asked_for_only_when_one_is_used_up) {
    run_table runs;
    std::vector<key_block> blocks{{42, 44}, {2048, 3072}};
    int asked = 0;
    runs.take_keys_from([&] { return blocks.at(asked++); });
    BOOST_TEST(asked == 0);   // nothing reserved before a run needs a key
    BOOST_TEST(runs.next_key() == 42);
    BOOST_TEST(runs.next_key() == 43);
    BOOST_TEST(asked == 1);
    BOOST_TEST(runs.next_key() == 2048);
    BOOST_TEST(runs.next_key() == 2049);
    BOOST_TEST(asked == 2);
}

BOOST_AUTO_TEST_CASE(a_store_that_cannot_give_keys_fails_the_new_run_with_its_error) {
    run_table runs;
    runs.take_keys_from([]() -> key_block { throw perdure::storage_error("the server is gone"); });
    BOOST_CHECK_THROW(runs.next_key(), perdure::storage_error);
    runs.take_keys_from([] { return key_block{5, 5}; });
    BOOST_CHECK_THROW(runs.next_key(), perdure::failed_precondition);
}

BOOST_AUTO_TEST_CASE(eviction_drops_least_recently_used_instances_the_owner_lets_go) {
    run_table runs;
    std::vector<run_state*> rs;
    for (int k = 1; k <= 4; ++k) {
        auto& r = runs.add(run(k, "w" + std::to_string(k)));
        r.inst = std::make_unique<workflow_instance>(nullptr, perdure::workflow_info{}, 0);
        runs.touch(r);
        rs.push_back(&r);
    }
    runs.touch(*rs[0]);   // run 1 is now the most recently used
    BOOST_TEST(runs.live_instances() == 4u);
    // Run 2 is busy: the owner keeps it.
    runs.evict(2, SIZE_MAX, [](const run_state& r) { return r.run_key != 2; });
    BOOST_TEST(runs.live_instances() == 2u);
    BOOST_TEST(rs[0]->inst != nullptr);
    BOOST_TEST(rs[1]->inst != nullptr);
    BOOST_TEST(rs[2]->inst == nullptr);
    BOOST_TEST(rs[3]->inst == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(namespace_table_on_data)

BOOST_AUTO_TEST_CASE(ids_continue_after_every_id_ever_given_and_names_are_validated) {
    namespace_table table;
    table.load({namespace_row{1, "default", "", 0, 1000}}, 5);   // 2 to 5 were deleted
    BOOST_TEST(table.add("orders", "", 0).ns_id == 6);
    BOOST_CHECK_THROW(table.add("-bad", "", 0), perdure::invalid_argument);
    BOOST_CHECK_THROW(table.add("", "", 0), perdure::invalid_argument);
    BOOST_CHECK_THROW(table.add(std::string(256, 'a'), "", 0), perdure::invalid_argument);
    BOOST_TEST(table.add("a.b_c-d", "", 0).ns_id == 7);
}

BOOST_AUTO_TEST_CASE(a_missing_namespace_is_named_with_the_known_ones_and_the_fix) {
    namespace_table table;
    table.load({namespace_row{1, "default", "", 0, 1000}}, 1);
    try {
        table.id_of("defualt");
        BOOST_FAIL("expected not_found");
    } catch (const perdure::not_found& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("'defualt'") != std::string::npos, what);
        BOOST_TEST(what.find("known: default") != std::string::npos, what);
        BOOST_TEST(what.find("ensure(name)") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(the_snapshot_for_other_threads_follows_every_change) {
    namespace_table table;
    table.load({}, 0);
    const auto id = table.add("orders", "", 0).ns_id;
    BOOST_TEST(table.id_snapshot("orders").value_or(0) == id);
    BOOST_TEST(table.name_snapshot(id) == "orders");
    table.remove("orders");
    BOOST_TEST(!table.id_snapshot("orders"));
    BOOST_TEST(table.name_snapshot(id).empty());
    BOOST_TEST(table.find("orders") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_retention_must_be_positive_and_the_namespace_must_exist) {
    namespace_table table;
    table.load({namespace_row{1, "default", "", 0, 1000}}, 1);
    BOOST_TEST(table.set_retention("default", 5000).retention_ms == 5000);
    BOOST_CHECK_THROW(table.set_retention("default", 0), perdure::invalid_argument);
    BOOST_CHECK_THROW(table.set_retention("nope", 5000), perdure::not_found);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(activity_threads_on_data)

BOOST_AUTO_TEST_CASE(waiting_attempts_get_freed_threads_oldest_first) {
    activity_threads threads(1);
    BOOST_TEST(threads.try_reserve());
    BOOST_TEST(!threads.try_reserve());   // the only thread is busy
    threads.wait_for_thread({1, 5});
    threads.wait_for_thread({2, 5});
    auto any = [](const task_key&) { return true; };
    BOOST_TEST(!threads.take_next(any));   // still busy
    threads.release();
    BOOST_TEST(threads.take_next(any)->run_key == 1);
    BOOST_TEST(!threads.take_next(any));   // the freed thread went to the oldest
    threads.release();
    BOOST_TEST(threads.take_next(any)->run_key == 2);
    threads.join();
}

BOOST_AUTO_TEST_CASE(an_attempt_that_stopped_waiting_gives_its_turn_away) {
    activity_threads threads(2);
    threads.wait_for_thread({1, 5});   // closed meanwhile
    threads.wait_for_thread({2, 5});
    const auto next = threads.take_next([](const task_key& k) { return k.run_key != 1; });
    BOOST_TEST(next->run_key == 2);
    BOOST_TEST(threads.try_reserve());   // one of two threads is still free
    BOOST_TEST(!threads.try_reserve());
    threads.join();
}

BOOST_AUTO_TEST_CASE(a_pool_of_zero_threads_still_has_one) {
    activity_threads threads(0);
    BOOST_TEST(threads.try_reserve());
    BOOST_TEST(!threads.try_reserve());
    threads.join();
}

BOOST_AUTO_TEST_SUITE_END()
