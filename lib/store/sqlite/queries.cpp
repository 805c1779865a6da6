// Read queries on SQLite.
#include "store/sqlite/queries.hpp"

#include "store/stored_rows.hpp"

namespace perdure::detail {
namespace {

execution_row read_execution(const sql::statement& s) { return stored_execution(s); }

event read_event(const sql::statement& s, std::int64_t run_key) {
    return stored_event(run_key, s.int64(0), s.int64(1), s.int64(2), s.text(3));
}

struct reset_on_exit {
    sql::statement& s;
    ~reset_on_exit() { s.reset(); }
};

}   // namespace

std::vector<namespace_row> load_namespaces(sql::connection& c) {
    auto& s = c.cached(
        "SELECT ns_id, name, description, created, retention_ms FROM namespaces WHERE deleted = 0 ORDER BY name");
    reset_on_exit r{s};
    std::vector<namespace_row> out;
    while (s.step())
        out.push_back({s.int64(0), std::string(s.text(1)), std::string(s.text(2)), s.int64(3), s.int64(4)});
    auto& t = c.cached("SELECT ns_id, name, type FROM search_attribute_types");
    reset_on_exit rt{t};
    while (t.step())
        for (auto& ns : out)
            if (ns.ns_id == t.int64(0))
                ns.search_attributes.emplace(std::string(t.text(1)), static_cast<search_attribute_type>(t.int64(2)));
    return out;
}

std::vector<endpoint_row> load_endpoints(sql::connection& c) {
    auto& s = c.cached(
        "SELECT id, name, version, target_namespace, target_task_queue, description, created, "
        "last_modified, max_operations_per_second FROM nexus_endpoints ORDER BY name");
    reset_on_exit r{s};
    std::vector<endpoint_row> out;
    while (s.step())
        out.push_back({std::string(s.text(0)), std::string(s.text(1)), s.int64(2), std::string(s.text(3)),
                       std::string(s.text(4)), std::string(s.text(5)), s.int64(6), s.int64(7), s.real(8)});
    return out;
}

std::int64_t max_run_key(sql::connection& c) {
    auto& s = c.cached("SELECT COALESCE(MAX(run_key), 0) FROM executions");
    reset_on_exit r{s};
    return s.step() ? s.int64(0) : 0;
}

void load_open_runs(sql::connection& c, const std::function<void(open_run_row)>& each) {
    auto& s = c.cached("SELECT " PERDURE_EXECUTION_COLUMNS
                       ", (SELECT event_id FROM history h WHERE h.run_key = e.run_key ORDER BY event_id DESC LIMIT 1)"
                       ", (SELECT type FROM history h WHERE h.run_key = e.run_key ORDER BY event_id DESC LIMIT 1)"
                       " FROM executions e WHERE status = 0 ORDER BY run_key");
    reset_on_exit r{s};
    while (s.step())
        each({read_execution(s), s.int64(PERDURE_EXECUTION_COLUMN_COUNT),
              static_cast<int>(s.int64(PERDURE_EXECUTION_COLUMN_COUNT + 1))});
}

std::vector<event> load_history(sql::connection& c, std::int64_t run_key, std::int64_t first_event_id) {
    auto& s =
        c.cached("SELECT event_id, type, time, attrs FROM history WHERE run_key=? AND event_id>=? ORDER BY event_id");
    reset_on_exit r{s};
    s.bind(1, run_key).bind(2, first_event_id);
    std::vector<event> out;
    while (s.step()) out.push_back(read_event(s, run_key));
    return out;
}

std::optional<event> load_event(sql::connection& c, std::int64_t run_key, std::int64_t event_id) {
    auto& s = c.cached("SELECT event_id, type, time, attrs FROM history WHERE run_key=? AND event_id=?");
    reset_on_exit r{s};
    s.bind(1, run_key).bind(2, event_id);
    if (!s.step()) return std::nullopt;
    return read_event(s, run_key);
}

std::optional<event> load_last_event(sql::connection& c, std::int64_t run_key) {
    auto& s =
        c.cached("SELECT event_id, type, time, attrs FROM history WHERE run_key=? ORDER BY event_id DESC LIMIT 1");
    reset_on_exit r{s};
    s.bind(1, run_key);
    if (!s.step()) return std::nullopt;
    return read_event(s, run_key);
}

std::int64_t history_length(sql::connection& c, std::int64_t run_key) {
    auto& s = c.cached("SELECT COALESCE(MAX(event_id), 0) FROM history WHERE run_key=?");
    reset_on_exit r{s};
    s.bind(1, run_key);
    return s.step() ? s.int64(0) : 0;
}

std::vector<task_row> load_tasks(sql::connection& c) {
    // Outbox rows in the order they were written (their seqs go down), so a run hears
    // NexusOperationStarted before the completion that follows it.
    auto& s =
        c.cached("SELECT run_key, seq, kind, attempt, due, details, flags FROM tasks ORDER BY due, kind, seq DESC");
    reset_on_exit r{s};
    std::vector<task_row> out;
    while (s.step())
        out.push_back({s.int64(0), s.int64(1), static_cast<task_kind>(s.int64(2)), static_cast<int>(s.int64(3)),
                       s.int64(4), std::string(s.text(5)), static_cast<int>(s.int64(6))});
    return out;
}

std::int64_t min_task_seq(sql::connection& c) {
    auto& s = c.cached("SELECT COALESCE(MIN(seq), 0) FROM tasks");
    reset_on_exit r{s};
    return s.step() ? s.int64(0) : 0;
}

std::vector<deadline_row> load_deadlines(sql::connection& c) {
    auto& s = c.cached("SELECT run_key, kind, seq, due FROM deadlines ORDER BY due");
    reset_on_exit r{s};
    std::vector<deadline_row> out;
    while (s.step()) out.push_back({s.int64(0), static_cast<deadline_kind>(s.int64(1)), s.int64(2), s.int64(3)});
    return out;
}

std::optional<execution_row> find_run(sql::connection& c, std::string_view run_id) {
    auto& s = c.cached("SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE run_id=?");
    reset_on_exit r{s};
    s.bind(1, run_id);
    if (!s.step()) return std::nullopt;
    return read_execution(s);
}

std::optional<execution_row> find_run(sql::connection& c, std::int64_t run_key) {
    auto& s = c.cached("SELECT " PERDURE_EXECUTION_COLUMNS " FROM executions WHERE run_key=?");
    reset_on_exit r{s};
    s.bind(1, run_key);
    if (!s.step()) return std::nullopt;
    return read_execution(s);
}

std::optional<execution_row> find_latest_run(sql::connection& c, std::int64_t ns_id, std::string_view workflow_id) {
    auto& s = c.cached("SELECT " PERDURE_EXECUTION_COLUMNS
                       " FROM executions WHERE ns_id=? AND workflow_id=? ORDER BY run_key DESC LIMIT 1");
    reset_on_exit r{s};
    s.bind(1, ns_id).bind(2, workflow_id);
    if (!s.step()) return std::nullopt;
    return read_execution(s);
}

std::vector<execution_row> list_runs(sql::connection& c, std::int64_t ns_id, std::optional<run_status> status,
                                     std::size_t limit, std::int64_t before_run_key) {
    auto& s = c.cached("SELECT " PERDURE_EXECUTION_COLUMNS
                       " FROM executions WHERE (?1 = 0 OR ns_id = ?1) AND (?2 < 0 OR status = ?2) AND (?3 = 0 OR "
                       "run_key < ?3) AND ns_id NOT IN (SELECT ns_id FROM namespaces WHERE deleted = 1) "
                       "ORDER BY run_key DESC LIMIT ?4");
    reset_on_exit r{s};
    s.bind(1, ns_id)
        .bind(2, status ? static_cast<int>(*status) : -1)
        .bind(3, before_run_key)
        .bind(4, static_cast<std::int64_t>(limit));
    std::vector<execution_row> out;
    while (s.step()) out.push_back(read_execution(s));
    return out;
}

std::vector<std::int64_t> expired_runs(sql::connection& c, std::int64_t ns_id, std::int64_t before_us,
                                       std::size_t limit) {
    auto& s = c.cached(
        "SELECT run_key FROM executions WHERE ns_id = ? AND status <> 0 AND close_time < ? ORDER BY close_time LIMIT ?");
    reset_on_exit r{s};
    s.bind(1, ns_id).bind(2, before_us).bind(3, static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
}

std::int64_t max_namespace_id(sql::connection& c) {
    auto& s = c.cached("SELECT COALESCE(MAX(ns_id), 0) FROM namespaces");
    reset_on_exit r{s};
    return s.step() ? s.int64(0) : 0;
}

std::vector<std::int64_t> runs_of_deleted_namespaces(sql::connection& c, std::size_t limit) {
    auto& s = c.cached(
        "SELECT run_key FROM executions WHERE ns_id IN (SELECT ns_id FROM namespaces WHERE deleted = 1) "
        "LIMIT ?");
    reset_on_exit r{s};
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
}

std::int64_t count_open_runs(sql::connection& c, std::int64_t ns_id) {
    auto& s = c.cached("SELECT count(*) FROM executions WHERE status = 0 AND ns_id = ?");
    reset_on_exit r{s};
    s.bind(1, ns_id);
    return s.step() ? s.int64(0) : 0;
}

}   // namespace perdure::detail
