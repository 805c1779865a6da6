// The SQL a query translates to: only placeholders where the user wrote values, and the rows
// it selects from a small executions table and values table laid out as the default column
// map expects (in-memory SQLite).
#include "unit/visibility/query_helpers.hpp"

#include "store/visibility_sql.hpp"

#include <boost/test/unit_test.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <stdexcept>

using namespace perdure::detail;
using perdure::testing::parse;

namespace {

constexpr std::int64_t ns_id = 7;
constexpr std::int64_t second = 1'000'000;   // µs

class visibility_db {
public:
    visibility_db() {
        sqlite3_open(":memory:", &db_);
        exec(R"sql(
CREATE TABLE executions(run_key INTEGER PRIMARY KEY, ns_id INTEGER NOT NULL, workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL, workflow_type TEXT NOT NULL, task_queue TEXT NOT NULL, status INTEGER NOT NULL,
  start_time INTEGER NOT NULL, execution_time INTEGER NOT NULL, close_time INTEGER NOT NULL DEFAULT 0,
  history_length INTEGER NOT NULL DEFAULT 0, history_size_bytes INTEGER NOT NULL DEFAULT 0,
  parent_workflow_id TEXT, parent_run_id TEXT,
  root_workflow_id TEXT NOT NULL DEFAULT '', root_run_id TEXT NOT NULL DEFAULT '');
CREATE TABLE search_attribute_values(ns_id INTEGER NOT NULL, name TEXT NOT NULL, run_key INTEGER NOT NULL,
  int_value INTEGER, double_value REAL, text_value TEXT);
CREATE INDEX search_attribute_text ON search_attribute_values(ns_id, name, text_value, run_key) WHERE text_value IS NOT NULL;
CREATE INDEX search_attribute_int ON search_attribute_values(ns_id, name, int_value, run_key) WHERE int_value IS NOT NULL;
CREATE INDEX search_attribute_double ON search_attribute_values(ns_id, name, double_value, run_key) WHERE double_value IS NOT NULL;
CREATE INDEX search_attribute_runs ON search_attribute_values(run_key);
INSERT INTO executions(run_key, ns_id, workflow_id, run_id, workflow_type, task_queue, status, start_time,
  execution_time, close_time, history_length, parent_workflow_id) VALUES
  (1, 7, 'order-1', 'r1', 'ProcessOrder', 'orders', 0, 1000000000, 1000000000, 0, 5, NULL),
  (2, 7, 'order-2', 'r2', 'ProcessOrder', 'orders', 1, 2000000000, 2000000000, 2600000000, 11, NULL),
  (3, 7, 'order_%3', 'r3', 'Refund', 'refunds', 2, 3000000000, 3000000000, 9000000000, 7, 'order-1'),
  (4, 7, 'ORDER-4', 'r4', 'processorder', 'orders', 0, 4000000000, 4000000000, 0, 2, NULL),
  (5, 8, 'order-5', 'r5', 'ProcessOrder', 'orders', 0, 5000000000, 5000000000, 0, 2, NULL);
)sql");
        text(1, "Customer", "acme");
        integer(1, "Amount", 10);
        text(1, "Tags", "blue");
        text(1, "Tags", "red");
        text(1, "Description", text_index_form("Rush delivery for ACME, 2 boxes"));
        integer(1, "Urgent", 1);
        text(2, "Customer", "globex");
        integer(2, "Amount", 20);
        real(2, "Price", 2.5);
        text(2, "Tags", "green");
        integer(2, "Urgent", 0);
        text(3, "Customer", "it's'; DROP TABLE executions; --");
        integer(3, "Due", 1'738'317'600 * second);
        text(5, "Customer", "acme");   // another namespace
    }
    ~visibility_db() { sqlite3_close(db_); }

    /// The workflow ids the query selects in namespace 7, in its order.
    std::vector<std::string> ids(std::string_view query) {
        const auto sql = to_sql(parse(query), default_column_map(), {.namespace_id = ns_id});
        auto* s = prepare("SELECT e.workflow_id FROM executions e WHERE e.ns_id = ? AND " + sql.where_sql +
                          " ORDER BY " + sql.order_by_sql);
        bind(s, sql.params);
        std::vector<std::string> out;
        while (sqlite3_step(s) == SQLITE_ROW)
            out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
        return out;
    }

    std::map<std::int64_t, std::int64_t> counts(std::string_view query) {
        const auto sql = to_sql(parse(query), default_column_map(), {.namespace_id = ns_id});
        auto* s = prepare("SELECT " + sql.group_by_sql + ", count(*) FROM executions e WHERE e.ns_id = ? AND " +
                          sql.where_sql + " GROUP BY " + sql.group_by_sql);
        bind(s, sql.params);
        std::map<std::int64_t, std::int64_t> out;
        while (sqlite3_step(s) == SQLITE_ROW) out[sqlite3_column_int64(s, 0)] = sqlite3_column_int64(s, 1);
        sqlite3_finalize(s);
        return out;
    }

    std::int64_t executions() {
        auto* s = prepare("SELECT count(*) FROM executions");
        sqlite3_step(s);
        const auto n = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return n;
    }

private:
    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            const std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(message);
        }
    }
    sqlite3_stmt* prepare(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in " + sql.substr(0, 2000));
        return s;
    }
    void bind(sqlite3_stmt* s, const std::vector<bound_value>& params) {
        BOOST_REQUIRE(sqlite3_bind_parameter_count(s) == static_cast<int>(params.size()) + 1);
        sqlite3_bind_int64(s, 1, ns_id);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at = static_cast<int>(i) + 2;
            if (const auto* n = std::get_if<std::int64_t>(&params[i]))
                sqlite3_bind_int64(s, at, *n);
            else if (const auto* d = std::get_if<double>(&params[i]))
                sqlite3_bind_double(s, at, *d);
            else {
                const auto& t = std::get<std::string>(params[i]);
                sqlite3_bind_text(s, at, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
            }
        }
    }
    void value(std::int64_t run, const char* name, const char* column, auto bind_value) {
        auto* s = prepare(std::string("INSERT INTO search_attribute_values(ns_id, name, run_key, ") + column +
                          ") VALUES ((SELECT ns_id FROM executions WHERE run_key = ?1), ?2, ?1, ?3)");
        sqlite3_bind_int64(s, 1, run);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        bind_value(s);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
    void text(std::int64_t run, const char* name, const std::string& v) {
        value(run, name, "text_value",
              [&](sqlite3_stmt* s) { sqlite3_bind_text(s, 3, v.c_str(), -1, SQLITE_TRANSIENT); });
    }
    void integer(std::int64_t run, const char* name, std::int64_t v) {
        value(run, name, "int_value", [&](sqlite3_stmt* s) { sqlite3_bind_int64(s, 3, v); });
    }
    void real(std::int64_t run, const char* name, double v) {
        value(run, name, "double_value", [&](sqlite3_stmt* s) { sqlite3_bind_double(s, 3, v); });
    }

    sqlite3* db_ = nullptr;
};

using ids = std::vector<std::string>;

/// Every string the query's SQL could have copied from the query.
bool sql_holds(const sql_filter& sql, std::string_view text) {
    return sql.where_sql.find(text) != std::string::npos || sql.order_by_sql.find(text) != std::string::npos ||
           sql.group_by_sql.find(text) != std::string::npos;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(visibility_sql_translation)

BOOST_AUTO_TEST_CASE(keyword_filters_select_their_runs_in_their_namespace_only) {
    visibility_db db;
    BOOST_TEST(db.ids("Customer = 'acme'") == ids{"order-1"});
    BOOST_TEST(db.ids("Customer != 'acme'") == (ids{"order_%3", "order-2"}));
    BOOST_TEST(db.ids("Customer IN ('acme', 'globex') ORDER BY WorkflowId") == (ids{"order-1", "order-2"}));
    BOOST_TEST(db.ids("Customer NOT IN ('acme') ORDER BY WorkflowId") == (ids{"order-2", "order_%3"}));
    BOOST_TEST(db.ids("WorkflowType = 'ProcessOrder' AND TaskQueue = 'orders'") == (ids{"order-1", "order-2"}));
    BOOST_TEST(db.ids("Customer > 'b' ORDER BY WorkflowId") == (ids{"order-2", "order_%3"}));
}

BOOST_AUTO_TEST_CASE(and_binds_tighter_than_or_in_the_sql_too) {
    visibility_db db;
    BOOST_TEST(db.ids("Amount = 10 OR Amount = 20 AND Urgent = true") == ids{"order-1"});
    BOOST_TEST(db.ids("(Amount = 10 OR Amount = 20) AND Urgent = false") == ids{"order-2"});
}

BOOST_AUTO_TEST_CASE(starts_with_is_a_case_sensitive_prefix_where_percent_and_underscore_are_plain) {
    visibility_db db;
    BOOST_TEST(db.ids("WorkflowId STARTS_WITH 'order_%' ORDER BY WorkflowId") == ids{"order_%3"});
    BOOST_TEST(db.ids("WorkflowId STARTS_WITH 'order' ORDER BY WorkflowId") == (ids{"order-1", "order-2", "order_%3"}));
    BOOST_TEST(db.ids("WorkflowId NOT STARTS_WITH 'order' ORDER BY WorkflowId") == ids{"ORDER-4"});
    BOOST_TEST(db.ids("WorkflowId STARTS_WITH '' ORDER BY WorkflowId").size() == 4u);
    BOOST_TEST(db.ids("Customer STARTS_WITH 'it''s'") == ids{"order_%3"});
}

BOOST_AUTO_TEST_CASE(text_matches_whole_words_in_any_case) {
    visibility_db db;
    BOOST_TEST(db.ids("Description = 'acme'") == ids{"order-1"});
    BOOST_TEST(db.ids("Description = 'nothing DELIVERY'") == ids{"order-1"});
    BOOST_TEST(db.ids("Description = 'acm'").empty());
    BOOST_TEST(db.ids("Description = '%'").empty());
    BOOST_TEST(db.ids("Description != 'acme'").empty());
}

BOOST_AUTO_TEST_CASE(keyword_lists_match_on_any_element) {
    visibility_db db;
    BOOST_TEST(db.ids("Tags = 'red'") == ids{"order-1"});
    BOOST_TEST(db.ids("Tags != 'red'") == ids{"order-2"});
    BOOST_TEST(db.ids("Tags IN ('green', 'red') ORDER BY WorkflowId") == (ids{"order-1", "order-2"}));
    BOOST_TEST(db.ids("Tags NOT IN ('red', 'blue')") == ids{"order-2"});
}

BOOST_AUTO_TEST_CASE(missing_values_are_null_and_never_match_a_comparison) {
    visibility_db db;
    BOOST_TEST(db.ids("CloseTime IS NULL") == (ids{"ORDER-4", "order-1"}));
    BOOST_TEST(db.ids("Customer IS NULL") == ids{"ORDER-4"});
    BOOST_TEST(db.ids("Customer IS NOT NULL ORDER BY WorkflowId") == (ids{"order-1", "order-2", "order_%3"}));
    BOOST_TEST(db.ids("CloseTime > '1970-01-01T00:00:00Z'") == (ids{"order_%3", "order-2"}));
    BOOST_TEST(db.ids("NOT CloseTime > '1970-01-01T00:00:00Z'") == (ids{"ORDER-4", "order-1"}));
    BOOST_TEST(db.ids("ParentWorkflowId = 'order-1'") == ids{"order_%3"});
    BOOST_TEST(db.ids("ParentWorkflowId IS NULL").size() == 3u);
    BOOST_TEST(db.ids("WorkflowId IS NULL").empty());
}

BOOST_AUTO_TEST_CASE(statuses_durations_and_times) {
    visibility_db db;
    BOOST_TEST(db.ids("ExecutionStatus = 'Running'") == (ids{"ORDER-4", "order-1"}));
    BOOST_TEST(db.ids("ExecutionStatus IN ('Completed', 'Failed')") == (ids{"order_%3", "order-2"}));
    BOOST_TEST(db.ids("ExecutionDuration > '5m'") == (ids{"order_%3", "order-2"}));
    BOOST_TEST(db.ids("ExecutionDuration > '1h'") == ids{"order_%3"});
    BOOST_TEST(db.ids("ExecutionDuration BETWEEN '00:09:00' AND '00:11:00'") == ids{"order-2"});
    BOOST_TEST(db.ids("StartTime BETWEEN '1970-01-01T00:16:40Z' AND '1970-01-01T00:33:20Z'") ==
               (ids{"order-1", "order-2"}));
    BOOST_TEST(db.ids("Due = '2025-01-31T12:00:00+02:00'") == ids{"order_%3"});
    BOOST_TEST(db.ids("HistoryLength >= 7") == (ids{"order_%3", "order-2"}));
    BOOST_TEST(db.ids("Price < 3") == ids{"order-2"});
}

BOOST_AUTO_TEST_CASE(times_finer_than_a_microsecond_compare_exactly) {
    visibility_db db;   // order-1 started at 1000 s exactly
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime >= '1970-01-01T00:16:39.9999995Z'").size() == 1u);
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime <= '1970-01-01T00:16:40.0000005Z'").size() == 1u);
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime > '1970-01-01T00:16:39.9999995Z'").size() == 1u);
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime < '1970-01-01T00:16:40.0000005Z'").size() == 1u);
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime > '1970-01-01T00:16:40.0000005Z'").empty());
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime = '1970-01-01T00:16:40.0000005Z'").empty());
    BOOST_TEST(db.ids("WorkflowId = 'order-1' AND StartTime != '1970-01-01T00:16:40.0000005Z'").size() == 1u);
}

BOOST_AUTO_TEST_CASE(order_by_sorts_missing_values_last_and_the_default_puts_open_runs_first) {
    visibility_db db;
    BOOST_TEST(db.ids("ORDER BY Amount DESC") == (ids{"order-2", "order-1", "ORDER-4", "order_%3"}));
    BOOST_TEST(db.ids("ORDER BY Amount") == (ids{"order-1", "order-2", "ORDER-4", "order_%3"}));
    BOOST_TEST(db.ids("ORDER BY CloseTime") == (ids{"order-2", "order_%3", "ORDER-4", "order-1"}));
    BOOST_TEST(db.ids("") == (ids{"ORDER-4", "order-1", "order_%3", "order-2"}));
}

BOOST_AUTO_TEST_CASE(group_by_execution_status_counts_each_status) {
    visibility_db db;
    BOOST_TEST((db.counts("GROUP BY ExecutionStatus") == std::map<std::int64_t, std::int64_t>{{0, 2}, {1, 1}, {2, 1}}));
    BOOST_TEST((db.counts("WorkflowType = 'ProcessOrder' GROUP BY ExecutionStatus") ==
                std::map<std::int64_t, std::int64_t>{{0, 1}, {1, 1}}));
}

BOOST_AUTO_TEST_CASE(injected_sql_is_only_ever_a_value) {
    visibility_db db;
    BOOST_TEST(db.ids("Customer = 'it''s''; DROP TABLE executions; --'") == ids{"order_%3"});
    BOOST_TEST(db.ids(R"(Customer = "it's'; DROP TABLE executions; --" OR WorkflowId = '1) OR (1=1')") ==
               ids{"order_%3"});
    BOOST_TEST(db.executions() == 5);
}

BOOST_AUTO_TEST_CASE(the_sql_holds_placeholders_and_never_the_users_text) {
    const char* queries[] = {
        "Customer = 'zq1' OR Customer IN ('zq2', 'zq3') OR Customer STARTS_WITH 'zq4'",
        "Customer NOT STARTS_WITH 'zq5' AND Tags != 'zq6' AND Tags NOT IN ('zq7') AND Description = 'zq8 zq9'",
        "WorkflowId BETWEEN 'zq10' AND 'zq11' AND Customer IS NULL ORDER BY Amount DESC, WorkflowId",
        "ExecutionDuration > '99h' AND Amount = 123456789 AND Price = 9876.5 AND Urgent = true GROUP BY ExecutionStatus",
    };
    for (const char* query : queries) {
        BOOST_TEST_CONTEXT(query) {
            const auto q = parse(query);
            const auto sql = to_sql(q, default_column_map(), {.namespace_id = 424242});
            for (const char* text : {"zq", "123456789", "9876", "99", "Customer", "Amount", "Tags", "424242"})
                BOOST_TEST(!sql_holds(sql, text), text << " appears in the SQL");
            const auto marks = std::count(sql.where_sql.begin(), sql.where_sql.end(), '?') +
                               std::count(sql.order_by_sql.begin(), sql.order_by_sql.end(), '?');
            BOOST_TEST(static_cast<std::size_t>(marks) == sql.params.size());
            // No literal: every value is a parameter; the only quotes are LIKE's escape character.
            std::string where = sql.where_sql;
            for (auto at = where.find("ESCAPE '\\'"); at != std::string::npos; at = where.find("ESCAPE '\\'"))
                where.erase(at, 10);
            BOOST_TEST(where.find('\'') == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(postgresql_placeholders_are_numbered_from_the_first_one_given) {
    const auto sql =
        to_sql(parse("WorkflowId STARTS_WITH 'a_b%' AND Customer = 'x' ORDER BY Amount"), default_column_map(),
               {.placeholders = placeholder_style::dollar_number, .first_placeholder = 3, .namespace_id = 7});
    BOOST_TEST(sql.where_sql ==
               "((e.workflow_id LIKE $3 ESCAPE '\\') AND e.run_key IN (SELECT v.run_key FROM "
               "search_attribute_values v WHERE v.ns_id = $4 AND v.name = $5 AND (v.text_value = $6)))");
    BOOST_TEST(sql.order_by_sql ==
               "(SELECT v.int_value FROM search_attribute_values v WHERE v.ns_id = $7 AND v.name = "
               "$8 AND v.run_key = e.run_key) ASC NULLS LAST, e.run_key DESC NULLS LAST");
    BOOST_TEST(sql.params.size() == 6u);
    BOOST_TEST(std::get<std::string>(sql.params[0]) == "a\\_b\\%%");
    BOOST_TEST(sql.where_sql.find('?') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_largest_queries_the_parser_accepts_run_on_sqlite) {
    visibility_db db;
    std::string ors = "Amount = 0";
    for (int i = 1; i < 500; ++i) ors += (i % 2 ? " OR Customer = '" : " OR WorkflowId = '") + std::to_string(i) + "'";
    BOOST_TEST(db.ids(ors).empty());
    std::string nested = std::string(100, '(') + "Customer = 'acme'" + std::string(100, ')');
    BOOST_TEST(db.ids(nested) == ids{"order-1"});
    std::string list = "Customer IN ('acme'";
    for (int i = 1; i < 5000; ++i) list += ", '" + std::to_string(i) + "'";
    BOOST_TEST(db.ids(list + ")") == ids{"order-1"});
}

BOOST_AUTO_TEST_CASE(text_is_stored_as_its_lowercased_words) {
    BOOST_TEST(text_index_form("Rush delivery for ACME, 2 boxes!") == " rush delivery for acme 2 boxes ");
    BOOST_TEST(text_index_form("my-business-id_foobar") == " my business id foobar ");
    BOOST_TEST(text_index_form("Zürich") == " zürich ");
    BOOST_TEST(text_index_form("") == " ");
}

BOOST_AUTO_TEST_SUITE_END()
