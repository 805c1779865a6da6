// The parameterized statements of each write operation kind; SQLite's INSERT OR REPLACE becomes
// INSERT ... ON CONFLICT DO UPDATE of every column.
#include "store/postgres/pg_writes.hpp"

#include "store/attribute_rows.hpp"
#include "store/inbox_json.hpp"
#include "store/postgres/shards.hpp"
#include "store/run_columns.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

using pg::params;

struct applier {
    std::vector<pg::statement>& out;
    int shard_count;

    void add(const char* sql, params p, std::function<void(const pg::result&)> on_result = {}) const {
        out.push_back({sql, std::move(p), std::move(on_result)});
    }

    /// Replaces a run's indexed values of the attributes `names` (all of them when null) by
    /// `attrs`'. A value's other columns are NULL: NULLIF turns the empty text of a missing one
    /// into NULL, since parameters here are text.
    void write_values(std::int64_t run_key, std::int64_t ns_id, const typed_attributes& attrs,
                      const std::vector<std::string>* names) const {
        if (names)
            for (const auto& n : *names)
                add("DELETE FROM search_attribute_values WHERE run_key = $1::bigint AND name = $2", params(run_key, n));
        for (const auto& row : attribute_value_rows(attrs)) {
            if (names && std::find(names->begin(), names->end(), row.name) == names->end()) continue;
            params p(ns_id, row.name, run_key);
            p.add(row.int_value ? std::to_string(*row.int_value) : std::string());
            if (row.double_value)
                p.add(*row.double_value);
            else
                p.add(std::string());
            p.add(row.text_value ? *row.text_value : std::string()).add(row.text_value ? 1 : 0);
            add("INSERT INTO search_attribute_values(ns_id, name, run_key, int_value, double_value, text_value) "
                "VALUES($1::bigint, $2, $3::bigint, NULLIF($4, '')::bigint, NULLIF($5, '')::double precision, "
                "CASE WHEN $7::integer = 1 THEN $6 END)",
                p);
        }
    }

    void operator()(const insert_event& r) const {
        add("INSERT INTO history(run_key, event_id, type, time, attrs) "
            "VALUES($1::bigint, $2::bigint, $3::integer, $4::bigint, $5)",
            params(r.run_key, r.event_id, static_cast<int>(r.type), r.time_us, r.attrs));
    }
    void operator()(const insert_execution& op) const {
        // A new run is open (status 0), not closed, and its task has not failed.
        const auto& r = *op.run;
        params p(r.run_key, r.ns_id, r.workflow_id, r.run_id.str(), r.workflow_type, r.task_queue, r.start_time_us,
                 r.request_id.str(), r.first_run_id_or_own(), r.execution_deadline_us, memo_column(r.memo),
                 parent_column(r));
        p.add(options_column(r)).add(callbacks_column(r.callbacks)).add(shard_of(r.ns_id, r.workflow_id, shard_count));
        p.add(r.parent_workflow_id).add(r.parent_run_id);
        p.add(r.root_workflow_id_or_own());
        p.add(r.root_run_id_or_own()).add(search_attributes_column(r.search_attributes));
        add("INSERT INTO executions(run_key, ns_id, workflow_id, run_id, workflow_type, task_queue, status, "
            "start_time, close_time, request_id, first_run_id, execution_deadline, memo, task_failure, parent, "
            "options, callbacks, shard_id, execution_time, parent_workflow_id, parent_run_id, root_workflow_id, "
            "root_run_id, search_attributes) VALUES($1::bigint, $2::bigint, $3, $4, $5, $6, 0, $7::bigint, 0, $8, $9, "
            "$10::bigint, $11, '', $12, $13, $14, $15::integer, $7::bigint, NULLIF($16, ''), NULLIF($17, ''), $18, "
            "$19, $20)",
            p);
        write_values(r.run_key, r.ns_id, r.search_attributes, nullptr);
    }
    void operator()(const close_execution& op) const {
        // The history is counted once, at close, from the rows this batch and earlier ones wrote.
        add("UPDATE executions SET status = $1::integer, close_time = $2::bigint, task_failure = '', "
            "(history_length, history_size_bytes) = (SELECT COALESCE(MAX(event_id), 0), "
            "COALESCE(SUM(octet_length(attrs)), 0) FROM history WHERE run_key = $3::bigint) "
            "WHERE run_key = $3::bigint RETURNING pg_notify('perdure_closed', run_key::text)",
            params(static_cast<int>(op.status), op.close_time_us, op.run_key));
    }
    void operator()(const set_task_failure& op) const {
        add("UPDATE executions SET task_failure = $1 WHERE run_key = $2::bigint", params(op.message, op.run_key));
    }
    void operator()(const upsert_task& op) const {
        const auto& r = op.row;
        add("INSERT INTO tasks(run_key, seq, kind, attempt, due, details, flags) "
            "VALUES($1::bigint, $2::bigint, $3::integer, $4::integer, $5::bigint, $6, $7::integer) "
            "ON CONFLICT (run_key, seq) DO UPDATE SET kind = EXCLUDED.kind, attempt = EXCLUDED.attempt, "
            "due = EXCLUDED.due, details = EXCLUDED.details, flags = EXCLUDED.flags",
            params(r.run_key, r.seq, static_cast<int>(r.kind), r.attempt, r.due_us, r.details, r.flags));
    }
    void operator()(const delete_task& op) const {
        add("DELETE FROM tasks WHERE run_key = $1::bigint AND seq = $2::bigint", params(op.run_key, op.seq));
    }
    void operator()(const insert_deadline& op) const {
        const auto& r = op.row;
        add("INSERT INTO deadlines(run_key, kind, seq, due) VALUES($1::bigint, $2::integer, $3::bigint, $4::bigint) "
            "ON CONFLICT (run_key, kind, seq) DO UPDATE SET due = EXCLUDED.due",
            params(r.run_key, static_cast<int>(r.kind), r.seq, r.due_us));
    }
    void operator()(const delete_deadline& op) const {
        add("DELETE FROM deadlines WHERE run_key = $1::bigint AND kind = $2::integer AND seq = $3::bigint",
            params(op.run_key, static_cast<int>(op.kind), op.seq));
    }
    void operator()(const clear_run_work& op) const {
        add("DELETE FROM deadlines WHERE run_key = $1::bigint", params(op.run_key));
        add("DELETE FROM tasks WHERE run_key = $1::bigint", params(op.run_key));
        add("DELETE FROM queue_tasks WHERE run_key = $1::bigint", params(op.run_key));
    }
    // An offer NOTIFYs the engines serving queues (pg_listener) with its namespace's id; offered
    // again (the next attempt), it is unclaimed and goes to the back of its queue.
    void operator()(const offer_task& o) const {
        const auto& op = *o.offer;
        add("INSERT INTO queue_tasks(run_key, seq, ns_id, task_queue, task_type, attempt, details, kind, claim_ms) "
            "VALUES($1::bigint, $2::bigint, $3::bigint, $4, $5, $6::integer, $7, $8::integer, NULLIF($9::bigint, 0)) "
            "ON CONFLICT (run_key, seq) DO UPDATE SET ns_id = EXCLUDED.ns_id, task_queue = EXCLUDED.task_queue, "
            "task_type = EXCLUDED.task_type, attempt = EXCLUDED.attempt, details = EXCLUDED.details, "
            "kind = EXCLUDED.kind, claim_ms = EXCLUDED.claim_ms, offered = clock_timestamp(), claimed_by = '', "
            "claim_expires = NULL RETURNING pg_notify('perdure_tasks', ns_id::text)",
            params(op.run_key, op.seq, op.ns_id, op.task_queue, op.type, op.attempt, op.details,
                   static_cast<int>(op.kind), op.claim_ms));
    }
    void operator()(const withdraw_task& op) const {
        add("DELETE FROM queue_tasks WHERE run_key = $1::bigint AND seq = $2::bigint", params(op.run_key, op.seq));
    }
    // A change to namespaces, their search attributes or endpoints NOTIFYs the engines standing
    // by (pg_listener), which reload them; only a row actually changed notifies.
    void operator()(const upsert_namespace& op) const {
        // As SQLite's REPLACE: the row is written whole, so a namespace written again is live.
        const auto& r = *op.row;
        add("INSERT INTO namespaces(ns_id, name, description, created, retention_ms) "
            "VALUES($1::bigint, $2, $3, $4::bigint, $5::bigint) "
            "ON CONFLICT (ns_id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, "
            "created = EXCLUDED.created, retention_ms = EXCLUDED.retention_ms, deleted = 0 "
            "RETURNING pg_notify('perdure_registry', '')",
            params(r.ns_id, r.name, r.description, r.created_us, r.retention_ms));
    }
    void operator()(const delete_namespace& op) const {
        add("UPDATE namespaces SET deleted = 1 WHERE ns_id = $1::bigint "
            "RETURNING pg_notify('perdure_registry', '')",
            params(op.ns_id));
        add("DELETE FROM search_attribute_types WHERE ns_id = $1::bigint", params(op.ns_id));
    }
    void operator()(const add_search_attribute& op) const {
        add("INSERT INTO search_attribute_types(ns_id, name, type) VALUES($1::bigint, $2, $3::integer) "
            "ON CONFLICT (ns_id, name) DO NOTHING RETURNING pg_notify('perdure_registry', '')",
            params(op.ns_id, op.name, static_cast<int>(op.type)));
    }
    void operator()(const remove_search_attribute& op) const {
        add("DELETE FROM search_attribute_types WHERE ns_id = $1::bigint AND name = $2 "
            "RETURNING pg_notify('perdure_registry', '')",
            params(op.ns_id, op.name));
        add("DELETE FROM search_attribute_values WHERE ns_id = $1::bigint AND name = $2", params(op.ns_id, op.name));
        // Describe and list read a run's attributes from its row: the removed one goes from
        // there too, or a closed run would show its old value once the name is added again.
        // json, not jsonb: a stored value may hold \u0000, which jsonb refuses.
        add("UPDATE executions SET search_attributes = COALESCE((SELECT json_object_agg(key, value) FROM "
            "json_each(search_attributes::json) WHERE key <> $2::text)::text, '{}') "
            "WHERE ns_id = $1::bigint AND (search_attributes::json -> $2::text) IS NOT NULL",
            params(op.ns_id, op.name));
    }
    void operator()(const set_search_attributes& op) const {
        add("UPDATE executions SET search_attributes = $1 WHERE run_key = $2::bigint",
            params(search_attributes_column(op.all), op.run_key));
        write_values(op.run_key, op.ns_id, op.all, &op.changed);
    }
    void operator()(const set_memo& op) const {
        add("UPDATE executions SET memo = $1 WHERE run_key = $2::bigint", params(memo_column(op.memo), op.run_key));
    }
    void operator()(const upsert_endpoint& op) const {
        const auto& r = *op.row;
        params p(r.id, r.name, r.version, r.target_namespace, r.target_task_queue, r.description, r.created_us,
                 r.last_modified_us, r.max_operations_per_second);
        add("INSERT INTO nexus_endpoints(id, name, version, target_namespace, target_task_queue, description, "
            "created, last_modified, max_operations_per_second) "
            "VALUES($1, $2, $3::bigint, $4, $5, $6, $7::bigint, $8::bigint, $9::double precision) "
            "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version, "
            "target_namespace = EXCLUDED.target_namespace, target_task_queue = EXCLUDED.target_task_queue, "
            "description = EXCLUDED.description, created = EXCLUDED.created, "
            "last_modified = EXCLUDED.last_modified, max_operations_per_second = EXCLUDED.max_operations_per_second "
            "RETURNING pg_notify('perdure_registry', '')",
            p);
    }
    void operator()(const delete_endpoint& op) const {
        add("DELETE FROM nexus_endpoints WHERE id = $1 RETURNING pg_notify('perdure_registry', '')", params(op.id));
    }
    void operator()(const set_callbacks& op) const {
        add("UPDATE executions SET callbacks = $1 WHERE run_key = $2::bigint",
            params(callbacks_column(op.callbacks), op.run_key));
    }
    void operator()(const claim_inbox& op) const {
        add("UPDATE inbox SET state = 'running' WHERE id = $1::bigint AND state = 'pending'", params(op.id),
            [claimed = op.claimed](const pg::result& r) { claimed->store(r.affected() == 1); });
    }
    void operator()(const release_inbox& op) const {
        add("UPDATE inbox SET state = 'pending' WHERE id = $1::bigint AND state = 'running'", params(op.id));
    }
    void operator()(const finish_inbox& op) const {
        add("UPDATE inbox SET state = $1, result = $2 WHERE id = $3::bigint "
            "RETURNING pg_notify('perdure_answered', id::text)",
            params(std::string_view(stored_state(*op.answer)), stored_answer(*op.answer), op.id));
    }
    void operator()(const delete_run& op) const {
        for (const char* sql :
             {"DELETE FROM history WHERE run_key = $1::bigint", "DELETE FROM executions WHERE run_key = $1::bigint",
              "DELETE FROM deadlines WHERE run_key = $1::bigint", "DELETE FROM tasks WHERE run_key = $1::bigint",
              "DELETE FROM queue_tasks WHERE run_key = $1::bigint",
              "DELETE FROM search_attribute_values WHERE run_key = $1::bigint"})
            add(sql, params(op.run_key));
    }
    void operator()(const incremental_vacuum&) const {
        // SQLite gives freed pages back by hand; PostgreSQL's autovacuum does it on its own.
    }
};

struct run_key_visitor {
    std::optional<std::int64_t> operator()(const insert_event& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const insert_execution& o) const { return o.run->run_key; }
    std::optional<std::int64_t> operator()(const close_execution& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const set_task_failure& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const upsert_task& o) const { return o.row.run_key; }
    std::optional<std::int64_t> operator()(const delete_task& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const insert_deadline& o) const { return o.row.run_key; }
    std::optional<std::int64_t> operator()(const delete_deadline& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const clear_run_work& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const set_callbacks& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const delete_run& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const set_search_attributes& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const set_memo& o) const { return o.run_key; }
    std::optional<std::int64_t> operator()(const offer_task& o) const { return o.offer->run_key; }
    std::optional<std::int64_t> operator()(const withdraw_task& o) const { return o.run_key; }
    template <class Other>
    std::optional<std::int64_t> operator()(const Other&) const {
        return std::nullopt;
    }
};

}   // namespace

pg::statement pg_history_rows(const std::vector<const insert_event*>& events) {
    std::vector<std::int64_t> runs, ids, types, times;
    std::vector<std::string_view> attrs;
    for (const auto* e : events) {
        runs.push_back(e->run_key);
        ids.push_back(e->event_id);
        types.push_back(static_cast<std::int64_t>(e->type));
        times.push_back(e->time_us);
        attrs.push_back(e->attrs);
    }
    return {
        "INSERT INTO history(run_key, event_id, type, time, attrs) "
        "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::bigint[], $5::text[])",
        params(runs, ids, types, times, attrs)};
}

void pg_statements(const write_op& op, int shard_count, std::vector<pg::statement>& out) {
    std::visit(applier{out, shard_count}, op);
}

std::optional<std::int64_t> run_key_of(const write_op& op) noexcept { return std::visit(run_key_visitor{}, op); }

bool writes_cluster_rows(const write_op& op) noexcept {
    return !run_key_of(op) && !std::holds_alternative<incremental_vacuum>(op);
}

}   // namespace perdure::detail
