// Cancel requests as outbox rows. An activity's or a Nexus operation's cancel request is a
// tasks row committed with its CancelRequested event; it stays until the cancel has done its
// work (the activity closed; the handler's cancel request committed, or the operation ended
// first), so a crash in between delivers it after reopening. Also the order of recovery.
#include "runtime/core.hpp"
#include "runtime/failpoint.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <limits>
#include <map>
#include <set>

namespace perdure::detail {
namespace {

struct cancel_request {
    std::string target;   ///< "activity" or "nexus"
    std::int64_t scheduled_event_id = 0, requested_event_id = 0;
};

std::optional<cancel_request> cancel_request_of(const task_row& row) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(row.details, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    const auto* target = o.if_contains("target");
    const auto* sched = o.if_contains("scheduled_event_id");
    const auto* requested = o.if_contains("requested_event_id");
    if (!target || !target->is_string() || !sched || !sched->is_int64() || !requested || !requested->is_int64())
        return std::nullopt;
    return cancel_request{std::string(target->get_string()), sched->get_int64(), requested->get_int64()};
}

}   // namespace

void engine_core::record_cancel_request(run_state& r, const char* target, std::int64_t scheduled_event_id,
                                        std::int64_t requested_event_id, write_unit& unit) {
    const std::int64_t seq = next_delivery_seq_--;
    cancel_rows_[{r.run_key, scheduled_event_id}] = seq;
    const boost::json::object details{
        {"target", target}, {"scheduled_event_id", scheduled_event_id}, {"requested_event_id", requested_event_id}};
    unit.ops.emplace_back(upsert_task{{r.run_key, seq, task_kind::cancel, 0, 0, boost::json::serialize(details)}});
}

void engine_core::request_activity_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    if (!activities_.tracks({r.run_key, sched})) return;   // it closed meanwhile: nothing to cancel
    // An outbox row committed with the request: after a crash, the attempt that runs next sees it.
    record_cancel_request(r, "activity", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched](std::exception_ptr err) {
        failpoint("activity-cancel-requested");
        if (auto* run = find_run(key); run && !err) activities_.cancel(*run, sched);
    });
}

void engine_core::forget_cancel_request(const task_key& target, std::vector<write_op>& ops) {
    auto it = cancel_rows_.find(target);
    if (it == cancel_rows_.end()) return;
    ops.emplace_back(delete_task{target.run_key, it->second});
    cancel_rows_.erase(it);
}

void engine_core::forget_cancel_requests_of(std::int64_t run_key) {
    // Their rows go with the run's other work (clear_run_work).
    cancel_rows_.erase(cancel_rows_.lower_bound({run_key, std::numeric_limits<std::int64_t>::min()}),
                       cancel_rows_.lower_bound({run_key + 1, std::numeric_limits<std::int64_t>::min()}));
}

void engine_core::recover_tasks(const std::vector<task_row>& tasks) {
    // Cancel requests first, so the activity or operation they address knows of them.
    std::map<task_key, cancel_request> cancels;
    std::set<task_key> unstarted_operations;
    for (const auto& t : tasks) {
        if (t.kind == task_kind::nexus) unstarted_operations.insert({t.run_key, t.seq});
        if (t.kind == task_kind::cancel)
            if (auto c = cancel_request_of(t); c && find_run(t.run_key)) {
                cancel_rows_[{t.run_key, c->scheduled_event_id}] = t.seq;
                cancels.emplace(task_key{t.run_key, c->scheduled_event_id}, std::move(*c));
            }
    }
    // An operation that had started (or whose Started is still in the outbox) hears its cancel
    // once its Started is recorded; one that has not started, when it starts.
    for (const auto& [key, c] : cancels)
        if (auto* r = find_run(key.run_key);
            r && c.target == "nexus" && r->status == run_status::running && !unstarted_operations.contains(key))
            nexus_.resume_cancel(*r, key.seq, c.requested_event_id);
    for (const auto& t : tasks) {
        const auto c = cancels.find({t.run_key, t.seq});
        const bool cancel =
            c != cancels.end() && c->second.target == (t.kind == task_kind::nexus ? "nexus" : "activity");
        switch (t.kind) {
        case task_kind::delivery: redeliver(t); break;
        case task_kind::nexus:
        case task_kind::activity:
            if (auto* r = find_run(t.run_key))
                if (auto scheduled = store_->reads().event_at(t.run_key, t.seq)) {
                    if (t.kind == task_kind::nexus)
                        nexus_.recover(*r, *scheduled, t, cancel ? c->second.requested_event_id : 0);
                    else
                        activities_.recover(*r, *scheduled, t, cancel);
                }
            break;
        case task_kind::cancel: break;
        }
    }
}

}   // namespace perdure::detail
