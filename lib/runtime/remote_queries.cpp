// Queries of runs whose workflow runs in another engine sharing the store (remote_workflow_tasks
// says which): the owner has no instance to ask, so it offers each query in the shared task table
// as a Temporal server hands a query task to a worker polling the run's task queue; the engine
// whose worker registers the type claims it, replays the run's history, answers
// (claimed_workflow_tasks) and reports the answer through the inbox. The offer follows what the
// run queued before the query, so the answer reflects it.
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"
#include "runtime/queries_and_updates.hpp"
#include "runtime/uuid.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

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
        asked_.emplace(std::move(id), asked_query{run.run_key, seq, now, std::move(q.cb), std::move(why)});
    }
    host_.commit(std::move(unit));
}

bool queries_and_updates::answered_elsewhere(const workflow_query_answer_command& answer) {
    const auto it = asked_.find(answer.query_id);
    if (it == asked_.end() || it->second.run_key != answer.run_key) return false;
    auto cb = std::move(it->second.cb);
    asked_.erase(it);
    // Claiming the offer took it away: nothing to withdraw.
    if (!answer.failure.empty()) {
        cb(std::make_exception_ptr(query_failed_error(answer.failure)), {});
    } else {
        cb(nullptr, answer.answer);
    }
    return true;
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

void engine_core::answer_remote_query(const workflow_query_answer_command& c, const answer_sender& answer) {
    answer(nullptr, payload_answer{boost::json::object{{"answered", queries_updates_.answered_elsewhere(c)}}});
}

}   // namespace perdure::detail
