// Messages to a run from clients: signals (recorded, then an activation), queries (answered
// from the live or replayed state, never recorded) and updates (validated, then accepted and
// recorded, deduplicated by update id).
#include "runtime/core.hpp"

#include "replay/replayer.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

std::string not_running(const std::string& wid, const std::string& rid, const std::string& ns) {
    return "workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " is not running in namespace " + ns;
}

/// The payload serialized, once its size is checked (the event stores this text).
std::string checked_payload(const boost::json::value& v, std::size_t limit, const char* what) {
    auto text = boost::json::serialize(v);
    if (text.size() > limit)
        throw invalid_argument(std::string(what) + " is " + std::to_string(text.size()) + " bytes; the limit is " +
                               std::to_string(limit) + " (engine_limits::max_payload_bytes)");
    return text;
}

std::exception_ptr outcome_error(const boost::json::object& outcome) {
    return make_exception(failure::from_json(outcome.at("failure")));
}

}   // namespace

void engine_core::signal_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                  boost::json::value arg, callback<bool> cb) {
    if (auto e = unavailable()) return cb(e, false);
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), cb = std::move(cb)]() mutable {
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
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), type = std::move(type), input = std::move(input), options = std::move(options),
          signal = std::move(signal), arg = std::move(arg), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        std::string arg_json;
        try {
            if (signal.empty()) throw invalid_argument("a signal name must not be empty");
            arg_json = checked_payload(arg, options_.limits.max_payload_bytes, "the signal argument");
            const auto ns_id = namespace_id(ns);
            if (auto* r = find_open_run(ns_id, options.id); r && r->status == run_status::running) {
                started_run ref{r->workflow_id, r->run_id, r->first_run_id_or_own()};
                deliver(*r, signal_event(std::move(signal), std::move(arg), std::move(arg_json),
                                         [cb = std::move(cb), ref](std::exception_ptr e) mutable { cb(e, ref); }));
                return;
            }
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        // Not running: start it with the signal recorded right after the start, in one commit.
        options.id_conflict = id_conflict_policy::fail;
        start_on_strand(std::move(ns), std::move(type), std::move(input), std::move(options), std::move(cb),
                        signal_event(std::move(signal), std::move(arg), std::move(arg_json), {}));
    });
}

// ---------------------------------------------------------------- queries

void engine_core::query_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                 boost::json::value arg, callback<boost::json::value> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        std::int64_t ns_id = 0;
        try {
            ns_id = namespace_id(ns);
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        if (auto* r = find_open_run(ns_id, wid);
            r && r->status == run_status::running && (rid.empty() || r->run_id == rid)) {
            r->clients_or_new().pending_queries.push_back({std::move(name), std::move(arg), std::move(cb)});
            return request_activation(*r);   // answered once the instance is live
        }
        query_closed_run(ns_id, std::move(wid), std::move(rid), std::move(name), std::move(arg), std::move(cb));
    });
}

void engine_core::answer_queries(run_state& r) {
    auto queries = std::exchange(r.clients_or_new().pending_queries, {});
    for (auto& q : queries) {
        boost::json::value answer;
        std::exception_ptr error;
        try {
            answer = r.inst->query(q.name, q.arg);
        } catch (...) {
            error = std::current_exception();
        }
        // The answer may reflect state whose events are still being committed: wait for them.
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(q.cb), answer = std::move(answer),
                                   error](std::exception_ptr e) mutable { cb(e ? e : error, std::move(answer)); });
        commit(std::move(unit));
    }
}

void engine_core::fail_queries(run_state& r, const std::string& why) {
    if (!r.clients) return;
    auto e = std::make_exception_ptr(query_failed_error(why));
    for (auto& q : std::exchange(r.clients->pending_queries, {})) q.cb(e, {});
}

void engine_core::query_closed_run(std::int64_t ns_id, std::string wid, std::string rid, std::string name,
                                   boost::json::value arg, callback<boost::json::value> cb) {
    work_.add(work_tracker::reader);
    store_->post_read([self = shared_from_this(), ns_id, wid, rid, name = std::move(name), arg = std::move(arg),
                       cb = std::move(cb)](store_reads& reads) mutable {
        std::optional<execution_row> row;
        std::vector<event> history;
        std::exception_ptr error;
        try {
            row = rid.empty() ? reads.find_latest_run(ns_id, wid) : reads.find_run(rid);
            if (!row || row->ns_id != ns_id || row->workflow_id != wid)
                throw not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " not found");
            history = reads.history(row->run_key);
        } catch (...) {
            error = std::current_exception();
        }
        self->post([self, row = std::move(row), history = std::move(history), error, name = std::move(name),
                    arg = std::move(arg), cb = std::move(cb)]() mutable {
            if (error) return cb(error, {});
            try {
                // Rebuild the closed run by replay and ask it while its state is still there.
                auto reg = self->workers_.workflow(row->ns_id, row->task_queue, row->workflow_type);
                if (!reg)
                    throw query_failed_error("no worker registers workflow type " + row->workflow_type +
                                             " on task queue " + row->task_queue + " to answer the query");
                workflow_info info{self->namespace_name(row->ns_id),
                                   row->workflow_id,
                                   row->run_id,
                                   row->workflow_type,
                                   row->task_queue,
                                   1,
                                   row->first_run_id_or_own(),
                                   ""};
                workflow_instance inst(reg->fn, std::move(info), 0);
                inst.set_closing_query(name, arg);
                self->replays_.fetch_add(1);
                auto result = replay(inst, history);
                if (result.failure)
                    throw query_failed_error("the workflow could not be replayed: " + result.failure->message);
                if (!inst.closed()) inst.answer_closing_query();
                cb(nullptr, inst.closing_query_answer());
            } catch (...) {
                cb(std::current_exception(), {});
            }
        });
        self->work_.done(work_tracker::reader);
    });
}

// ---------------------------------------------------------------- updates

void engine_core::update_workflow(std::string ns, std::string wid, std::string rid, std::string name,
                                  boost::json::value arg, std::string update_id, callback<boost::json::value> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, ns = std::move(ns), wid = std::move(wid), rid = std::move(rid), name = std::move(name),
          arg = std::move(arg), update_id = std::move(update_id), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        try {
            if (name.empty()) throw invalid_argument("an update name must not be empty");
            checked_payload(arg, options_.limits.max_payload_bytes, "the update argument");
            auto* r = find_open_run(namespace_id(ns), wid);
            if (!r || r->status != run_status::running || (!rid.empty() && r->run_id != rid))
                throw failed_precondition(not_running(wid, rid, ns) + "; updates reach running workflows only");
            if (update_id.empty()) update_id = new_uuid();
            r->clients_or_new().pending_updates.push_back(
                {std::move(name), std::move(update_id), std::move(arg), std::move(cb)});
            request_activation(*r);   // validated in order once the instance is live
        } catch (...) {
            cb(std::current_exception(), {});
        }
    });
}

void engine_core::process_updates(run_state& r) {
    auto& clients = r.clients_or_new();
    auto requests = std::exchange(clients.pending_updates, {});
    for (auto& u : requests) {
        // A retried update id returns the first one's outcome; nothing new is recorded.
        if (auto known = r.inst->update_outcome(u.id);
            known || clients.update_waiters.contains(u.id) || r.inst->knows_update(u.id)) {
            if (known && known->contains("failure")) {
                u.cb(outcome_error(*known), {});
            } else if (known) {
                u.cb(nullptr, known->at("success"));
            } else {
                clients.update_waiters[u.id].push_back(std::move(u.cb));
            }
            continue;
        }
        if (auto rejection = r.inst->validate_update(u.name, u.arg)) {
            failure f;
            f.message = "update '" + u.name + "' was rejected: " + *rejection;
            f.info = {{"type", "UpdateRejected"}, {"non_retryable", true}};
            u.cb(std::make_exception_ptr(update_rejected_error(std::move(f))), {});
            continue;
        }
        clients.update_waiters[u.id].push_back(std::move(u.cb));
        inbound in{event{0,
                         event_type::workflow_execution_update_accepted,
                         now_us(),
                         {{"protocol_instance_id", u.id},
                          {"accepted_request_message_id", u.id + "/request"},
                          {"accepted_request",
                           {{"meta", {{"update_id", u.id}, {"identity", "perdure"}}},
                            {"input", {{"name", u.name}, {"args", std::move(u.arg)}}}}}}}};
        r.pending.push_back(std::move(in));
    }
}

void engine_core::fail_updates(run_state& r, const std::string& why) {
    if (!r.clients) return;
    auto e = std::make_exception_ptr(failed_precondition(why));
    for (auto& u : std::exchange(r.clients->pending_updates, {})) u.cb(e, {});
    for (auto& [id, waiters] : std::exchange(r.clients->update_waiters, {}))
        for (auto& w : waiters) w(e, {});
}

void engine_core::update_completed(run_state& r, const event& e, write_unit& unit) {
    const auto* meta = e.attrs.if_contains("meta");
    if (!meta || !meta->is_object()) return;
    const std::string id = meta->at("update_id").as_string().c_str();
    if (!r.clients) return;
    auto it = r.clients->update_waiters.find(id);
    if (it == r.clients->update_waiters.end()) return;
    auto waiters = std::move(it->second);
    r.clients->update_waiters.erase(it);
    r.drop_clients_if_none();
    const auto outcome = e.attrs.at("outcome").as_object();
    unit.effects.emplace_back([waiters = std::move(waiters), outcome](std::exception_ptr err) mutable {
        for (auto& w : waiters) {
            if (err)
                w(err, {});
            else if (outcome.contains("failure"))
                w(outcome_error(outcome), {});
            else
                w(nullptr, outcome.at("success"));
        }
    });
}

}   // namespace perdure::detail
