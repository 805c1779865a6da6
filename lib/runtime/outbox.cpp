// The outbox's rows: a message goes out with the event that caused it and is dispatched after
// that commit; a cancel request's row lives from its CancelRequested event until the cancel
// has done its work (the activity closed; the handler's cancel request committed, or the
// operation ended first), so a crash in between delivers it after reopening.
#include "runtime/outbox.hpp"

#include "codec/json_member.hpp"
#include "codec/json_parse.hpp"
#include "runtime/failpoint.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>

namespace perdure::detail {
namespace {

std::optional<cancel_request> cancel_request_of(const task_row& row) {
    boost::system::error_code ec;
    const auto v = detail::parse_json(row.details, ec);
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

void outbox::continue_seqs_below(std::int64_t min_task_seq) {
    next_seq_ = std::min<std::int64_t>(-1, min_task_seq - 1);
}

// ---------------------------------------------------------------- messages

void outbox::send(std::int64_t target, event_type type, boost::json::object attrs, write_unit& unit,
                  const char* payload) {
    const std::int64_t seq = next_seq_--;
    message m{type, std::move(attrs), nullptr, {}};
    if (const auto* value = payload ? m.attrs.if_contains(payload) : nullptr)
        m.payload = payload, m.payload_json = boost::json::serialize(*value);
    // The row's text is what serialize() makes of {"type":N,"attrs":{...}}; recovery parses it.
    std::string details = "{\"type\":" + std::to_string(static_cast<int>(type)) + ",\"attrs\":";
    if (m.payload)
        append_with_member(details, m.attrs, m.payload, m.payload_json);
    else
        details += boost::json::serialize(m.attrs);
    details += '}';
    unit.ops.emplace_back(upsert_task{{target, seq, task_kind::delivery, 0, 0, std::move(details)}});
    if (type == event_type::nexus_operation_started || type == event_type::nexus_operation_completed)
        unit.effects.emplace_back([type](std::exception_ptr e) {
            if (!e)
                failpoint(type == event_type::nexus_operation_started ? "nexus-started-not-recorded"
                                                                      : "nexus-completed-not-recorded");
        });
    if (const auto* r = host_.find_run(target); r && r->status == run_status::running) {
        // Both runs share this engine's store: the target records the message in a unit queued
        // after this one, mostly in the same batch. The row covers a crash between two batches.
        unit.on_queued.emplace_back(
            [this, target, seq, m = std::move(m)]() mutable { dispatch(target, seq, std::move(m)); });
        return;
    }
    unit.effects.emplace_back([this, target, seq, m = std::move(m)](std::exception_ptr e) mutable {
        if (!e) dispatch(target, seq, std::move(m));
    });
}

void outbox::dispatch(std::int64_t target, std::int64_t seq, message m) {
    auto* r = host_.find_run(target);
    if (!r || r->status != run_status::running) {
        // The target closed: the message has nowhere to go.
        write_unit unit;
        unit.ops.emplace_back(delete_task{target, seq});
        host_.commit(std::move(unit));
        return;
    }
    inbound in{event{0, m.type, host_.now_us(), std::move(m.attrs)}};
    in.ops.emplace_back(delete_task{target, seq});
    if (m.payload) in.serialized_member = m.payload, in.serialized_json = std::move(m.payload_json);
    host_.deliver(*r, std::move(in));
}

void outbox::redeliver(const task_row& row) {
    const auto details = detail::parse_json(row.details).as_object();
    const auto type = event_type_from_number(static_cast<int>(details.at("type").as_int64()));
    if (!type) return;
    dispatch(row.run_key, row.seq, {*type, details.at("attrs").as_object()});
}

// ---------------------------------------------------------------- cancel requests

void outbox::record_cancel_request(run_state& r, const char* target, std::int64_t scheduled_event_id,
                                   std::int64_t requested_event_id, write_unit& unit) {
    const std::int64_t seq = next_seq_--;
    cancel_rows_[{r.run_key, scheduled_event_id}] = seq;
    const boost::json::object details{
        {"target", target}, {"scheduled_event_id", scheduled_event_id}, {"requested_event_id", requested_event_id}};
    unit.ops.emplace_back(upsert_task{{r.run_key, seq, task_kind::cancel, 0, 0, boost::json::serialize(details)}});
}

void outbox::forget_cancel_request(const task_key& target, std::vector<write_op>& ops) {
    auto it = cancel_rows_.find(target);
    if (it == cancel_rows_.end()) return;
    ops.emplace_back(delete_task{target.run_key, it->second});
    cancel_rows_.erase(it);
}

void outbox::drop_run(std::int64_t run_key) {
    const auto [first, end] = run_range(cancel_rows_, run_key);
    cancel_rows_.erase(first, end);
}

std::map<task_key, cancel_request> outbox::recover_cancel_requests(const std::vector<task_row>& tasks) {
    std::map<task_key, cancel_request> cancels;
    for (const auto& t : tasks)
        if (t.kind == task_kind::cancel)
            if (auto c = cancel_request_of(t); c && host_.find_run(t.run_key)) {
                cancel_rows_[{t.run_key, c->scheduled_event_id}] = t.seq;
                cancels.emplace(task_key{t.run_key, c->scheduled_event_id}, std::move(*c));
            }
    return cancels;
}

}   // namespace perdure::detail
