// The retention sweeper on data: which expired runs it deletes, how many at a time, and when,
// with both clocks given by the test.
#include "runtime/retention_sweeper.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <stdexcept>

using namespace perdure::detail;
using namespace std::chrono_literals;

namespace {

/// Reads that answer only what the sweeper asks: expired runs by namespace, deleted namespaces' runs.
class expired_reads final : public store_reads {
public:
    std::vector<std::int64_t> expired, of_deleted_namespaces;
    std::int64_t asked_before_us = 0;
    int looks = 0;

    std::vector<std::int64_t> expired_runs(std::int64_t, std::int64_t before_us, std::size_t limit) override {
        ++looks;
        asked_before_us = before_us;
        return take(expired, limit);
    }
    std::vector<std::int64_t> runs_of_deleted_namespaces(std::size_t limit) override {
        return take(of_deleted_namespaces, limit);
    }

    std::vector<namespace_row> namespaces() override { return unused<std::vector<namespace_row>>(); }
    std::int64_t max_namespace_id() override { return unused<std::int64_t>(); }
    std::vector<endpoint_row> endpoints() override { return unused<std::vector<endpoint_row>>(); }
    std::int64_t max_run_key() override { return unused<std::int64_t>(); }
    void open_runs(const std::function<void(open_run_row)>&) override { unused<int>(); }
    std::vector<event> history(std::int64_t, std::int64_t) override { return unused<std::vector<event>>(); }
    std::optional<event> event_at(std::int64_t, std::int64_t) override { return unused<std::optional<event>>(); }
    std::optional<event> last_event(std::int64_t) override { return unused<std::optional<event>>(); }
    std::int64_t history_length(std::int64_t) override { return unused<std::int64_t>(); }
    std::vector<task_row> tasks() override { return unused<std::vector<task_row>>(); }
    std::vector<deadline_row> deadlines() override { return unused<std::vector<deadline_row>>(); }
    std::int64_t min_task_seq() override { return unused<std::int64_t>(); }
    std::optional<execution_row> find_run(std::string_view) override { return unused<std::optional<execution_row>>(); }
    std::optional<execution_row> find_run(std::int64_t) override { return unused<std::optional<execution_row>>(); }
    std::optional<execution_row> find_latest_run(std::int64_t, std::string_view) override {
        return unused<std::optional<execution_row>>();
    }
    std::vector<execution_row> list_runs(std::int64_t, std::optional<run_status>, std::size_t, std::int64_t) override {
        return unused<std::vector<execution_row>>();
    }
    std::int64_t count_open_runs(std::int64_t) override { return unused<std::int64_t>(); }
    run_page query_runs(std::int64_t, const visibility_query&, const std::vector<sort_value>&, std::size_t) override {
        return unused<run_page>();
    }
    std::vector<std::pair<int, std::int64_t>> count_runs(std::int64_t, const visibility_query&, bool) override {
        return unused<std::vector<std::pair<int, std::int64_t>>>();
    }
    std::vector<std::int64_t> abandoned_commands() override { return {}; }
    std::vector<pending_command> pending_commands(std::int64_t, std::size_t) override {
        return unused<std::vector<pending_command>>();
    }

private:
    static std::vector<std::int64_t> take(std::vector<std::int64_t>& from, std::size_t limit) {
        const auto n = std::min(limit, from.size());
        std::vector<std::int64_t> out(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
        from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
        return out;
    }
    template <class T>
    static T unused() {
        throw std::logic_error("the sweeper does not read this");
    }
};

std::vector<std::int64_t> keys(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto k = from; k <= to; ++k) out.push_back(k);
    return out;
}

std::size_t deletions(const std::vector<write_op>& ops) {
    return static_cast<std::size_t>(std::count_if(
        ops.begin(), ops.end(), [](const write_op& op) { return std::holds_alternative<delete_run>(op); }));
}

bool vacuums(const std::vector<write_op>& ops) {
    return !ops.empty() && std::holds_alternative<incremental_vacuum>(ops.back());
}

struct sweeper_fixture {
    retention_sweeper sweeper;
    expired_reads reads;
    namespace_table namespaces;
    run_table runs;
    retention_sweeper::moment now{std::chrono::steady_clock::time_point{} + 1h, 10'000'000'000};

    sweeper_fixture() { namespaces.load({namespace_row{1, "default", "", 0, 1000}}, 1); }
    std::optional<std::vector<write_op>> sweep(bool writer_idle = true) {
        return sweeper.sweep(now, writer_idle, reads, namespaces, runs);
    }
    void pass(std::chrono::microseconds d) {
        now.wall += d;
        now.engine_us += d.count();
    }
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(retention_sweeper_on_data, sweeper_fixture)

BOOST_AUTO_TEST_CASE(runs_closed_before_the_namespaces_retention_are_asked_for) {
    sweep();
    BOOST_TEST(reads.looks == 1);
    BOOST_TEST(reads.asked_before_us == now.engine_us - 1000 * 1000);
}

BOOST_AUTO_TEST_CASE(an_idle_writer_gets_a_unit_of_deletions_then_the_pages_back) {
    reads.expired = keys(1, 150);
    std::vector<write_op> workflow_commit;
    sweeper.carry(workflow_commit, now, runs);   // a commit just now
    BOOST_TEST(!sweep());                        // not idle for 50 ms yet
    pass(50ms);
    auto first = sweep();
    BOOST_REQUIRE(first);
    BOOST_TEST(deletions(*first) == 100u);
    BOOST_TEST(!vacuums(*first));
    BOOST_TEST(!sweep());   // one deletion unit in flight at a time
    sweeper.deletion_settled();
    auto second = sweep();
    BOOST_REQUIRE(second);
    BOOST_TEST(deletions(*second) == 50u);
    BOOST_TEST(vacuums(*second));
    sweeper.deletion_settled();
    BOOST_TEST(!sweep());   // nothing left, nothing owed
}

BOOST_AUTO_TEST_CASE(a_busy_writer_carries_a_few_deletions_every_100_ms) {
    reads.expired = keys(1, 50);
    BOOST_TEST(!sweep(false));   // the look queues them; a busy writer gets no unit of its own
    std::vector<write_op> ops;
    sweeper.carry(ops, now, runs);
    BOOST_TEST(deletions(ops) == 8u);
    ops.clear();
    pass(10ms);
    sweeper.carry(ops, now, runs);
    BOOST_TEST(ops.empty());
    pass(100ms);
    sweeper.carry(ops, now, runs);
    BOOST_TEST(deletions(ops) == 8u);
}

BOOST_AUTO_TEST_CASE(a_run_loaded_again_since_the_look_is_not_deleted) {
    reads.expired = {7, 8};
    sweep(false);
    auto r = std::make_unique<run_state>();
    r->run_key = 7;
    r->workflow_id = "replayed-for-a-query";
    runs.add(std::move(r));
    std::vector<write_op> ops;
    sweeper.carry(ops, now, runs);
    BOOST_REQUIRE(ops.size() == 1u);
    BOOST_TEST(std::get<delete_run>(ops[0]).run_key == 8);
}

BOOST_AUTO_TEST_CASE(looks_come_once_a_second_of_wall_time_or_a_minute_of_engine_time) {
    sweep();
    BOOST_TEST(reads.looks == 1);
    now.wall += 500ms;
    sweep();
    BOOST_TEST(reads.looks == 1);
    now.wall += 600ms;   // a second of wall time since the look
    sweep();
    BOOST_TEST(reads.looks == 2);
    now.engine_us += 61'000'000;   // virtual time alone, as in the test environment
    sweep();
    BOOST_TEST(reads.looks == 3);
    sweeper.look_soon();
    sweep();
    BOOST_TEST(reads.looks == 4);
}

BOOST_AUTO_TEST_CASE(runs_of_deleted_namespaces_go_the_same_way) {
    reads.of_deleted_namespaces = keys(1, 3);
    auto unit = sweep();
    BOOST_REQUIRE(unit);
    BOOST_TEST(deletions(*unit) == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
