// Read queries on PostgreSQL. Names sort with COLLATE "C" (byte order, as SQLite's BINARY), so
// both stores list namespaces and endpoints in the same order whatever the server's locale.
#include "store/postgres/pg_reads.hpp"

#include "store/inbox_json.hpp"
#include "store/postgres/pg_errors.hpp"
#include "store/postgres/pg_schema.hpp"
#include "store/stored_rows.hpp"
#include "store/visibility_page.hpp"

namespace perdure::detail {
namespace {

using pg::params;

/// One row of a result, as stored_execution reads it.
struct row {
    const pg::result& r;
    int i;
    std::int64_t int64(int col) const { return r.int64(i, col); }
    std::string_view text(int col) const { return r.text(i, col); }
};

std::vector<execution_row> executions(const pg::result& r) {
    std::vector<execution_row> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(stored_execution(row{r, i}));
    return out;
}

std::optional<execution_row> first_execution(const pg::result& r) {
    if (r.rows() == 0) return std::nullopt;
    return stored_execution(row{r, 0});
}

std::vector<event> events(const pg::result& r, std::int64_t run_key) {
    std::vector<event> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(stored_event(run_key, r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.text(i, 3)));
    return out;
}

std::optional<event> first_event(const pg::result& r, std::int64_t run_key) {
    if (r.rows() == 0) return std::nullopt;
    return stored_event(run_key, r.int64(0, 0), r.int64(0, 1), r.int64(0, 2), r.text(0, 3));
}

std::vector<std::int64_t> keys(const pg::result& r) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
    return out;
}

std::int64_t limit_of(std::size_t limit) { return static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)); }

}   // namespace

pg::result pg_reads::query(const char* doing, const char* sql, const pg::params& p) {
    try {
        return s_.with([&](pg::connection& c) { return c.exec(sql, p); });
    } catch (const pg::failure& f) {
        throw_pg(f, name_, doing, opened_as_);
    }
}

std::vector<namespace_row> pg_reads::namespaces() {
    auto r = query("loading the namespaces",
                   "SELECT ns_id, name, description, created, retention_ms FROM namespaces WHERE deleted = 0 "
                   "ORDER BY name COLLATE \"C\"");
    std::vector<namespace_row> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(
            {r.int64(i, 0), std::string(r.text(i, 1)), std::string(r.text(i, 2)), r.int64(i, 3), r.int64(i, 4)});
    auto t = query("loading the search attributes", "SELECT ns_id, name, type FROM search_attribute_types");
    for (int i = 0; i < t.rows(); ++i)
        for (auto& ns : out)
            if (ns.ns_id == t.int64(i, 0))
                ns.search_attributes.emplace(std::string(t.text(i, 1)),
                                             static_cast<search_attribute_type>(t.int64(i, 2)));
    return out;
}

std::int64_t pg_reads::max_namespace_id() {
    return query("loading the namespaces", "SELECT COALESCE(MAX(ns_id), 0) FROM namespaces").int64(0, 0);
}

std::vector<std::int64_t> pg_reads::runs_of_deleted_namespaces(std::size_t limit) {
    return keys(query("finding runs of deleted namespaces",
                      "SELECT run_key FROM executions WHERE ns_id IN (SELECT ns_id FROM namespaces WHERE deleted = 1) "
                      "LIMIT $1::bigint",
                      params(limit_of(limit))));
}

std::vector<endpoint_row> pg_reads::endpoints() {
    auto r = query("loading the Nexus endpoints",
                   "SELECT id, name, version, target_namespace, target_task_queue, description, created, "
                   "last_modified, max_operations_per_second FROM nexus_endpoints ORDER BY name COLLATE \"C\"");
    std::vector<endpoint_row> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({std::string(r.text(i, 0)), std::string(r.text(i, 1)), r.int64(i, 2), std::string(r.text(i, 3)),
                       std::string(r.text(i, 4)), std::string(r.text(i, 5)), r.int64(i, 6), r.int64(i, 7),
                       r.real(i, 8)});
    return out;
}

std::int64_t pg_reads::max_run_key() {
    return query("loading the engine state", "SELECT COALESCE(MAX(run_key), 0) FROM executions").int64(0, 0);
}

void pg_reads::open_runs(const std::function<void(open_run_row)>& each) {
    auto r = query("loading the open runs", "SELECT " PERDURE_EXECUTION_COLUMNS
                                            ", COALESCE(l.event_id, 0), COALESCE(l.type, 0) "
                                            "FROM executions e LEFT JOIN LATERAL (SELECT event_id, type FROM history h "
                                            "WHERE h.run_key = e.run_key ORDER BY event_id DESC LIMIT 1) l ON true "
                                            "WHERE e.status = 0 ORDER BY e.run_key");
    for (int i = 0; i < r.rows(); ++i)
        each({stored_execution(row{r, i}), r.int64(i, PERDURE_EXECUTION_COLUMN_COUNT),
              static_cast<int>(r.int64(i, PERDURE_EXECUTION_COLUMN_COUNT + 1))});
}

std::vector<event> pg_reads::history(std::int64_t run_key, std::int64_t first_event_id) {
    return events(query("loading a workflow history",
                        "SELECT event_id, type, time, attrs FROM history WHERE run_key = $1::bigint "
                        "AND event_id >= $2::bigint ORDER BY event_id",
                        params(run_key, first_event_id)),
                  run_key);
}

std::optional<event> pg_reads::event_at(std::int64_t run_key, std::int64_t event_id) {
    return first_event(query("loading an event",
                             "SELECT event_id, type, time, attrs FROM history WHERE run_key = $1::bigint "
                             "AND event_id = $2::bigint",
                             params(run_key, event_id)),
                       run_key);
}

std::optional<event> pg_reads::last_event(std::int64_t run_key) {
    return first_event(query("loading an event",
                             "SELECT event_id, type, time, attrs FROM history WHERE run_key = $1::bigint "
                             "ORDER BY event_id DESC LIMIT 1",
                             params(run_key)),
                       run_key);
}

std::int64_t pg_reads::history_length(std::int64_t run_key) {
    return query("reading", "SELECT COALESCE(MAX(event_id), 0) FROM history WHERE run_key = $1::bigint",
                 params(run_key))
        .int64(0, 0);
}

std::vector<task_row> pg_reads::tasks() {
    // Outbox rows in the order they were written (their seqs go down), as the SQLite store.
    auto r = query("recovering pending work",
                   "SELECT run_key, seq, kind, attempt, due, details, flags FROM tasks ORDER BY due, kind, seq DESC");
    std::vector<task_row> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.int64(i, 1), static_cast<task_kind>(r.int64(i, 2)),
                       static_cast<int>(r.int64(i, 3)), r.int64(i, 4), std::string(r.text(i, 5)),
                       static_cast<int>(r.int64(i, 6))});
    return out;
}

std::vector<deadline_row> pg_reads::deadlines() {
    auto r = query("recovering pending work", "SELECT run_key, kind, seq, due FROM deadlines ORDER BY due");
    std::vector<deadline_row> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), static_cast<deadline_kind>(r.int64(i, 1)), r.int64(i, 2), r.int64(i, 3)});
    return out;
}

key_block pg_reads::reserve_run_keys() {
    // nextval is never rolled back, and its advance is durable once a row using one of its keys
    // commits (WAL is flushed in order): no key is handed out twice, whoever asks.
    const auto block = query("reserving keys for new runs", "SELECT nextval('run_key_blocks')").int64(0, 0);
    return {block * run_key_block_size, (block + 1) * run_key_block_size};
}

void pg_reads::reserve_keys_above(std::int64_t largest_key) {
    query(
        "reserving keys for new runs",
        "SELECT setval('run_key_blocks', GREATEST((SELECT last_value FROM run_key_blocks), $1::bigint / $2::bigint + 1))",
        params(largest_key, run_key_block_size));
}

std::int64_t pg_reads::min_task_seq() {
    return query("loading the engine state", "SELECT COALESCE(MIN(seq), 0) FROM tasks").int64(0, 0);
}

std::optional<execution_row> pg_reads::find_run(std::string_view run_id) {
    return first_execution(
        query("reading", "SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE run_id = $1", params(run_id)));
}

std::optional<execution_row> pg_reads::find_run(std::int64_t run_key) {
    return first_execution(query(
        "reading", "SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE run_key = $1::bigint", params(run_key)));
}

std::optional<execution_row> pg_reads::find_latest_run(std::int64_t ns_id, std::string_view workflow_id) {
    return first_execution(query("reading",
                                 "SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE ns_id = $1::bigint "
                                 "AND workflow_id = $2 ORDER BY run_key DESC LIMIT 1",
                                 params(ns_id, workflow_id)));
}

std::vector<execution_row> pg_reads::list_runs(std::int64_t ns_id, std::optional<run_status> status, std::size_t limit,
                                               std::int64_t before_run_key) {
    return executions(query("reading",
                            "SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE ($1::bigint = 0 OR ns_id = $1) "
                            "AND ($2::integer < 0 OR status = $2) AND ($3::bigint = 0 OR run_key < $3) "
                            "AND ns_id NOT IN (SELECT ns_id FROM namespaces WHERE deleted = 1) "
                            "ORDER BY run_key DESC LIMIT $4::bigint",
                            params(ns_id, status ? static_cast<int>(*status) : -1, before_run_key, limit_of(limit))));
}

std::int64_t pg_reads::count_open_runs(std::int64_t ns_id) {
    return query("reading", "SELECT count(*) FROM executions WHERE status = 0 AND ns_id = $1::bigint", params(ns_id))
        .int64(0, 0);
}

run_page pg_reads::query_runs(std::int64_t ns_id, const visibility_query& q, const std::vector<sort_value>& after,
                              std::size_t limit) {
    if (!after.empty() && after.size() != sort_key_count(q))
        throw invalid_argument("the page token does not fit the query; list again without a page token");
    const auto st = page_statement(q, ns_id, after, limit, placeholder_style::dollar_number);
    auto r = visibility_query_result("listing workflows", st);
    run_page page;
    for (int i = 0; i < r.rows(); ++i) page.runs.push_back(stored_execution(row{r, i}));
    if (r.rows() > 0) {
        const int last = r.rows() - 1;
        for (std::size_t k = 0; k < st.keys.size(); ++k) {
            const int col = PERDURE_EXECUTION_COLUMN_COUNT + static_cast<int>(k);
            if (r.null(last, col))
                page.last_keys.emplace_back(std::monostate{});
            else if (st.keys[k] == key_kind::integer)
                page.last_keys.emplace_back(r.int64(last, col));
            else if (st.keys[k] == key_kind::floating)
                page.last_keys.emplace_back(r.real(last, col));
            else
                page.last_keys.emplace_back(std::string(r.text(last, col)));
        }
    }
    return page;
}

std::vector<std::pair<int, std::int64_t>> pg_reads::count_runs(std::int64_t ns_id, const visibility_query& q,
                                                               bool by_status) {
    const auto st = count_statement(q, ns_id, by_status, placeholder_style::dollar_number);
    auto r = visibility_query_result("counting workflows", st);
    std::vector<std::pair<int, std::int64_t>> out;
    for (int i = 0; i < r.rows(); ++i)
        out.emplace_back(by_status ? static_cast<int>(r.int64(i, 0)) : -1, r.int64(i, by_status ? 1 : 0));
    return out;
}

pg::result pg_reads::visibility_query_result(const char* doing, const visibility_statement& st) {
    pg::params p;
    for (const auto& v : st.params) std::visit([&](const auto& x) { p.add(x); }, v);
    try {
        return s_.with([&](pg::connection& c) { return c.exec_once(st.sql, p); });
    } catch (const pg::failure& f) {
        throw_pg(f, name_, doing, opened_as_);
    }
}

std::vector<std::int64_t> pg_reads::expired_runs(std::int64_t ns_id, std::int64_t before_us, std::size_t limit) {
    return keys(query("finding expired runs",
                      "SELECT run_key FROM executions WHERE ns_id = $1::bigint AND status <> 0 "
                      "AND close_time < $2::bigint ORDER BY close_time LIMIT $3::bigint",
                      params(ns_id, before_us, limit_of(limit))));
}

std::vector<pending_command> pg_reads::pending_commands(std::int64_t now_us, std::size_t limit) {
    // Every claim leaves a dead entry in the pending index until autovacuum comes by: a scan in
    // id order steps over them once and marks them dead, where a bitmap scan visits each one's
    // heap page on every read. The plan kept for this statement was chosen while the inbox was
    // empty, as a bitmap scan: 1 ms a read after 15,000 commands, on the owner's strand. So
    // bitmap scans are off while it is planned and run, and back on after (a failure rolls the
    // pipeline's implicit transaction back, and the setting with it).
    std::vector<pending_command> out;
    try {
        s_.with([&](pg::connection& c) {
            out.clear();
            c.exec_all({{"SET enable_bitmapscan = off", {}},
                        {"SELECT id, command FROM inbox WHERE state = 'pending' AND expires > $1::bigint ORDER BY id "
                         "LIMIT $2::bigint",
                         params(now_us, limit_of(limit)),
                         [&](const pg::result& r) {
                             for (int i = 0; i < r.rows(); ++i)
                                 out.push_back(stored_pending(r.int64(i, 0), r.text(i, 1)));
                         }},
                        {"RESET enable_bitmapscan", {}}});
        });
    } catch (const pg::failure& f) {
        throw_pg(f, name_, "reading the inbox", opened_as_);
    }
    return out;
}

std::vector<std::int64_t> pg_reads::abandoned_commands() {
    auto r = query("reading the inbox", "SELECT id FROM inbox WHERE state = 'running' ORDER BY id", params());
    std::vector<std::int64_t> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
    return out;
}

}   // namespace perdure::detail
