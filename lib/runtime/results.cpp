// Waiting for a run's outcome: from memory while it is open, from its close event once it is
// not, following continue-as-new to the latest run.
#include "runtime/core.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

/// How often a run the store says is open may be looked for again before the engine gives up
/// on it. Following a chain (continue-as-new, retries) does not count: it has no end but its last run.
constexpr int max_hops = 10'000;

failure close_cause(const event& close) {
    const auto& a = close.attrs;
    failure f;
    switch (close.type) {
    case event_type::workflow_execution_failed:
        if (const auto* x = a.if_contains("failure")) return failure::from_json(*x);
        f.message = "workflow failed";
        break;
    case event_type::workflow_execution_canceled:
        f.message = "workflow canceled";
        f.kind = failure_kind::canceled;
        f.info = {{"details", a.contains("details") ? a.at("details") : nullptr}};
        break;
    case event_type::workflow_execution_terminated:
        f.message = a.contains("reason") && a.at("reason").is_string() && !a.at("reason").get_string().empty()
                        ? std::string(a.at("reason").get_string())
                        : "workflow terminated";
        f.kind = failure_kind::terminated;
        break;
    case event_type::workflow_execution_timed_out:
        f.message = "workflow timed out";
        f.kind = failure_kind::timeout;
        f.info = {{"timeout_type", to_string(timeout_type::start_to_close)}};
        break;
    default: f.message = "workflow closed"; break;
    }
    return f;
}

const char* closed_as(event_type t) {
    switch (t) {
    case event_type::workflow_execution_failed: return "failed";
    case event_type::workflow_execution_canceled: return "was canceled";
    case event_type::workflow_execution_terminated: return "was terminated";
    case event_type::workflow_execution_timed_out: return "timed out";
    default: return "closed";
    }
}

}   // namespace

void engine_core::get_result(std::string ns, std::string workflow_id, std::string run_id,
                             callback<boost::json::value> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), wid = std::move(workflow_id), rid = std::move(run_id),
          cb = std::move(cb)]() mutable {
        std::int64_t ns_id = 0;
        try {
            ns_id = namespace_id(ns);
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        if (standing_by()) cb = patient_result(ns_id, wid, rid, std::move(cb));
        resolve_result(ns_id, std::move(wid), std::move(rid), std::move(cb), 0);
    });
}

void engine_core::resolve_result(std::int64_t ns_id, std::string wid, std::string rid, callback<boost::json::value> cb,
                                 int hops) {
    if (auto e = unavailable()) return cb(e, {});
    // What to do with a close event: a value, a failure, or the next run of the chain.
    auto on_close = [weak = weak_from_this(), ns_id, wid](const event& close, const std::string& run_id,
                                                          callback<boost::json::value> cb) mutable {
        if (close.type == event_type::workflow_execution_completed) {
            const auto* r = close.attrs.if_contains("result");
            return cb(nullptr, r ? *r : boost::json::value{});
        }
        // Continue-as-new and a retry both name the run that follows; get() follows it.
        if (const auto* next = close.attrs.if_contains("new_execution_run_id")) {
            auto self = weak.lock();
            if (!self) return cb(std::make_exception_ptr(engine_stopped("the engine was shut down")), {});
            if (!next->is_string())
                return cb(std::make_exception_ptr(storage_error(
                              "workflow " + wid + " (run " + run_id + ") " + closed_as(close.type) +
                              " without naming the run that follows (new_execution_run_id); its history is damaged")),
                          {});
            return self->post([self, ns_id, wid, next = std::string(next->get_string()), cb = std::move(cb)]() mutable {
                self->resolve_result(ns_id, wid, next, std::move(cb), 0);
            });
        }
        failure f;
        f.message = "workflow " + wid + " (run " + run_id + ") " + closed_as(close.type);
        f.info = {{"type", "WorkflowExecutionError"}, {"non_retryable", true}};
        f.cause = std::make_shared<const failure>(close_cause(close));
        f.message += ": " + f.cause->message;
        cb(std::make_exception_ptr(workflow_failed_error(std::move(f))), {});
    };

    if (auto* r = find_open_run(ns_id, wid); r && (rid.empty() || r->run_id == rid)) {
        r->clients_or_new().result_waiters.emplace_back([weak = weak_from_this(), on_close, ns_id, wid, rid,
                                                         run_id = r->run_id, cb = std::move(cb),
                                                         hops](std::exception_ptr e, const event* close) mutable {
            if (e) return cb(e, {});
            if (close) return on_close(*close, run_id.str(), std::move(cb));
            // The run moved to the engine that took this one's data over: its close is
            // waited for there (step_back).
            const auto self = weak.lock();
            if (!self) return cb(std::make_exception_ptr(storage_error("the engine stopped")), {});
            auto patient = self->patient_result(ns_id, wid, rid, std::move(cb));
            self->resolve_result(ns_id, std::move(wid), std::move(rid), std::move(patient), hops);
        });
        return;
    }
    // Counted as reader work: the test environment's clock must not skip (and retention must
    // not delete the run) while the result is being read.
    work_.add(work_tracker::reader);
    (void)store_->post_read([self = shared_from_this(), ns_id, wid, rid, on_close, cb = std::move(cb),
                             hops](store_reads& reads) mutable {
        [&] {
            try {
                auto row = rid.empty() ? reads.find_latest_run(ns_id, wid) : reads.find_run(rid);
                if (!row || row->ns_id != ns_id || row->workflow_id != wid)
                    throw not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") +
                                    " not found in namespace " + self->namespace_name(ns_id));
                if (row->status == run_status::running) {
                    // The owner runs it: looked at again when it closes.
                    if (self->standing_by())
                        return self->post(
                            [self, ns_id, wid, rid, key = row->run_key, cb = std::move(cb), hops]() mutable {
                                // It may have taken over meanwhile: then the run is in memory.
                                if (!self->standing_by())
                                    return self->resolve_result(ns_id, wid, rid, std::move(cb), hops);
                                self->await_close(key, [self, ns_id, wid, rid, cb = std::move(cb), hops]() mutable {
                                    self->resolve_result(ns_id, wid, rid, std::move(cb), hops);
                                });
                            });
                    if (hops > max_hops)
                        throw storage_error("workflow " + wid + " is open but not known to the engine");
                    return self->post([self, ns_id, wid, run = row->run_id.str(), cb = std::move(cb), hops]() mutable {
                        self->resolve_result(ns_id, wid, run, std::move(cb), hops + 1);
                    });
                }
                auto close = reads.last_event(row->run_key);
                if (!close || !is_close_event(close->type))
                    throw storage_error("workflow " + wid + " (run " + row->run_id.str() +
                                        ") is closed but has no close event");
                on_close(*close, row->run_id.str(), std::move(cb));
            } catch (...) {
                cb(std::current_exception(), {});
            }
        }();
        self->work_.done(work_tracker::reader);
    });
}

}   // namespace perdure::detail
