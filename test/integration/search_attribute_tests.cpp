// Search attributes through the public API: registering them per namespace, giving them at
// start (checked against the registry), seeing them in describe, list and the started event,
// and a version-4 database migrated to carry them.
#include "support/engine_fixture.hpp"
#include "support/test_store.hpp"
#include "support/error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <set>

using namespace std::chrono_literals;
using perdure::search_attribute_type;
using perdure::test::contains;
using perdure::test::engine_fixture;
using perdure::test::message_of;
using perdure::test::temp_dir;

namespace {

perdure::workflow<int> waiter(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(std::chrono::hours(1));
    co_return n;
}
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

perdure::workflow<int> leaf(perdure::workflow_context&, int n) { co_return n; }
const perdure::workflow_def leaf_workflow{"Leaf", &leaf};

// Starts a child, which starts a grandchild: a tree of three runs.
perdure::workflow<int> tree(perdure::workflow_context& ctx, int depth);
const perdure::workflow_def tree_workflow{"Tree", &tree};
perdure::workflow<int> tree(perdure::workflow_context& ctx, int depth) {
    if (depth == 0) co_return co_await ctx.execute_child_workflow(leaf_workflow, 1, {.id = "grandchild"});
    co_return co_await ctx.execute_child_workflow(tree_workflow, depth - 1, {.id = "child"});
}

// Continues as new until n is 0.
perdure::workflow<int> countdown(perdure::workflow_context& ctx, int n) {
    if (n > 0) co_await ctx.continue_as_new(n - 1);
    co_return n;
}
const perdure::workflow_def countdown_workflow{"Countdown", &countdown};

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q")
        .register_workflow(waiter_workflow)
        .register_workflow(tree_workflow)
        .register_workflow(leaf_workflow)
        .register_workflow(countdown_workflow);
}

std::set<std::string> ids(perdure::client c, std::string_view query) {
    std::set<std::string> out;
    for (const auto& w : c.list(query).executions) out.insert(w.workflow_id);
    return out;
}

void sql(const std::string& path, const char* statement) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    char* err = nullptr;
    if (sqlite3_exec(db, statement, nullptr, nullptr, &err) != SQLITE_OK) {
        BOOST_ERROR(std::string("sql failed: ") + (err ? err : "?") + " in " + statement);
        sqlite3_free(err);
    }
    sqlite3_close(db);
}

std::int64_t sql_int(const std::string& path, const char* query) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, query, -1, &s, nullptr);
    const std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(search_attributes)

BOOST_AUTO_TEST_CASE(attributes_are_registered_per_namespace_and_survive_a_reopen) {
    engine_fixture f;
    f.open(setup);
    auto& ns = f.engine().namespaces();
    ns.ensure("other");
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    ns.add_search_attribute("default", "Amount", search_attribute_type::integer);
    ns.add_search_attribute("default", "Amount", search_attribute_type::integer);   // again: nothing changes
    BOOST_TEST(ns.search_attributes("other").empty());
    f.close();
    f.open(setup);
    const auto attrs = f.engine().namespaces().search_attributes("default");
    BOOST_REQUIRE_EQUAL(attrs.size(), 2u);
    BOOST_TEST((attrs.at("Customer") == search_attribute_type::keyword));
    BOOST_TEST((attrs.at("Amount") == search_attribute_type::integer));
    f.engine().namespaces().remove_search_attribute("default", "Amount");
    BOOST_TEST(f.engine().namespaces().search_attributes("default").size() == 1u);
}

BOOST_AUTO_TEST_CASE(registering_a_bad_name_or_another_type_says_what_is_wrong) {
    engine_fixture f;
    f.open(setup);
    auto& ns = f.engine().namespaces();
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    BOOST_TEST(contains(message_of<perdure::already_exists>(
                            [&] { ns.add_search_attribute("default", "Customer", search_attribute_type::text); }),
                        "already exists in namespace 'default' as Keyword"));
    BOOST_TEST(contains(message_of<perdure::invalid_argument>(
                            [&] { ns.add_search_attribute("default", "9lives", search_attribute_type::keyword); }),
                        "9lives"));
    BOOST_TEST(contains(message_of<perdure::invalid_argument>(
                            [&] { ns.add_search_attribute("default", "WorkflowId", search_attribute_type::keyword); }),
                        "WorkflowId"));
    BOOST_TEST(contains(message_of<perdure::invalid_argument>([&] {
                            ns.add_search_attribute("default", "TemporalThing", search_attribute_type::keyword);
                        }),
                        "TemporalThing"));
    BOOST_TEST(contains(message_of<perdure::not_found>(
                            [&] { ns.add_search_attribute("nowhere", "Customer", search_attribute_type::keyword); }),
                        "nowhere"));
    BOOST_TEST(contains(message_of<perdure::not_found>([&] { ns.remove_search_attribute("default", "Nope"); }),
                        "no search attribute 'Nope'"));
}

BOOST_AUTO_TEST_CASE(a_start_records_its_attributes_and_describe_and_list_show_them) {
    engine_fixture f;
    f.open(setup);
    auto& ns = f.engine().namespaces();
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    ns.add_search_attribute("default", "Amount", search_attribute_type::floating);
    ns.add_search_attribute("default", "Tags", search_attribute_type::keyword_list);
    ns.add_search_attribute("default", "Due", search_attribute_type::datetime);
    const auto due = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));
    auto h =
        f.client().start_workflow(waiter_workflow, 1,
                                  {.id = "order-1",
                                   .task_queue = "q",
                                   .search_attributes = {{"Customer", std::string("c42")},
                                                         {"Amount", std::int64_t{12}},   // an integer is a Double too
                                                         {"Tags", std::vector<std::string>{"rush", "gift"}},
                                                         {"Due", due}}});
    f.idle();
    const perdure::search_attributes expected{{"Customer", std::string("c42")},
                                              {"Amount", 12.0},
                                              {"Tags", std::vector<std::string>{"rush", "gift"}},
                                              {"Due", due}};
    BOOST_TEST((h.describe().search_attributes == expected));
    const auto listed = f.client().list();
    BOOST_REQUIRE_EQUAL(listed.size(), 1u);
    BOOST_TEST((listed[0].search_attributes == expected));
    const auto started = h.history().front();
    BOOST_TEST(started.attributes.at("search_attributes").at("indexed_fields").at("Customer").at("value") == "c42");
    f.close();   // what is stored reads back the same
    f.open(setup);
    BOOST_TEST((f.client().get_handle("order-1").describe().search_attributes == expected));
}

BOOST_AUTO_TEST_CASE(a_double_reads_back_exactly_and_pages_in_its_order) {
    engine_fixture f;
    f.open(setup);
    f.engine().namespaces().add_search_attribute("default", "Amount", search_attribute_type::floating);
    // Doubles a fast JSON reader misses by one unit in the last place.
    const std::vector<double> amounts{123456789.12345679, 1338.7664401253271, 2e9};
    for (std::size_t i = 0; i < amounts.size(); ++i)
        f.client().start_workflow(
            waiter_workflow, 1,
            {.id = "amount-" + std::to_string(i), .task_queue = "q", .search_attributes = {{"Amount", amounts[i]}}});
    f.idle();
    for (std::size_t i = 0; i < amounts.size(); ++i) {
        const auto shown = f.client().get_handle("amount-" + std::to_string(i)).describe().search_attributes;
        BOOST_TEST(std::get<double>(shown.at("Amount")) == amounts[i]);
    }
    BOOST_TEST(f.client().count("Amount = 1338.7664401253271") == 1);
    // A page token keeps the last value of its page: the next page starts right after it.
    std::vector<std::string> order;
    std::string token;
    do {
        const auto page = f.client().list("ORDER BY Amount", 1, token);
        for (const auto& run : page.executions) order.push_back(run.workflow_id);
        token = page.next_page_token;
    } while (!token.empty());
    BOOST_TEST((order == std::vector<std::string>{"amount-1", "amount-0", "amount-2"}));
}

BOOST_AUTO_TEST_CASE(a_start_with_an_unknown_or_mistyped_attribute_is_refused_and_starts_nothing) {
    engine_fixture f;
    f.open(setup);
    f.engine().namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    f.engine().namespaces().add_search_attribute("default", "Amount", search_attribute_type::integer);
    const auto typo = message_of<perdure::invalid_argument>([&] {
        f.client().start_workflow(waiter_workflow, 1,
                                  {.id = "a", .task_queue = "q", .search_attributes = {{"Custmer", std::string("x")}}});
    });
    BOOST_TEST(contains(typo, "unknown search attribute 'Custmer'"), typo);
    BOOST_TEST(contains(typo, "did you mean 'Customer'?"), typo);
    const auto mistyped = message_of<perdure::invalid_argument>([&] {
        f.client().start_workflow(
            waiter_workflow, 1, {.id = "a", .task_queue = "q", .search_attributes = {{"Amount", std::string("abc")}}});
    });
    BOOST_TEST(contains(mistyped, "search attribute 'Amount' is Int; \"abc\""), mistyped);
    BOOST_TEST(f.client().list().empty());
}

BOOST_AUTO_TEST_CASE(a_removed_attribute_no_longer_shows_on_runs_that_had_it) {
    engine_fixture f;
    f.open(setup);
    f.engine().namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    auto h = f.client().start_workflow(
        waiter_workflow, 1, {.id = "a", .task_queue = "q", .search_attributes = {{"Customer", std::string("c1")}}});
    f.idle();
    f.engine().namespaces().remove_search_attribute("default", "Customer");
    BOOST_TEST(h.describe().search_attributes.empty());
}

BOOST_AUTO_TEST_CASE(an_attribute_removed_and_added_again_shows_no_value_from_before_on_a_closed_run) {
    engine_fixture f;
    f.open(setup);
    auto& ns = f.engine().namespaces();
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    auto h = f.client().start_workflow(
        leaf_workflow, 1, {.id = "a", .task_queue = "q", .search_attributes = {{"Customer", std::string("c1")}}});
    BOOST_TEST(h.get() == 1);
    ns.remove_search_attribute("default", "Customer");
    ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
    BOOST_TEST(h.describe().search_attributes.empty());
    BOOST_TEST(f.client().list().at(0).search_attributes.empty());
    BOOST_TEST(ids(f.client(), "Customer = 'c1'").empty());
    ns.remove_search_attribute("default", "Customer");
    ns.add_search_attribute("default", "Customer", search_attribute_type::integer);   // another type this time
    BOOST_TEST(h.describe().search_attributes.empty());
    f.close();   // nothing of the old value is stored either
    f.open(setup);
    BOOST_TEST(f.client().get_handle("a").describe().search_attributes.empty());
}

BOOST_AUTO_TEST_CASE(children_are_found_by_their_parent_and_their_root) {
    engine_fixture f;
    f.open(setup);
    auto h = f.client().start_workflow(tree_workflow, 1, {.id = "root", .task_queue = "q"});
    BOOST_TEST(h.get() == 1);
    const auto root_run = h.describe().run_id;
    BOOST_TEST(ids(f.client(), "ParentWorkflowId = 'root'") == std::set<std::string>{"child"});
    BOOST_TEST(ids(f.client(), "ParentWorkflowId = 'child'") == std::set<std::string>{"grandchild"});
    BOOST_TEST(ids(f.client(), "ParentWorkflowId IS NULL") == std::set<std::string>{"root"});
    BOOST_TEST(ids(f.client(), "RootRunId = '" + root_run + "'") ==
               (std::set<std::string>{"root", "child", "grandchild"}));
    BOOST_TEST(ids(f.client(), "RootWorkflowId = 'root' AND WorkflowType = 'Leaf'") ==
               std::set<std::string>{"grandchild"});
    BOOST_TEST(f.client().count("HistoryLength > 6 AND ExecutionStatus = 'Completed'") == 2);
}

BOOST_AUTO_TEST_CASE(continue_as_new_carries_the_attributes_to_the_next_run) {
    engine_fixture f;
    f.open(setup);
    f.engine().namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    auto h = f.client().start_workflow(
        countdown_workflow, 2, {.id = "cd", .task_queue = "q", .search_attributes = {{"Customer", std::string("c5")}}});
    BOOST_TEST(h.get() == 0);
    const auto runs = f.client().list("Customer = 'c5'").executions;
    BOOST_REQUIRE_EQUAL(runs.size(), 3u);   // the started run and its two continuations
    BOOST_TEST((runs[0].status == perdure::workflow_status::completed));
    BOOST_TEST(f.client().count("Customer = 'c5' AND ExecutionStatus = 'ContinuedAsNew'") == 2);
}

// It reads the SQLite file itself, so it runs on the SQLite run of the suite only.
BOOST_AUTO_TEST_CASE(a_closed_run_records_its_history_length_and_size_once_at_close,
                     *boost::unit_test::precondition(perdure::test::sqlite_store_only{})) {
    engine_fixture f;
    f.open(setup);
    auto h = f.client().start_workflow(waiter_workflow, 3, {.id = "a", .task_queue = "q"});
    f.idle();
    BOOST_TEST(sql_int(f.database(), "SELECT history_length FROM executions") == 0);   // open: read live
    f.advance(1h);
    BOOST_TEST(h.get() == 3);
    const auto length = static_cast<std::int64_t>(h.history().size());
    f.close();
    BOOST_TEST(sql_int(f.database(), "SELECT history_length FROM executions") == length);
    BOOST_TEST(sql_int(f.database(), "SELECT history_size_bytes FROM executions") ==
               sql_int(f.database(), "SELECT SUM(length(CAST(attrs AS BLOB))) FROM history"));
}

BOOST_AUTO_TEST_CASE(a_database_of_schema_4_is_migrated_and_its_runs_get_their_visibility_columns) {
    temp_dir dir;
    const auto path = dir.file("v4.db");
    std::int64_t length = 0;
    {
        perdure::engine e({.database = path});
        setup(e);
        e.start();
        auto c = e.client_for("default");
        auto h = c.start_workflow(waiter_workflow, 1, {.id = "w", .task_queue = "q"});
        h.terminate("done");
        length = static_cast<std::int64_t>(h.history().size());
        c.start_workflow(waiter_workflow, 2, {.id = "open", .task_queue = "q"});
    }
    // What schema 4 was: no visibility columns or tables.
    sql(path, "DROP INDEX executions_by_start; DROP TABLE search_attribute_types; DROP TABLE search_attribute_values");
    for (const char* column : {"execution_time", "history_length", "history_size_bytes", "parent_workflow_id",
                               "parent_run_id", "root_workflow_id", "root_run_id", "search_attributes"})
        sql(path, ("ALTER TABLE executions DROP COLUMN " + std::string(column)).c_str());
    sql(path, "PRAGMA user_version = 4");
    {
        perdure::engine e({.database = path});
        setup(e);
        e.start();
        e.namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
        auto c = e.client_for("default");
        c.get_handle("open").terminate();
        auto h =
            c.start_workflow(waiter_workflow, 3,
                             {.id = "new", .task_queue = "q", .search_attributes = {{"Customer", std::string("c")}}});
        BOOST_TEST(h.describe().search_attributes.size() == 1u);
        BOOST_TEST(c.list().size() == 3u);
    }
    BOOST_TEST(sql_int(path, "PRAGMA user_version") == 5);
    BOOST_TEST(sql_int(path, "SELECT history_length FROM executions WHERE workflow_id = 'w'") == length);
    BOOST_TEST(sql_int(path,
                       "SELECT count(*) FROM executions WHERE execution_time = start_time AND root_run_id = "
                       "run_id AND parent_workflow_id IS NULL") == 3);
    BOOST_TEST(sql_int(path, "SELECT count(*) FROM search_attribute_values WHERE text_value = 'c'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
