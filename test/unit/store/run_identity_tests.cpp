// A run's identity and its events through the store: handed over typed, stored in the columns
// and the JSON forms earlier versions wrote, and given back typed.
#include "store/store.hpp"

#include "commit_log.hpp"
#include "store_options.hpp"
#include "history/retry_policy.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite.hpp"
#include "support/temp_dir.hpp"
#include "open_runs.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace perdure::detail;
using perdure::test::commit_log;
using perdure::test::store_options;
using perdure::test::temp_dir;

namespace {

/// A child run of a retried chain that serves two Nexus callers: every part of an identity set.
run_identity a_full_identity() {
    return {
        .run_key = 12,
        .ns_id = 1,
        .workflow_id = "order-1",
        .run_id = "run-12",
        .workflow_type = "order",
        .task_queue = "q",
        .start_time_us = 1'000'000,
        .first_run_id = std::string("run-10"),
        .request_id = "req-1",
        .execution_deadline_us = 61'000'000,
        .run_timeout_ms = 5000,
        // As read back: Temporal's defaults filled in.
        .retry = with_defaults(perdure::retry_policy{.maximum_attempts = 5, .non_retryable_error_types = {"Fatal"}}),
        .attempt = 2,
        .memo = boost::json::object{{"customer", 42}, {"note", "a \"quoted\" word"}},
        .parent = {3, 9, perdure::parent_close_policy::request_cancel},
        .callbacks = std::vector<nexus_callback>{{11, 5, "nexus-req", "ep", "svc", "op", "token-1"},
                                                 {14, 7, "nexus-req-2", "ep", "svc", "op", "token-2"}},
        .parent_workflow_id = std::string("checkout-1"),
        .parent_run_id = std::string("run-3"),
        .root_workflow_id = std::string("session-1"),
        .root_run_id = std::string("run-1"),
        .search_attributes = typed_attributes{
            {"Customer", {perdure::search_attribute_type::keyword, std::string("c42")}},
            {"Note", {perdure::search_attribute_type::text, std::string("Rush order, gift")}},
            {"Amount", {perdure::search_attribute_type::integer, std::int64_t{-7}}},
            {"Score", {perdure::search_attribute_type::floating, 2.5}},
            {"Paid", {perdure::search_attribute_type::boolean, true}},
            {"Due",
             {perdure::search_attribute_type::datetime,
              std::chrono::system_clock::time_point(std::chrono::microseconds(1'750'000'000'123'456))}},
            {"Tags", {perdure::search_attribute_type::keyword_list, std::vector<std::string>{"a", "b"}}}}};
}

std::vector<write_op> insert(run_identity id) {
    std::vector<write_op> ops;
    ops.emplace_back(upsert_namespace{namespace_row{1, "default", "", 0, 7LL * 24 * 3600 * 1000}});
    const auto key = id.run_key;
    ops.emplace_back(insert_execution{std::move(id)});
    ops.emplace_back(insert_event{key, event{1, event_type::workflow_execution_started, 1'000'000, {}}});
    return ops;
}

std::string column(const std::string& path, const char* name) {
    database db(path, perdure::durability::off, database::mode::reader);
    auto c = db.connect(true);
    auto s = c->prepare(std::string("SELECT ") + name + " FROM executions");
    BOOST_TEST_REQUIRE(s.step());
    return std::string(s.text(0));
}

}   // namespace

BOOST_AUTO_TEST_SUITE(run_identity_in_the_store)

BOOST_AUTO_TEST_CASE(an_identity_reads_back_as_it_was_written) {
    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    const auto id = a_full_identity();
    log.wait_for(s->append(insert(id)));

    const auto open = perdure::test::every_open_run(s->reads());
    BOOST_TEST_REQUIRE(open.size() == 1u);
    BOOST_TEST((static_cast<const run_identity&>(open[0].exec) == id));
    BOOST_TEST((open[0].exec.status == run_status::running));
    BOOST_TEST(open[0].last_event_id == 1);
    const auto found = s->reads().find_run("run-12");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST((static_cast<const run_identity&>(*found) == id));
}

BOOST_AUTO_TEST_CASE(the_columns_keep_the_json_earlier_versions_wrote) {
    temp_dir dir;
    commit_log log;
    {
        auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
        log.wait_for(s->append(insert(a_full_identity())));
    }
    BOOST_TEST(column(dir.file("db"), "memo") == R"({"customer":42,"note":"a \"quoted\" word"})");
    BOOST_TEST(column(dir.file("db"), "parent") == R"({"run_key":3,"initiated_event_id":9,"parent_close_policy":1})");
    BOOST_TEST(
        column(dir.file("db"), "options") ==
        R"({"attempt":2,"run_timeout_ms":5000,"retry_policy":{"initial_interval":"1s","backoff_coefficient":2E0,)"
        R"("maximum_interval":"100s","maximum_attempts":5,"non_retryable_error_types":["Fatal"]}})");
    BOOST_TEST(
        column(dir.file("db"), "callbacks") ==
        R"([{"caller_run_key":11,"scheduled_event_id":5,"request_id":"nexus-req","endpoint":"ep","service":"svc",)"
        R"("operation":"op","token":"token-1"},{"caller_run_key":14,"scheduled_event_id":7,"request_id":)"
        R"("nexus-req-2","endpoint":"ep","service":"svc","operation":"op","token":"token-2"}])");
}

BOOST_AUTO_TEST_CASE(a_run_with_the_default_columns_of_an_old_row_has_no_parent_retry_or_callers) {
    temp_dir dir;
    commit_log log;
    {
        auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
        log.wait_for(s->append(insert(a_full_identity())));
    }
    {
        // The columns' defaults, as rows of schema versions without them read.
        database db(dir.file("db"), perdure::durability::off);
        db.connect()->exec("UPDATE executions SET memo='{}', parent='', options='{}', callbacks='[]'");
    }
    auto s = open_store(store_options(dir.file("db")), open_mode::owner);
    const auto row = s->reads().find_run(std::int64_t{12});
    BOOST_TEST_REQUIRE(row.has_value());
    BOOST_TEST(row->memo->empty());
    BOOST_TEST(row->parent.run_key == 0);
    BOOST_TEST(!row->retry);
    BOOST_TEST(row->attempt == 1);
    BOOST_TEST(row->run_timeout_ms == 0);
    BOOST_TEST(row->callbacks->empty());
}

BOOST_AUTO_TEST_CASE(callers_attached_later_replace_the_stored_ones) {
    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    auto id = a_full_identity();
    id.callbacks = std::vector<nexus_callback>{};
    log.wait_for(s->append(insert(id)));
    std::vector<write_op> attach;
    attach.emplace_back(set_callbacks{12, {{20, 8, "late", "ep", "svc", "op", "token-3"}}});
    log.wait_for(s->append(std::move(attach)));
    const auto row = s->reads().find_run(std::int64_t{12});
    BOOST_TEST_REQUIRE(row->callbacks->size() == 1u);
    BOOST_TEST(row->callbacks->at(0).request_id == "late");
}

BOOST_AUTO_TEST_CASE(an_event_is_stored_as_boost_json_serializes_it_and_reads_back_equal) {
    const event e{1,
                  event_type::workflow_execution_started,
                  5,
                  {{"workflow_type", {{"name", "order"}}},
                   {"input", {{"items", {1, 2.5, "x\n\"y\""}}, {"empty", boost::json::object{}}}},
                   {"key \"quoted\"\t", nullptr},
                   {"memo", {{"a", true}}}}};
    BOOST_TEST(insert_event(7, e).attrs == boost::json::serialize(e.attrs));
    // The start's own serialization of the input is used as it is, with the same result.
    const auto input_json = boost::json::serialize(e.attrs.at("input"));
    BOOST_TEST(insert_event(7, e, "input", input_json).attrs == boost::json::serialize(e.attrs));
    // So is any other member's, such as an activity's result.
    const event completed{
        9, event_type::activity_task_completed, 6, {{"result", {1, "two"}}, {"scheduled_event_id", 5}}};
    BOOST_TEST(insert_event(7, completed, "result", R"([1,"two"])").attrs == boost::json::serialize(completed.attrs));

    temp_dir dir;
    commit_log log;
    auto s = open_store(store_options(dir.file("db")), open_mode::owner, log.callbacks());
    std::vector<write_op> ops;
    ops.emplace_back(insert_event{7, e, "input", input_json});
    log.wait_for(s->append(std::move(ops)));
    const auto back = s->reads().event_at(7, 1);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((back->attrs == e.attrs));
    BOOST_TEST(back->time_us == 5);
}

BOOST_AUTO_TEST_SUITE_END()
