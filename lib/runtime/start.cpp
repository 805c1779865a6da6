// Starting runs (id reuse and conflict policies, request-id dedupe, timeouts), terminating,
// and cancelling from a client.
#include "runtime/core.hpp"

#include "codec/duration.hpp"
#include "codec/uuid.hpp"
#include "history/retry_policy.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <random>

namespace perdure::detail {
namespace {

constexpr std::size_t max_id_bytes = 1000;

void check_name(const std::string& what, const std::string& v) {
    if (v.empty()) throw invalid_argument(what + " must not be empty");
    // Refused on every store, so that a program behaves the same on SQLite and on PostgreSQL,
    // whose text cannot hold NUL.
    if (const auto nul = v.find('\0'); nul != std::string::npos)
        throw invalid_argument(what + " holds a NUL character at byte " + std::to_string(nul) +
                               "; ids and names are text without NUL");
    if (v.size() > max_id_bytes)
        throw invalid_argument(what + " is " + std::to_string(v.size()) + " bytes; the limit is 1000");
}

}   // namespace

std::string new_uuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::uint64_t high = rng();
    return uuid_v4(high, rng());
}

namespace {

const char* status_word(run_status s) {
    switch (s) {
    case run_status::running: return "running";
    case run_status::completed: return "completed";
    case run_status::failed: return "failed";
    case run_status::canceled: return "canceled";
    case run_status::terminated: return "terminated";
    case run_status::continued_as_new: return "continued as new";
    case run_status::timed_out: return "timed out";
    }
    return "unknown";
}

}   // namespace

void engine_core::start_workflow(std::string ns, std::string type, boost::json::value input,
                                 start_workflow_options options, callback<started_run> cb) {
    if (standing_by())
        return start_via_owner(std::move(ns), std::move(type), std::move(input), std::move(options), {}, {},
                               std::move(cb));
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), type = std::move(type), input = std::move(input), options = std::move(options),
          cb = std::move(cb)]() mutable {
        if (standing_by_)
            return start_workflow(std::move(ns), std::move(type), std::move(input), std::move(options), std::move(cb));
        start_on_strand(std::move(ns), std::move(type), std::move(input), std::move(options), std::move(cb));
    });
}

void engine_core::start_on_strand(std::string ns, std::string type, boost::json::value input,
                                  start_workflow_options options, callback<started_run> cb,
                                  std::optional<inbound> first_signal) {
    if (auto e = unavailable()) return cb(e, {});
    write_unit unit;
    try {
        const auto ns_id = namespace_id(ns);
        check_name("start_workflow_options::id", options.id);
        check_name("start_workflow_options::task_queue", options.task_queue);
        check_name("the workflow type", type);
        if (options.execution_timeout.count() < 0 || options.run_timeout.count() < 0)
            throw invalid_argument("workflow timeouts must not be negative");
        if (options.retry)
            if (auto err = validate(*options.retry)) throw invalid_argument("start_workflow_options::" + *err);
        auto attributes = typed_search_attributes(ns_id, options.search_attributes);
        // Serialized once: the size checked here is that of the text the start event stores.
        std::string input_json = boost::json::serialize(input);
        const auto input_bytes = input_json.size();
        if (input_bytes > options_.limits.max_payload_bytes)
            throw invalid_argument("the workflow input is " + std::to_string(input_bytes) + " bytes; the limit is " +
                                   std::to_string(options_.limits.max_payload_bytes) +
                                   " (engine_limits::max_payload_bytes)");
        // The run that holds the workflow id now: in memory while open or closing, else the newest in the database.
        run_state* current = find_open_run(ns_id, options.id);
        std::optional<execution_row> latest;
        if (!current) latest = store_->reads().find_latest_run(ns_id, options.id);
        const compact_id* current_request = current ? &current->request_id : latest ? &latest->request_id : nullptr;
        const std::string current_run = current ? current->run_id.str() : latest ? latest->run_id.str() : "";
        const std::string current_chain = current  ? current->first_run_id_or_own()
                                          : latest ? latest->first_run_id_or_own()
                                                   : "";
        if (!options.request_id.empty() && current_request && *current_request == options.request_id) {
            // A retried start: the same run, never a second one.
            unit.effects.emplace_back([cb = std::move(cb), ref = started_run{options.id, current_run, current_chain}](
                                          std::exception_ptr e) mutable { cb(e, ref); });
            commit(std::move(unit));
            return;
        }
        if (current && current->status == run_status::running) {
            switch (options.id_conflict) {
            case id_conflict_policy::fail:
                throw workflow_already_started("workflow id " + options.id + " is already running (run " +
                                                   current->run_id.str() +
                                                   "); use id_conflict_policy::use_existing to attach to it, or "
                                                   "another id",
                                               current->run_id.str());
            case id_conflict_policy::use_existing:
                unit.effects.emplace_back([cb = std::move(cb), ref = started_run{options.id, current->run_id.str(),
                                                                                 current->first_run_id_or_own()}](
                                              std::exception_ptr e) mutable { cb(e, ref); });
                commit(std::move(unit));
                return;
            case id_conflict_policy::terminate_existing:
                terminate_run(*current, "terminated by a new start with id_conflict_policy::terminate_existing", unit);
                break;
            }
        } else {
            const auto closed = current  ? std::optional(current->status)
                                : latest ? std::optional(latest->status)
                                         : std::nullopt;
            if (closed && options.id_reuse == id_reuse_policy::reject_duplicate)
                throw workflow_already_started("workflow id " + options.id + " was used by run " + current_run + " (" +
                                                   status_word(*closed) +
                                                   ") and id_reuse_policy::reject_duplicate forbids reusing it; "
                                                   "get its result with client.get_handle(id).get()",
                                               current_run);
            if (closed && options.id_reuse == id_reuse_policy::allow_duplicate_failed_only &&
                (*closed == run_status::completed || *closed == run_status::continued_as_new))
                throw workflow_already_started("workflow id " + options.id + " was used by run " + current_run +
                                                   ", which completed; id_reuse_policy::allow_duplicate_failed_only "
                                                   "allows a new run only after a failure",
                                               current_run);
        }
        run_spec spec;
        spec.id.ns_id = ns_id;
        spec.id.workflow_id = options.id;
        spec.id.workflow_type = type;
        spec.id.task_queue = options.task_queue;
        spec.id.request_id = options.request_id;
        spec.id.run_timeout_ms =
            (options.run_timeout.count() > 0 ? options.run_timeout : options.execution_timeout).count();
        spec.id.retry = options.retry;
        spec.id.memo = std::move(options.memo);
        spec.id.search_attributes = std::move(attributes);
        spec.input = std::move(input);
        spec.input_json = std::move(input_json);
        spec.execution_timeout = options.execution_timeout;
        auto& r = create_run(std::move(spec), unit);
        r.pending.back().on_recorded.emplace_back(
            [cb = std::move(cb), ref = started_run{r.workflow_id, r.run_id.str(), r.first_run_id_or_own()}](
                std::exception_ptr e) mutable { cb(e, ref); });
        if (first_signal) r.pending.push_back(std::move(*first_signal));
        begin_run(r, unit);
        commit(std::move(unit));
    } catch (...) {
        for (auto& fx : unit.effects) fx(std::current_exception());
        cb(std::current_exception(), {});
    }
}

run_state& engine_core::create_run(run_spec spec, write_unit&) {
    auto owned = std::make_unique<run_state>();
    auto& r = *owned;
    r.identity() = std::move(spec.id);
    // The policy the run keeps is the one its history records and its row gives back after a
    // restart: with Temporal's defaults filled in (a maximum interval of 0 is 100 x initial).
    if (r.retry) r.retry = with_defaults(*r.retry);
    r.run_key = lifecycle_.runs().next_key();
    if (r.run_id.empty()) r.run_id = new_uuid();
    r.start_time_us = now_us();
    if (r.request_id.empty()) r.request_id = new_uuid();
    if (!r.execution_deadline_us && spec.execution_timeout.count() > 0)
        r.execution_deadline_us = r.start_time_us + spec.execution_timeout.count() * 1000;

    boost::json::object attrs{{"workflow_type", {{"name", r.workflow_type}}},
                              {"task_queue", {{"name", r.task_queue}}},
                              {"input", std::move(spec.input)},
                              {"workflow_execution_timeout", format_duration(spec.execution_timeout)},
                              {"workflow_run_timeout", format_duration(std::chrono::milliseconds(r.run_timeout_ms))},
                              {"attempt", r.attempt},
                              {"first_execution_run_id", r.first_run_id_or_own()},
                              {"original_execution_run_id", r.run_id.str()},
                              {"request_id", r.request_id.str()},
                              {"identity", "perdure"}};
    if (!r.memo->empty()) attrs["memo"] = *r.memo;
    if (!r.search_attributes->empty()) attrs["search_attributes"] = {{"indexed_fields", to_json(*r.search_attributes)}};
    if (spec.task_timeout.count() > 0) attrs["workflow_task_timeout"] = format_duration(spec.task_timeout);
    if (r.retry) attrs["retry_policy"] = to_json(*r.retry);
    if (!spec.continued_run_id.empty()) attrs["continued_execution_run_id"] = spec.continued_run_id;
    if (spec.initiator) attrs["initiator"] = spec.initiator;
    if (spec.first_task_backoff_ms > 0)
        attrs["first_workflow_task_backoff"] = format_duration(std::chrono::milliseconds(spec.first_task_backoff_ms));
    if (r.parent.run_key) {   // every run of a child's chain names its parent, as Temporal's do
        attrs["parent_workflow_execution"] = {{"workflow_id", *r.parent_workflow_id}, {"run_id", *r.parent_run_id}};
        attrs["parent_initiated_event_id"] = r.parent.initiated_event_id;
    }
    if (!r.root_run_id->empty())
        attrs["root_workflow_execution"] = {{"workflow_id", *r.root_workflow_id}, {"run_id", *r.root_run_id}};
    if (!r.callbacks->empty()) {
        boost::json::array callbacks;
        for (const auto& cb : *r.callbacks)
            callbacks.push_back(
                {{"nexus", {{"url", "temporal://system"}, {"header", {{"nexus-operation-token", cb.token}}}}},
                 {"links", spec.links}});
        attrs["completion_callbacks"] = std::move(callbacks);
    }
    if (!spec.links.empty()) attrs["links"] = spec.links;

    inbound started{event{0, event_type::workflow_execution_started, r.start_time_us, std::move(attrs)}};
    if (!spec.input_json.empty())
        started.serialized_member = "input", started.serialized_json = std::move(spec.input_json);
    started.ops.emplace_back(insert_execution{r.identity()});
    auto add_deadline = [&](deadline_kind k, std::int64_t due) {
        started.ops.emplace_back(insert_deadline{{r.run_key, k, 0, due}});
        arm(static_cast<wheel_kind>(k), r.run_key, 0, due);
    };
    if (r.execution_deadline_us) add_deadline(deadline_kind::execution_timeout, r.execution_deadline_us);
    if (const std::int64_t due = r.start_time_us + r.run_timeout_ms * 1000;
        r.run_timeout_ms > 0 && (!r.execution_deadline_us || due < r.execution_deadline_us))
        add_deadline(deadline_kind::run_timeout, due);
    if (spec.first_task_backoff_ms > 0) {
        r.in_backoff = true;
        add_deadline(deadline_kind::workflow_backoff, r.start_time_us + spec.first_task_backoff_ms * 1000);
    }
    r.pending.push_back(std::move(started));

    return lifecycle_.runs().add(std::move(owned));
}

run_state& engine_core::running_target(const std::string& ns, const std::string& wid, const std::string& rid,
                                       const std::string& first_run_id) {
    auto* r = find_open_run(namespace_id(ns), wid);
    if (!r || r->status != run_status::running || (!rid.empty() && r->run_id != rid) ||
        (!first_run_id.empty() && r->first_run_id_or_own() != first_run_id))
        throw not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") +
                        " is not running in namespace " + ns +
                        (first_run_id.empty() ? "" : " as part of the chain that began with run " + first_run_id));
    return *r;
}

void engine_core::terminate_workflow(std::string ns, std::string workflow_id, std::string run_id,
                                     std::string first_run_id, std::string reason, callback<bool> cb) {
    if (standing_by())
        return message_via_owner(
            workflow_terminate_command{{ns, workflow_id, run_id}, std::move(reason), std::move(first_run_id)},
            std::move(cb));
    if (auto e = unavailable()) return cb(e, false);
    post([this, ns = std::move(ns), wid = std::move(workflow_id), rid = std::move(run_id),
          chain = std::move(first_run_id), reason = std::move(reason), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return terminate_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(chain),
                                      std::move(reason), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        try {
            write_unit unit;
            terminate_run(running_target(ns, wid, rid, chain), reason.empty() ? "terminated" : reason, unit);
            unit.effects.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
            commit(std::move(unit));
        } catch (...) {
            cb(std::current_exception(), false);
        }
    });
}

void engine_core::cancel_workflow(std::string ns, std::string workflow_id, std::string run_id, std::string first_run_id,
                                  callback<bool> cb) {
    if (standing_by())
        return message_via_owner(workflow_cancel_command{{ns, workflow_id, run_id}, std::move(first_run_id)},
                                 std::move(cb));
    if (auto e = unavailable()) return cb(e, false);
    post([this, ns = std::move(ns), wid = std::move(workflow_id), rid = std::move(run_id),
          chain = std::move(first_run_id), cb = std::move(cb)]() mutable {
        if (standing_by_)
            return cancel_workflow(std::move(ns), std::move(wid), std::move(rid), std::move(chain), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        try {
            const auto ns_id = namespace_id(ns);
            auto* r = find_open_run(ns_id, wid);
            if (!r || r->status != run_status::running || (!rid.empty() && r->run_id != rid))
                return cancel_closed_run(ns, ns_id, std::move(wid), std::move(rid), std::move(cb));
            auto& target = running_target(ns, wid, rid, chain);
            if (target.inst || target.cancel_requested) return request_cancel(target, std::move(cb));
            // Whether its history holds a cancel request already is known to an instance; without
            // one (evicted, or not replayed since a reopen), the history says.
            read_stored_run(ns_id, wid, target.run_id.str(),
                            [this, key = target.run_key, cb = std::move(cb)](std::exception_ptr error,
                                                                             std::optional<stored_run> run) mutable {
                                if (error) return cb(error, false);
                                auto* r = find_run(key);
                                if (!r || r->status != run_status::running) return cb(nullptr, true);   // closed since
                                if (run)
                                    for (const auto& e : run->history)
                                        if (e.type == event_type::workflow_execution_cancel_requested)
                                            r->cancel_requested = true;
                                request_cancel(*r, std::move(cb));
                            });
        } catch (...) {
            cb(std::current_exception(), false);
        }
    });
}

void engine_core::request_cancel(run_state& r, callback<bool> cb) {
    inbound in{event{0, event_type::workflow_execution_cancel_requested, now_us(), {{"identity", "perdure"}}}};
    in.on_recorded.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
    deliver(r, std::move(in));
}

/// Temporal answers a cancel of a run that has closed with success and changes nothing; a
/// workflow that never ran is not found.
void engine_core::cancel_closed_run(const std::string& ns, std::int64_t ns_id, std::string wid, std::string rid,
                                    callback<bool> cb) {
    read_stored_run(
        ns_id, wid, rid,
        [ns, wid, rid, cb = std::move(cb)](std::exception_ptr error, std::optional<stored_run> run) mutable {
            if (error) return cb(error, false);
            if (run) return cb(nullptr, true);
            cb(std::make_exception_ptr(not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") +
                                                 " does not exist in namespace " + ns)),
               false);
        });
}

}   // namespace perdure::detail
