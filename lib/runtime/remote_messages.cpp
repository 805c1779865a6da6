// Queries and updates of runs whose workflow runs in another engine sharing the store
// (remote_workflow_tasks says which): the owner has no instance to ask.
// - Each query is offered in the shared task table, as a Temporal server hands a query task to a
//   worker polling the run's task queue; the engine whose worker registers the type claims it,
//   replays the run's history, answers (claimed_workflow_tasks) and reports the answer through
//   the inbox. The offer follows what the run queued before the query, so the answer reflects it.
// - Updates travel within the run's workflow task, as Temporal delivers them to the worker: the
//   offer carries them, the engine that runs the task validates each against the replayed state
//   and runs the accepted ones' handlers in the same activation, and its report says what it did
//   with each; the owner records the acceptances before the task's commands.
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"
#include "runtime/queries_and_updates.hpp"
#include "runtime/uuid.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace perdure::detail {

void queries_and_updates::ask_elsewhere(run_state& r) {
    if (!r.clients || r.clients->pending_queries.empty()) return;
    auto queries = std::exchange(r.clients->pending_queries, {});
    r.drop_clients_if_none();
    offer_elsewhere(r, std::move(queries));
}

void queries_and_updates::offer_elsewhere(const run_identity& run,
                                          std::vector<waiting_clients::query_request> queries) {
    write_unit unit;
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> ids;
    for (auto& q : queries) {
        auto id = new_uuid();
        const std::int64_t seq = next_asked_seq_--;
        const boost::json::object details{{"query_id", id}, {"name", q.name}, {"arg", q.arg}};
        unit.ops.emplace_back(offer_task{task_offer{run.run_key, seq, run.ns_id, run.task_queue, run.workflow_type, 1,
                                                    boost::json::serialize(details), task_kind::query, 0}});
        std::string why = "no engine answered the query '" + q.name + "' of workflow " + run.workflow_id + " within " +
                          std::to_string(elsewhere_patience.count()) +
                          " s; it runs in the engine whose worker registers type " + run.workflow_type +
                          " on task queue " + run.task_queue + ": check that one is running, then query again";
        ids.push_back(id);
        asked_.emplace(std::move(id), asked_query{run.run_key, seq, now, std::move(q.cb), std::move(why)});
    }
    // An offer that did not commit reaches no engine: its callers hear why at once.
    unit.effects.emplace_back([this, ids = std::move(ids)](std::exception_ptr e) {
        if (!e) return;
        for (const auto& id : ids)
            if (auto cb = take_asked(id)) cb(e, {});
    });
    host_.commit(std::move(unit));
}

bool queries_and_updates::answered_elsewhere(const workflow_query_answer_command& answer) {
    auto cb = take_asked(answer.query_id, answer.run_key);
    if (!cb) return false;
    // Claiming the offer took it away: nothing to withdraw.
    if (!answer.failure.empty()) {
        cb(std::make_exception_ptr(query_failed_error(answer.failure)), {});
    } else {
        cb(nullptr, answer.answer);
    }
    return true;
}

message_callback queries_and_updates::take_asked(const std::string& id, std::int64_t run_key) {
    const auto it = asked_.find(id);
    if (it == asked_.end() || (run_key != 0 && it->second.run_key != run_key)) return {};
    auto cb = std::move(it->second.cb);
    asked_.erase(it);
    return cb;
}

void queries_and_updates::give_up_overdue(std::chrono::steady_clock::time_point now) {
    if (asked_.empty()) return;
    write_unit unit;
    std::vector<asked_query> overdue;
    for (auto it = asked_.begin(); it != asked_.end();) {
        if (now - it->second.asked_at < elsewhere_patience) {
            ++it;
            continue;
        }
        unit.ops.emplace_back(withdraw_task{it->second.run_key, it->second.seq});
        overdue.push_back(std::move(it->second));
        it = asked_.erase(it);
    }
    if (overdue.empty()) return;
    host_.commit(std::move(unit));
    for (auto& q : overdue) q.cb(std::make_exception_ptr(query_failed_error(q.why_unanswered)), {});
}

void queries_and_updates::fail_asked(const std::exception_ptr& e) {
    for (auto& [id, q] : std::exchange(asked_, {})) q.cb(e, {});
}

void queries_and_updates::fail_asked(const run_state& r, const std::exception_ptr& e) {
    std::vector<message_callback> failed;
    for (auto it = asked_.begin(); it != asked_.end();) {
        if (it->second.run_key != r.run_key) {
            ++it;
            continue;
        }
        failed.push_back(std::move(it->second.cb));
        it = asked_.erase(it);
    }
    for (auto& cb : failed) cb(e, {});
}

bool queries_and_updates::send_updates_elsewhere(run_state& r) {
    if (!r.clients || r.clients->pending_updates.empty()) return false;
    auto& clients = *r.clients;
    bool sent = false;
    for (auto& u : std::exchange(clients.pending_updates, {})) {
        auto& waiters = clients.update_waiters[u.id];
        const bool known = !waiters.empty();   // offered, or accepted and running
        waiters.push_back(std::move(u.cb));
        if (known) continue;
        clients.offered_updates.push_back({std::move(u.name), std::move(u.id), std::move(u.arg)});
        sent = true;
    }
    return sent;
}

std::string queries_and_updates::offered_updates_details(const run_state& r) const {
    if (!r.clients || r.clients->offered_updates.empty()) return {};
    boost::json::array updates;
    for (const auto& u : r.clients->offered_updates)
        updates.push_back(boost::json::object{{"id", u.id}, {"name", u.name}, {"arg", u.arg}});
    return boost::json::serialize(boost::json::object{{"updates", std::move(updates)}});
}

std::vector<inbound> queries_and_updates::settle_updates_elsewhere(run_state& r, const boost::json::array& reported,
                                                                   std::int64_t time_us) {
    std::vector<inbound> accepted;
    if (!r.clients) return accepted;
    auto& clients = *r.clients;
    for (const auto& v : reported) {
        const auto* o = v.if_object();
        const auto* id = o ? o->if_contains("id") : nullptr;
        const auto* result = o ? o->if_contains("result") : nullptr;
        if (!id || !id->is_string() || !result || !result->is_string()) continue;
        const bool accepted_there = result->get_string() == "accepted", rejected = result->get_string() == "rejected";
        if (!accepted_there && !rejected && result->get_string() != "known") continue;
        const auto it = std::find_if(clients.offered_updates.begin(), clients.offered_updates.end(),
                                     [&](const auto& u) { return u.id == id->get_string(); });
        if (it == clients.offered_updates.end()) continue;   // not offered, or settled already
        auto request = std::move(*it);
        clients.offered_updates.erase(it);
        if (accepted_there) {
            accepted.push_back(
                inbound{update_accepted_event(request.id, request.name, std::move(request.arg), time_us)});
            continue;   // its callers hear its completion
        }
        const auto* outcome = o->if_contains("outcome");
        if (!rejected && !(outcome && outcome->is_object()))
            continue;   // known and still running there: its callers hear its completion
        auto waiters = std::move(clients.update_waiters[request.id]);
        clients.update_waiters.erase(request.id);
        for (auto& w : waiters) {
            if (rejected) {
                const auto* message = o->if_contains("message");
                w(update_rejection(request.name, message && message->is_string() ? std::string(message->get_string())
                                                                                 : "the validator refused it"),
                  {});
            } else {
                try {
                    answer_outcome(w, outcome->get_object());
                } catch (...) {
                    w(std::current_exception(), {});
                }
            }
        }
    }
    r.drop_clients_if_none();
    return accepted;
}

bool engine_core::served_elsewhere(std::int64_t ns_id, const std::string& task_queue) const {
    return store_->shares_tasks() && !workers_.has_queue(ns_id, task_queue);
}

void engine_core::answer_remote_query(const workflow_query_answer_command& c, const answer_sender& answer) {
    answer(nullptr, payload_answer{boost::json::object{{"answered", queries_updates_.answered_elsewhere(c)}}});
}

}   // namespace perdure::detail
