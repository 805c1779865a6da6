// One SQLite prepared statement per write operation kind.
#include "store/sqlite/writes.hpp"

#include "store/attribute_rows.hpp"
#include "store/inbox_json.hpp"
#include "store/run_columns.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

struct applier {
    sql::connection& c;

    /// Replaces a run's indexed values of the attributes `names` (all of them when null) by `attrs`'.
    void write_values(std::int64_t run_key, std::int64_t ns_id, const typed_attributes& attrs,
                      const std::vector<std::string>* names) const {
        if (names) {
            for (const auto& n : *names)
                c.cached("DELETE FROM search_attribute_values WHERE run_key=? AND name=?")
                    .bind(1, run_key)
                    .bind(2, n)
                    .run();
        }
        for (const auto& row : attribute_value_rows(attrs)) {
            if (names && std::find(names->begin(), names->end(), row.name) == names->end()) continue;
            auto& s = c.cached(
                "INSERT INTO search_attribute_values(ns_id, name, run_key, int_value, double_value, text_value) "
                "VALUES(?,?,?,?,?,?)");
            s.bind(1, ns_id).bind(2, row.name).bind(3, run_key);
            if (row.int_value)
                s.bind(4, *row.int_value);
            else
                s.bind_null(4);
            if (row.double_value)
                s.bind(5, *row.double_value);
            else
                s.bind_null(5);
            if (row.text_value)
                s.bind(6, *row.text_value);
            else
                s.bind_null(6);
            s.run();
        }
    }

    void operator()(const insert_event& r) const {
        c.cached("INSERT INTO history(run_key, event_id, type, time, attrs) VALUES(?,?,?,?,?)")
            .bind(1, r.run_key)
            .bind(2, r.event_id)
            .bind(3, static_cast<int>(r.type))
            .bind(4, r.time_us)
            .bind(5, r.attrs)
            .run();
    }
    void operator()(const insert_execution& op) const {
        // A new run is open (status 0), not closed, and its task has not failed.
        const auto& r = *op.run;
        c.cached(
             "INSERT INTO executions(run_key, ns_id, workflow_id, run_id, workflow_type, task_queue, status, "
             "start_time, close_time, request_id, first_run_id, execution_deadline, memo, task_failure, parent, "
             "options, callbacks, execution_time, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, "
             "search_attributes) VALUES(?,?,?,?,?,?,0,?,0,?,?,?,?,'',?,?,?,?7,NULLIF(?15,''),NULLIF(?16,''),?,?,?)")
            .bind(1, r.run_key)
            .bind(2, r.ns_id)
            .bind(3, r.workflow_id)
            .bind(4, r.run_id.str())
            .bind(5, r.workflow_type)
            .bind(6, r.task_queue)
            .bind(7, r.start_time_us)
            .bind(8, r.request_id.str())
            .bind(9, r.first_run_id_or_own())
            .bind(10, r.execution_deadline_us)
            .bind(11, memo_column(r.memo))
            .bind(12, parent_column(r))
            .bind(13, options_column(r))
            .bind(14, callbacks_column(r.callbacks))
            .bind(15, *r.parent_workflow_id)
            .bind(16, *r.parent_run_id)
            .bind(17, r.root_workflow_id_or_own())
            .bind(18, r.root_run_id_or_own())
            .bind(19, search_attributes_column(r.search_attributes))
            .run();
        write_values(r.run_key, r.ns_id, r.search_attributes, nullptr);
    }
    void operator()(const close_execution& op) const {
        // The history is counted once, at close, from the rows this batch and earlier ones wrote.
        c.cached(
             "UPDATE executions SET status=?1, close_time=?2, task_failure='', "
             "history_length=(SELECT COALESCE(MAX(event_id), 0) FROM history WHERE run_key=?3), "
             "history_size_bytes=(SELECT COALESCE(SUM(length(CAST(attrs AS BLOB))), 0) FROM history WHERE run_key=?3) "
             "WHERE run_key=?3")
            .bind(1, static_cast<int>(op.status))
            .bind(2, op.close_time_us)
            .bind(3, op.run_key)
            .run();
    }
    void operator()(const set_task_failure& op) const {
        c.cached("UPDATE executions SET task_failure=? WHERE run_key=?").bind(1, op.message).bind(2, op.run_key).run();
    }
    void operator()(const upsert_task& op) const {
        const auto& r = op.row;
        c.cached("INSERT OR REPLACE INTO tasks(run_key, seq, kind, attempt, due, details, flags) VALUES(?,?,?,?,?,?,?)")
            .bind(1, r.run_key)
            .bind(2, r.seq)
            .bind(3, static_cast<int>(r.kind))
            .bind(4, r.attempt)
            .bind(5, r.due_us)
            .bind(6, r.details)
            .bind(7, r.flags)
            .run();
    }
    void operator()(const delete_task& op) const {
        c.cached("DELETE FROM tasks WHERE run_key=? AND seq=?").bind(1, op.run_key).bind(2, op.seq).run();
    }
    void operator()(const insert_deadline& op) const {
        const auto& r = op.row;
        c.cached("INSERT OR REPLACE INTO deadlines(run_key, kind, seq, due) VALUES(?,?,?,?)")
            .bind(1, r.run_key)
            .bind(2, static_cast<int>(r.kind))
            .bind(3, r.seq)
            .bind(4, r.due_us)
            .run();
    }
    void operator()(const delete_deadline& op) const {
        c.cached("DELETE FROM deadlines WHERE run_key=? AND kind=? AND seq=?")
            .bind(1, op.run_key)
            .bind(2, static_cast<int>(op.kind))
            .bind(3, op.seq)
            .run();
    }
    void operator()(const clear_run_work& op) const {
        c.cached("DELETE FROM deadlines WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM tasks WHERE run_key=?").bind(1, op.run_key).run();
    }
    void operator()(const upsert_namespace& op) const {
        const auto& r = *op.row;
        c.cached("INSERT OR REPLACE INTO namespaces(ns_id, name, description, created, retention_ms) VALUES(?,?,?,?,?)")
            .bind(1, r.ns_id)
            .bind(2, r.name)
            .bind(3, r.description)
            .bind(4, r.created_us)
            .bind(5, r.retention_ms)
            .run();
    }
    void operator()(const upsert_endpoint& op) const {
        const auto& r = *op.row;
        c.cached(
             "INSERT OR REPLACE INTO nexus_endpoints(id, name, version, target_namespace, target_task_queue, "
             "description, created, last_modified, max_operations_per_second) VALUES(?,?,?,?,?,?,?,?,?)")
            .bind(1, r.id)
            .bind(2, r.name)
            .bind(3, r.version)
            .bind(4, r.target_namespace)
            .bind(5, r.target_task_queue)
            .bind(6, r.description)
            .bind(7, r.created_us)
            .bind(8, r.last_modified_us)
            .bind(9, r.max_operations_per_second)
            .run();
    }
    void operator()(const delete_endpoint& op) const {
        c.cached("DELETE FROM nexus_endpoints WHERE id=?").bind(1, op.id).run();
    }
    void operator()(const set_callbacks& op) const {
        c.cached("UPDATE executions SET callbacks=? WHERE run_key=?")
            .bind(1, callbacks_column(op.callbacks))
            .bind(2, op.run_key)
            .run();
    }
    void operator()(const claim_inbox& op) const {
        c.cached("UPDATE inbox SET state='running' WHERE id=? AND state='pending'").bind(1, op.id).run();
        op.claimed->store(c.changes() == 1);
    }
    void operator()(const release_inbox& op) const {
        c.cached("UPDATE inbox SET state='pending' WHERE id=? AND state='running'").bind(1, op.id).run();
    }
    void operator()(const finish_inbox& op) const {
        c.cached("UPDATE inbox SET state=?, result=? WHERE id=?")
            .bind(1, std::string_view(stored_state(*op.answer)))
            .bind(2, stored_answer(*op.answer))
            .bind(3, op.id)
            .run();
    }
    void operator()(const delete_run& op) const {
        c.cached("DELETE FROM history WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM executions WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM deadlines WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM tasks WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM search_attribute_values WHERE run_key=?").bind(1, op.run_key).run();
    }
    void operator()(const add_search_attribute& op) const {
        c.cached("INSERT OR IGNORE INTO search_attribute_types(ns_id, name, type) VALUES(?,?,?)")
            .bind(1, op.ns_id)
            .bind(2, op.name)
            .bind(3, static_cast<int>(op.type))
            .run();
    }
    void operator()(const remove_search_attribute& op) const {
        c.cached("DELETE FROM search_attribute_types WHERE ns_id=? AND name=?")
            .bind(1, op.ns_id)
            .bind(2, op.name)
            .run();
        c.cached("DELETE FROM search_attribute_values WHERE ns_id=? AND name=?")
            .bind(1, op.ns_id)
            .bind(2, op.name)
            .run();
        // Describe and list read a run's attributes from its row: the removed one goes from
        // there too, or a closed run would show its old value once the name is added again.
        // (Names are letters, digits and '_', so they need no quoting in a JSON path.)
        c.cached(
             "UPDATE executions SET search_attributes=json_remove(search_attributes, '$.' || ?2) "
             "WHERE ns_id=?1 AND json_type(search_attributes, '$.' || ?2) IS NOT NULL")
            .bind(1, op.ns_id)
            .bind(2, op.name)
            .run();
    }
    void operator()(const set_search_attributes& op) const {
        c.cached("UPDATE executions SET search_attributes=? WHERE run_key=?")
            .bind(1, search_attributes_column(op.all))
            .bind(2, op.run_key)
            .run();
        write_values(op.run_key, op.ns_id, op.all, &op.changed);
    }
    void operator()(const set_memo& op) const {
        c.cached("UPDATE executions SET memo=? WHERE run_key=?")
            .bind(1, memo_column(op.memo))
            .bind(2, op.run_key)
            .run();
    }
    // One engine owns a SQLite file and runs every activity itself: nothing is ever offered.
    void operator()(const offer_task&) const {}
    void operator()(const withdraw_task&) const {}
    void operator()(const incremental_vacuum& op) const {
        c.exec("PRAGMA incremental_vacuum(" + std::to_string(op.pages) + ")");
    }
    void operator()(const delete_namespace& op) const {
        c.cached("UPDATE namespaces SET deleted=1 WHERE ns_id=?").bind(1, op.ns_id).run();
        c.cached("DELETE FROM search_attribute_types WHERE ns_id=?").bind(1, op.ns_id).run();
    }
};

}   // namespace

void apply_write(sql::connection& c, const write_op& op) { std::visit(applier{c}, op); }

}   // namespace perdure::detail
