// Queries (answered from the live or replayed state, never recorded) and updates (validated,
// then accepted and recorded, deduplicated by update id).
#include "runtime/queries_and_updates.hpp"

#include "replay/replayer.hpp"
#include "runtime/run_lifecycle.hpp"
#include "runtime/uuid.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <utility>

namespace perdure::detail {
namespace {

std::exception_ptr outcome_error(const boost::json::object& outcome) {
    return make_exception(failure::from_json(outcome.at("failure")));
}

/// What a closed run's history says of an update id: accepted, and its outcome once completed.
struct stored_update {
    bool accepted = false;
    std::optional<boost::json::object> outcome;
};

/// What Temporal's server answers an update of a run that has closed and never accepted it.
std::exception_ptr closed_to_updates(const std::string& closed) {
    return std::make_exception_ptr(not_found(closed + "; updates reach running workflows only"));
}

/// The outcome Temporal's server gives an update the run accepted and closed without completing:
/// a failure, since a caller that knows it was accepted expects an outcome, not an error.
boost::json::object completed_before_update() {
    const failure f{"Workflow Update failed because the Workflow completed before the Update completed.",
                    failure_kind::application,
                    {{"type", "AcceptedUpdateCompletedWorkflow"}, {"non_retryable", true}}};
    return {{"failure", f.to_json()}};
}

stored_update find_stored_update(const std::vector<event>& history, const std::string& id) {
    stored_update found;
    for (const auto& e : history) {
        if (e.type == event_type::workflow_execution_update_accepted) {
            const auto* instance = e.attrs.if_contains("protocol_instance_id");
            if (instance && instance->is_string() && instance->get_string() == id) found.accepted = true;
        } else if (e.type == event_type::workflow_execution_update_completed) {
            const auto* meta = e.attrs.if_contains("meta");
            const auto* update_id = meta && meta->is_object() ? meta->get_object().if_contains("update_id") : nullptr;
            const auto* outcome = e.attrs.if_contains("outcome");
            if (update_id && update_id->is_string() && update_id->get_string() == id && outcome && outcome->is_object())
                found.outcome = outcome->get_object();
        }
    }
    return found;
}

}   // namespace

std::string checked_payload(const boost::json::value& v, std::size_t limit, const char* what) {
    auto text = boost::json::serialize(v);
    if (text.size() > limit)
        throw invalid_argument(std::string(what) + " is " + std::to_string(text.size()) + " bytes; the limit is " +
                               std::to_string(limit) + " (engine_limits::max_payload_bytes)");
    return text;
}

std::string not_running(const std::string& wid, const std::string& rid, const std::string& ns) {
    return "workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " is not running in namespace " + ns;
}

void queries_and_updates::serve(run_state& r) {
    if (!r.has_pending_messages()) return;
    answer_queries(r);
    process_updates(r);
    r.drop_clients_if_none();
}

// ---------------------------------------------------------------- queries

void queries_and_updates::query(std::string ns, std::string wid, std::string rid, std::string name,
                                boost::json::value arg, message_callback cb) {
    std::int64_t ns_id = 0;
    try {
        ns_id = host_.namespace_id(ns);
    } catch (...) {
        return cb(std::current_exception(), {});
    }
    if (auto* r = host_.find_open_run(ns_id, wid);
        r && r->status == run_status::running && (rid.empty() || r->run_id == rid)) {
        r->clients_or_new().pending_queries.push_back({std::move(name), std::move(arg), std::move(cb)});
        return host_.request_activation(*r);   // answered once the instance is live
    }
    query_stored_run(ns_id, std::move(wid), std::move(rid), std::move(name), std::move(arg), std::move(cb));
}

void queries_and_updates::answer_queries(run_state& r) {
    auto queries = std::exchange(r.clients_or_new().pending_queries, {});
    for (auto& q : queries) {
        boost::json::value answer;
        std::exception_ptr error;
        try {
            answer = r.inst->query(q.name, q.arg);
        } catch (const query_failed_error& e) {
            // Its code failed before it got as far as registering the handler, perhaps: say so.
            error = r.task_failure_message->empty()
                        ? std::current_exception()
                        : std::make_exception_ptr(query_failed_error(
                              std::string(e.what()) + "; its workflow task is failing: " + *r.task_failure_message));
        } catch (...) {
            error = std::current_exception();
        }
        // The answer may reflect state whose events are still being committed: wait for them.
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(q.cb), answer = std::move(answer),
                                   error](std::exception_ptr e) mutable { cb(e ? e : error, std::move(answer)); });
        host_.commit(std::move(unit));
    }
}

void queries_and_updates::fail_queries(run_state& r, const std::string& why) {
    if (!r.clients && asked_.empty()) return;   // the common case: no error to make
    fail_queries(r, std::make_exception_ptr(query_failed_error(why)));
}

void queries_and_updates::fail_queries(run_state& r, std::exception_ptr e) {
    if (!asked_.empty()) fail_asked(r, e);
    if (!r.clients) return;
    for (auto& q : std::exchange(r.clients->pending_queries, {})) q.cb(e, {});
}

void queries_and_updates::query_stored_run(std::int64_t ns_id, std::string wid, std::string rid, std::string name,
                                           boost::json::value arg, message_callback cb) {
    std::string missing = "workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " not found";
    host_.read_stored_run(ns_id, std::move(wid), std::move(rid),
                          [this, missing = std::move(missing), name = std::move(name), arg = std::move(arg),
                           cb = std::move(cb)](std::exception_ptr error, std::optional<stored_run> run) mutable {
                              if (!error && !run) error = std::make_exception_ptr(not_found(missing));
                              if (error) return cb(error, {});
                              const auto& row = run->row;
                              auto inst = host_.replay_instance(row);
                              if (!inst && host_.served_elsewhere(row.ns_id, row.task_queue)) {
                                  std::vector<waiting_clients::query_request> queries;
                                  queries.push_back({std::move(name), std::move(arg), std::move(cb)});
                                  return offer_elsewhere(row, std::move(queries));
                              }
                              boost::json::value answer;
                              try {
                                  if (!inst)
                                      throw query_failed_error("no worker registers workflow type " +
                                                               row.workflow_type + " on task queue " + row.task_queue +
                                                               " to answer the query");
                                  answer = answer_by_replay(*inst, run->history, name, arg, host_.now_us());
                              } catch (...) {
                                  return cb(std::current_exception(), {});
                              }
                              cb(nullptr, std::move(answer));   // once, even if it throws
                          });
}

boost::json::value answer_by_replay(workflow_instance& inst, const std::vector<event>& history, const std::string& name,
                                    const boost::json::value& arg, std::int64_t now_us) {
    const auto unreplayable = [](const std::string& why) {
        return query_failed_error("the workflow could not be replayed: " + why);
    };
    if (!history.empty() && is_close_event(history.back().type)) {
        inst.set_closing_query(name, arg);
        auto result = replay(inst, history);
        if (result.failure) throw unreplayable(result.failure->message);
        // A run the engine closed (terminated, timed out) never ran a close command: asked as it was last.
        if (!inst.closed()) inst.answer_closing_query();
        return inst.closing_query_answer();
    }
    auto result = replay(inst, history);
    if (result.failure) throw unreplayable(result.failure->message);
    if (!result.tail.empty()) {
        // Its commands are the next workflow task's to record; the query sees the state they leave.
        auto activation = activate_live(inst, result.tail, now_us);
        if (activation.failure) throw query_failed_error("the workflow task failed: " + activation.failure->message);
    }
    return inst.query(name, arg);
}

// ---------------------------------------------------------------- updates

void queries_and_updates::update(std::string ns, std::string wid, std::string rid, std::string name,
                                 boost::json::value arg, std::string update_id, message_callback cb) {
    try {
        if (name.empty()) throw invalid_argument("an update name must not be empty");
        checked_payload(arg, max_payload_bytes_, "the update argument");
        const auto ns_id = host_.namespace_id(ns);
        auto* r = host_.find_open_run(ns_id, wid);
        if (!r || (!rid.empty() && r->run_id != rid))
            return update_stored_run(ns_id, ns, std::move(wid), std::move(rid), std::move(update_id), std::move(cb));
        if (r->status != run_status::running) {   // its close is being committed
            if (auto known = r->inst ? r->inst->update_outcome(update_id) : std::nullopt)
                return answer_outcome(cb, *known);
            std::rethrow_exception(closed_to_updates(not_running(wid, rid, ns)));
        }
        // As Temporal's server: an update would be accepted in a task that fails again, and wait
        // for good; the caller hears at once instead.
        if (!r->task_failure_message->empty())
            throw failed_precondition("workflow " + wid + " cannot take updates while its workflow task is failing (" +
                                      *r->task_failure_message + "); send it again once a task succeeds");
        if (update_id.empty()) update_id = new_uuid();
        r->clients_or_new().pending_updates.push_back(
            {std::move(name), std::move(update_id), std::move(arg), std::move(cb)});
        host_.request_activation(*r);   // validated in order once the instance is live
    } catch (...) {
        cb(std::current_exception(), {});
    }
}

void queries_and_updates::update_stored_run(std::int64_t ns_id, const std::string& ns, std::string wid, std::string rid,
                                            std::string update_id, message_callback cb) {
    auto missing = "workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " not found in namespace " + ns;
    auto closed = not_running(wid, rid, ns);
    host_.read_stored_run(ns_id, std::move(wid), std::move(rid),
                          [missing = std::move(missing), closed = std::move(closed), update_id = std::move(update_id),
                           cb = std::move(cb)](std::exception_ptr error, std::optional<stored_run> run) mutable {
                              if (error) return cb(error, {});
                              if (!run) return cb(std::make_exception_ptr(not_found(missing)), {});
                              const auto found =
                                  update_id.empty() ? stored_update{} : find_stored_update(run->history, update_id);
                              if (found.outcome) return answer_outcome(cb, *found.outcome);
                              if (found.accepted) return answer_outcome(cb, completed_before_update());
                              cb(closed_to_updates(closed), {});
                          });
}

void queries_and_updates::process_updates(run_state& r) {
    auto& clients = r.clients_or_new();
    auto requests = std::exchange(clients.pending_updates, {});
    for (auto& u : requests) {
        // A retried update id returns the first one's outcome; nothing new is recorded.
        if (auto known = r.inst->update_outcome(u.id);
            known || clients.update_waiters.contains(u.id) || r.inst->knows_update(u.id)) {
            if (known) {
                answer_outcome(u.cb, *known);
            } else {
                clients.update_waiters[u.id].push_back(std::move(u.cb));
            }
            continue;
        }
        if (auto rejection = r.inst->validate_update(u.name, u.arg)) {
            u.cb(update_rejection(u.name, *rejection), {});
            continue;
        }
        clients.update_waiters[u.id].push_back(std::move(u.cb));
        r.pending.push_back(inbound{update_accepted_event(u.id, u.name, std::move(u.arg), host_.now_us())});
    }
}

event update_accepted_event(const std::string& id, const std::string& name, boost::json::value arg,
                            std::int64_t time_us) {
    return event{0,
                 event_type::workflow_execution_update_accepted,
                 time_us,
                 {{"protocol_instance_id", id},
                  {"accepted_request_message_id", id + "/request"},
                  {"accepted_request",
                   {{"meta", {{"update_id", id}, {"identity", "perdure"}}},
                    {"input", {{"name", name}, {"args", std::move(arg)}}}}}}};
}

std::exception_ptr update_rejection(const std::string& name, const std::string& why) {
    failure f;
    f.message = "update '" + name + "' was rejected: " + why;
    f.info = {{"type", "UpdateRejected"}, {"non_retryable", true}};
    return std::make_exception_ptr(update_rejected_error(std::move(f)));
}

void answer_outcome(message_callback& cb, const boost::json::object& outcome) {
    if (outcome.contains("failure")) return cb(outcome_error(outcome), {});
    const auto* success = outcome.if_contains("success");
    cb(nullptr, success ? *success : boost::json::value());
}

void queries_and_updates::fail_updates(run_state& r, const std::string& why) {
    if (!r.clients) return;
    fail_updates(r, std::make_exception_ptr(failed_precondition(why)));
}

void queries_and_updates::abort_updates(run_state& r, const std::string& closed) {
    if (!r.clients) return;
    const auto unaccepted = closed_to_updates(closed + " before the update was accepted");
    for (auto& u : std::exchange(r.clients->pending_updates, {})) u.cb(unaccepted, {});
    r.clients->offered_updates.clear();   // their callers wait in update_waiters
    const auto outcome = completed_before_update();
    for (auto& [id, waiters] : std::exchange(r.clients->update_waiters, {}))
        for (auto& w : waiters) answer_outcome(w, outcome);
}

void queries_and_updates::fail_updates(run_state& r, std::exception_ptr e) {
    if (!r.clients) return;
    for (auto& u : std::exchange(r.clients->pending_updates, {})) u.cb(e, {});
    r.clients->offered_updates.clear();   // their callers wait in update_waiters
    for (auto& [id, waiters] : std::exchange(r.clients->update_waiters, {}))
        for (auto& w : waiters) w(e, {});
}

void queries_and_updates::update_completed(run_state& r, const event& e, write_unit& unit) {
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
            else
                answer_outcome(w, outcome);
        }
    });
}

}   // namespace perdure::detail
