// One prepared statement per write operation kind.
#include "store/writes.hpp"

#include "store/inbox_json.hpp"
#include "store/run_columns.hpp"

namespace perdure::detail {
namespace {

struct applier {
    sql::connection& c;

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
        const auto& r = op.run;
        c.cached(
             "INSERT INTO executions(run_key, ns_id, workflow_id, run_id, workflow_type, task_queue, status, "
             "start_time, close_time, request_id, first_run_id, execution_deadline, memo, task_failure, parent, "
             "options, callbacks) VALUES(?,?,?,?,?,?,0,?,0,?,?,?,?,'',?,?,?)")
            .bind(1, r.run_key)
            .bind(2, r.ns_id)
            .bind(3, r.workflow_id)
            .bind(4, r.run_id)
            .bind(5, r.workflow_type)
            .bind(6, r.task_queue)
            .bind(7, r.start_time_us)
            .bind(8, r.request_id)
            .bind(9, r.first_run_id)
            .bind(10, r.execution_deadline_us)
            .bind(11, memo_column(r))
            .bind(12, parent_column(r))
            .bind(13, options_column(r))
            .bind(14, callbacks_column(r.callbacks))
            .run();
    }
    void operator()(const close_execution& op) const {
        c.cached("UPDATE executions SET status=?, close_time=?, task_failure='' WHERE run_key=?")
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
        const auto& r = op.row;
        c.cached("INSERT OR REPLACE INTO namespaces(ns_id, name, description, created, retention_ms) VALUES(?,?,?,?,?)")
            .bind(1, r.ns_id)
            .bind(2, r.name)
            .bind(3, r.description)
            .bind(4, r.created_us)
            .bind(5, r.retention_ms)
            .run();
    }
    void operator()(const upsert_endpoint& op) const {
        const auto& r = op.row;
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
    void operator()(const finish_inbox& op) const {
        c.cached("UPDATE inbox SET state=?, result=? WHERE id=?")
            .bind(1, std::string_view(stored_state(op.answer)))
            .bind(2, stored_answer(op.answer))
            .bind(3, op.id)
            .run();
    }
    void operator()(const delete_run& op) const {
        c.cached("DELETE FROM history WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM executions WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM deadlines WHERE run_key=?").bind(1, op.run_key).run();
        c.cached("DELETE FROM tasks WHERE run_key=?").bind(1, op.run_key).run();
    }
    void operator()(const incremental_vacuum& op) const {
        c.exec("PRAGMA incremental_vacuum(" + std::to_string(op.pages) + ")");
    }
    void operator()(const delete_namespace& op) const {
        c.cached("UPDATE namespaces SET deleted=1 WHERE ns_id=?").bind(1, op.ns_id).run();
    }
};

}   // namespace

void apply_write(sql::connection& c, const write_op& op) { std::visit(applier{c}, op); }

}   // namespace perdure::detail
