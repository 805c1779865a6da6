// Messages to a run from clients. Signals are recorded, then an activation reads them: they
// are delivered as any inbound event, and a signal-with-start is a start, so both stay with the
// run's lifecycle here. Queries and updates are a part of their own (queries_and_updates.hpp);
// their entry points and what that part asks of the engine are below.
#include "runtime/core.hpp"
#include "runtime/uuid.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

void engine_core::signal_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                  boost::json::value arg, callback<bool> cb) {
    if (standing_by())
        return message_via_owner(workflow_signal_command{{ns, wid, rid}, std::move(name), std::move(arg)},
                                 std::move(cb));
    if (auto e = unavailable()) return cb(e, false);
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return signal_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(name), std::move(arg),
                                   std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        try {
            if (name.empty()) throw invalid_argument("a signal name must not be empty");
            auto arg_json = checked_payload(arg, options_.limits.max_payload_bytes, "the signal argument");
            auto* r = find_open_run(namespace_id(ns), wid);
            if (!r || r->status != run_status::running || (!rid.empty() && r->run_id != rid))
                throw not_found(not_running(wid, rid, ns));
            deliver(*r, signal_event(std::move(name), std::move(arg), std::move(arg_json),
                                     [cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); }));
        } catch (...) {
            cb(std::current_exception(), false);
        }
    });
}

inbound engine_core::signal_event(std::string name, boost::json::value arg, std::string arg_json,
                                  unique_function<void(std::exception_ptr)> on_recorded) {
    inbound in{event{0,
                     event_type::workflow_execution_signaled,
                     now_us(),
                     {{"signal_name", std::move(name)}, {"input", std::move(arg)}, {"identity", "perdure"}}}};
    if (!arg_json.empty()) in.serialized_member = "input", in.serialized_json = std::move(arg_json);
    if (on_recorded) in.on_recorded.push_back(std::move(on_recorded));
    return in;
}

void engine_core::signal_with_start(std::string ns, std::string type, boost::json::value input,
                                    start_workflow_options options, std::string signal, boost::json::value arg,
                                    callback<started_run> cb) {
    if (standing_by())
        return start_via_owner(std::move(ns), std::move(type), std::move(input), std::move(options), std::move(signal),
                               std::move(arg), std::move(cb));
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), type = std::move(type), input = std::move(input), options = std::move(options),
          signal = std::move(signal), arg = std::move(arg), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return signal_with_start(std::move(ns), std::move(type), std::move(input), std::move(options),
                                     std::move(signal), std::move(arg), std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        std::string arg_json;
        try {
            if (signal.empty()) throw invalid_argument("a signal name must not be empty");
            arg_json = checked_payload(arg, options_.limits.max_payload_bytes, "the signal argument");
            const auto ns_id = namespace_id(ns);
            // As Temporal's: a running run is signalled, unless the start asks to replace it.
            if (auto* r = find_open_run(ns_id, options.id);
                r && r->status == run_status::running &&
                options.id_conflict != id_conflict_policy::terminate_existing) {
                started_run ref{r->workflow_id, r->run_id.str(), r->first_run_id_or_own()};
                deliver(*r, signal_event(std::move(signal), std::move(arg), std::move(arg_json),
                                         [cb = std::move(cb), ref](std::exception_ptr e) mutable { cb(e, ref); }));
                return;
            }
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        // Not running, or to be replaced: started with the signal recorded right after the start,
        // in one commit.
        if (options.id_conflict != id_conflict_policy::terminate_existing)
            options.id_conflict = id_conflict_policy::fail;
        start_on_strand(std::move(ns), std::move(type), std::move(input), std::move(options), std::move(cb),
                        signal_event(std::move(signal), std::move(arg), std::move(arg_json), {}));
    });
}

// ---------------------------------------------------------------- queries and updates

void engine_core::query_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                 boost::json::value arg, callback<boost::json::value> cb) {
    if (standing_by())
        return ask_owner(workflow_query_command{{ns, wid, rid}, std::move(name), std::move(arg)}, std::move(cb));
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return query_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(name), std::move(arg),
                                  std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        queries_updates_.query(std::move(ns), std::move(wid), std::move(rid), std::move(name), std::move(arg),
                               std::move(cb));
    });
}

void engine_core::update_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                  boost::json::value arg, std::string update_id, callback<boost::json::value> cb) {
    // Named here, as Temporal's clients do, so a request sent again is the same update.
    if (update_id.empty()) update_id = new_uuid();
    if (standing_by())
        return ask_owner(workflow_update_command{{ns, wid, rid}, std::move(name), std::move(arg), std::move(update_id)},
                         std::move(cb));
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), update_id = std::move(update_id), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return update_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(name), std::move(arg),
                                   std::move(update_id), std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        queries_updates_.update(std::move(ns), std::move(wid), std::move(rid), std::move(name), std::move(arg),
                                std::move(update_id), std::move(cb));
    });
}

void engine_core::read_stored_run(std::int64_t ns_id, std::string wid, std::string rid, stored_run_reader then) {
    work_.add(work_tracker::reader);
    (void)store_->post_read([self = shared_from_this(), ns_id, wid = std::move(wid), rid = std::move(rid),
                             then = std::move(then)](store_reads& reads) mutable {
        std::optional<stored_run> run;
        std::exception_ptr error;
        try {
            auto row = rid.empty() ? reads.find_latest_run(ns_id, wid) : reads.find_run(rid);
            // A run id names one run of every namespace: one of another workflow is none of this one.
            if (row && row->ns_id == ns_id && row->workflow_id == wid) {
                auto history = reads.history(row->run_key);
                run = stored_run{std::move(*row), std::move(history)};
            }
        } catch (...) {
            error = std::current_exception();
        }
        self->post([run = std::move(run), error, then = std::move(then)]() mutable { then(error, std::move(run)); });
        self->work_.done(work_tracker::reader);
    });
}

std::unique_ptr<workflow_instance> engine_core::replay_instance(const execution_row& row) {
    auto reg = workers_.workflow(row.ns_id, row.task_queue, row.workflow_type);
    if (!reg) return nullptr;
    workflow_info info{namespace_name(row.ns_id),
                       row.workflow_id,
                       row.run_id.str(),
                       row.workflow_type,
                       row.task_queue,
                       1,
                       row.first_run_id_or_own(),
                       ""};
    lifecycle_.count_replay();
    return std::make_unique<workflow_instance>(reg->fn, std::move(info), 0);
}

}   // namespace perdure::detail
