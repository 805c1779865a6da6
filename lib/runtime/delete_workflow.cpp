// Deleting a run on request (client::delete_workflow, the CLI's `workflow delete`), as
// Temporal's DeleteWorkflowExecution: a running run is terminated as any terminate does (its
// waiters, parent, children and Nexus callers told), and once that is committed the run goes
// the way retention deletes an expired one.
#include "runtime/core.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

/// The reason Temporal records when it terminates a run to delete it.
constexpr const char* delete_reason = "Delete workflow execution";

not_found no_such_run(const std::string& ns, const std::string& wid, const std::string& rid) {
    return not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " not found in namespace " + ns +
                     "; nothing was deleted");
}

}   // namespace

void engine_core::delete_workflow(std::string ns, std::string workflow_id, std::string run_id, callback<bool> cb) {
    if (standing_by()) return message_via_owner(workflow_delete_command{{ns, workflow_id, run_id}}, std::move(cb));
    if (auto e = unavailable()) return cb(e, false);
    post([this, ns = std::move(ns), wid = std::move(workflow_id), rid = std::move(run_id),
          cb = std::move(cb)]() mutable {
        if (standing_by_) return delete_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        std::int64_t ns_id = 0;
        try {
            ns_id = namespace_id(ns);
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        if (auto* r = find_open_run(ns_id, wid);
            r && r->status == run_status::running && (rid.empty() || r->run_id == rid))
            return terminate_and_delete(*r, std::move(cb));
        // A closed run: found on the reader thread, deleted on the strand.
        work_.add(work_tracker::reader);
        (void)store_->post_read([self = shared_from_this(), ns_id, ns = std::move(ns), wid = std::move(wid),
                                 rid = std::move(rid), cb = std::move(cb)](store_reads& reads) mutable {
            std::optional<execution_row> row;
            std::exception_ptr error;
            try {
                row = rid.empty() ? reads.find_latest_run(ns_id, wid) : reads.find_run(rid);
                if (!row || row->ns_id != ns_id || row->workflow_id != wid) throw no_such_run(ns, wid, rid);
            } catch (...) {
                error = std::current_exception();
            }
            // Answered on the strand either way: an inbox answer is a commit.
            self->post([self, row = std::move(row), error, cb = std::move(cb)]() mutable {
                if (!error) error = self->unavailable();
                if (error) return cb(error, false);
                // Running: terminated first, as when it was found in memory above.
                if (auto* r = self->find_open_run(row->ns_id, row->workflow_id);
                    r && r->run_id == row->run_id && r->status == run_status::running)
                    return self->terminate_and_delete(*r, std::move(cb));
                self->delete_closed_run(row->run_key, std::move(cb));
            });
            self->work_.done(work_tracker::reader);
        });
    });
}

void engine_core::terminate_and_delete(run_state& r, callback<bool> cb) {
    // Terminated first, as Temporal does; the deletion follows once the close is committed, so
    // the close's deliveries (to the parent, to Nexus callers) are on record before it goes.
    write_unit unit;
    terminate_run(r, delete_reason, unit);
    unit.effects.emplace_back([this, key = r.run_key, cb = std::move(cb)](std::exception_ptr e) mutable {
        if (e) return cb(e, false);
        delete_closed_run(key, std::move(cb));
    });
    commit(std::move(unit));
}

}   // namespace perdure::detail
