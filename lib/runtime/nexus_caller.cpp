// The caller side of Nexus operations: resolving the endpoint when the operation is
// scheduled, one attempt after another (routed by endpoint id each time) with Temporal's
// backoff and circuit breaker, the three timeouts, and cancellation once started.
#include "runtime/core.hpp"

#include "client/core_access.hpp"
#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "nexus/attempt_decision.hpp"
#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"
#include "nexus/token.hpp"
#include "runtime/failpoint.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/json/serialize.hpp>

#include <random>

namespace perdure::detail {
namespace {

std::int64_t ms_of(const boost::json::object& o, const char* key) {
    return parse_duration(text(o, key)).value_or(std::chrono::milliseconds(0)).count();
}

bool is_nexus_terminal(event_type t) {
    return t == event_type::nexus_operation_completed || t == event_type::nexus_operation_failed ||
           t == event_type::nexus_operation_canceled || t == event_type::nexus_operation_timed_out;
}

/// What a handler is told about an attempt: the operation, its request id, its namespace.
nexus::operation_context handler_context(const nexus_op& op, std::string ns, std::shared_ptr<engine_core> core) {
    nexus::operation_context ctx;
    ctx.service = op.service;
    ctx.operation = op.operation;
    ctx.request_id = op.request_id;
    ctx.ns = std::move(ns);
    core_access::attach(ctx, std::move(core));
    return ctx;
}

}   // namespace

failure caller_failure(const nexus_op& op, failure cause) {
    return wrap_nexus_failure(op.endpoint, op.service, op.operation, op.token, op.key.seq, std::move(cause));
}

std::optional<task_failure> engine_core::prepare_command(run_state& r, command& c) {
    prepare_close(r, c);
    if (c.kind == command_kind::upsert_search_attributes) return prepare_upsert(r, c);
    if (c.kind == command_kind::start_child_workflow) return prepare_child_start(r, c);
    if (c.kind != command_kind::schedule_nexus_operation) return std::nullopt;
    const auto name = text(c.attrs, "endpoint");
    const auto* ep = endpoints_.by_name(name);
    if (!ep)
        return task_failure{task_failure::cause::bad_command,
                            "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: endpoint \"" + name +
                                "\" not found; create it with engine.nexus_endpoints().ensure({.name = \"" + name +
                                "\", ...}) (the workflow task is retried)"};
    if (const auto* in = c.attrs.if_contains("input");
        in && boost::json::serialize(*in).size() > options_.limits.max_payload_bytes)
        return task_failure{
            task_failure::cause::bad_command,
            "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: the operation input is larger than the payload limit"};
    c.attrs["endpoint_id"] = ep->id;
    c.attrs["request_id"] = new_uuid();   // minted once; every attempt carries it
    return std::nullopt;
}

void engine_core::track_nexus(run_state& r, const event& e, int attempt, std::int64_t due_us, write_unit* unit) {
    const auto& a = e.attrs;
    nexus_op op;
    op.key = {r.run_key, e.id};
    op.ns_id = r.ns_id;
    op.endpoint = text(a, "endpoint");
    op.endpoint_id = text(a, "endpoint_id");
    op.service = text(a, "service");
    op.operation = text(a, "operation");
    op.request_id = text(a, "request_id");
    op.input = a.contains("input") ? a.at("input") : nullptr;
    if (const auto* h = a.if_contains("nexus_header"); h && h->is_object()) op.header = h->get_object();
    op.scheduled_us = e.time_us;
    op.schedule_to_close_ms = ms_of(a, "schedule_to_close_timeout");
    op.schedule_to_start_ms = ms_of(a, "schedule_to_start_timeout");
    op.start_to_close_ms = ms_of(a, "start_to_close_timeout");
    op.attempt = attempt;
    const auto key = op.key;
    auto deadline = [&](deadline_kind k, std::int64_t ms) {
        if (ms <= 0) return;
        const std::int64_t due = op.scheduled_us + ms * 1000;
        if (unit) unit->ops.emplace_back(insert_deadline{{key.run_key, k, key.seq, due}});
        arm(static_cast<wheel_kind>(k), key.run_key, key.seq, due);
    };
    deadline(deadline_kind::nexus_schedule_to_close, op.schedule_to_close_ms);
    deadline(deadline_kind::nexus_schedule_to_start, op.schedule_to_start_ms);
    if (unit) {
        unit->ops.emplace_back(upsert_task{{key.run_key, key.seq, task_kind::nexus, attempt, due_us, ""}});
        unit->effects.emplace_back([this, key](std::exception_ptr err) {
            if (!err) dispatch_nexus(key);
        });
    }
    if (due_us > now_us()) {
        op.st = nexus_op::state::backing_off;
        arm(wheel_kind::nexus_retry, key.run_key, key.seq, due_us);
    }
    nexus_ops_.insert_or_assign(key, std::move(op));
}

void engine_core::dispatch_nexus(const task_key& key) {
    auto it = nexus_ops_.find(key);
    if (it == nexus_ops_.end() || !started_ || stopping_.load() || failed_.load()) return;
    failpoint("nexus-scheduled-not-delivered");
    auto& op = it->second;
    if (op.st == nexus_op::state::running || op.st == nexus_op::state::started || op.handler_running) return;
    op.st = nexus_op::state::scheduled;
    const std::int64_t now = now_us();
    const auto* ep = endpoints_.by_id(op.endpoint_id);
    const auto target_ns = ep ? find_namespace(ep->spec.target_namespace) : std::nullopt;
    // An override stands in for the operation wherever the endpoint points, served or not.
    const auto replacement = workers_.nexus_operation_override(op.service, op.operation);
    std::optional<nexus::detail::operation_definition> def;
    auto presence = handler_presence::no_target_namespace;
    if (target_ns) {
        const auto& queue = ep->spec.target_task_queue;
        if (replacement)
            def = replacement->operation;
        else if (!workers_.serves_nexus(*target_ns, queue))
            presence = handler_presence::no_worker;
        else
            def = workers_.nexus_operation(*target_ns, queue, op.service, op.operation);
        if (def)
            presence = handler_presence::ready;
        else if (presence != handler_presence::no_worker)
            presence = handler_presence::no_operation;
    }
    const auto d = decide_attempt({.now_us = now,
                                   .scheduled_us = op.scheduled_us,
                                   .schedule_to_start_ms = op.schedule_to_start_ms,
                                   .schedule_to_close_ms = op.schedule_to_close_ms,
                                   .endpoint = ep,
                                   .limiter = nexus_guards_.find_limiter(op.endpoint_id),
                                   .breaker = nexus_guards_.find_breaker(op.ns_id, op.endpoint_id),
                                   .handler = presence});
    switch (d.what) {
    case attempt_decision::action::time_out:
        return end_nexus(op, event_type::nexus_operation_timed_out,
                         {{"failure", caller_failure(op, operation_timeout(d.timed_out)).to_json()}});
    case attempt_decision::action::fail: {
        auto why =
            refusal_failure(d.why, op.service, op.operation, ep ? std::string_view(ep->spec.target_task_queue) : "");
        return end_nexus(op, event_type::nexus_operation_failed,
                         {{"failure", caller_failure(op, std::move(why)).to_json()}});
    }
    case attempt_decision::action::wait_for_token:
        op.waiting_for = "the endpoint's rate limit (max_operations_per_second)";
        arm(wheel_kind::nexus_retry, key.run_key, key.seq, d.retry_at_us);
        return;
    case attempt_decision::action::blocked_by_breaker:
        op.st = nexus_op::state::blocked;
        op.waiting_for = "The circuit breaker is open.";
        arm(wheel_kind::nexus_retry, key.run_key, key.seq, d.retry_at_us);
        return;
    case attempt_decision::action::wait_for_worker:
        op.waiting_for = "no worker serves the endpoint's target task queue";
        return;   // dispatched again when workers change, bounded by its timeouts
    case attempt_decision::action::run: op.waiting_for.clear(); break;
    }
    auto ctx = handler_context(op, ep->spec.target_namespace, shared_from_this());
    for (const auto& [k, v] : op.header)
        if (v.is_string()) ctx.header[k] = v.get_string();
    if (const auto* caller = find_run(key.run_key))
        ctx.links.push_back({workflow_event_url(namespace_name(caller->ns_id), caller->workflow_id, caller->run_id,
                                                key.seq, "NexusOperationScheduled"),
                             workflow_event_link_type});
    op.pass = nexus_guards_.begin_attempt(op.ns_id, op.endpoint_id, ep->spec.max_operations_per_second, now);
    if (replacement && replacement->complete_after) {
        // An asynchronous override: started now, completed by its handler after the delay
        // without another request to the endpoint, so the start is the attempt that counts.
        op.pass.end(attempt_end::succeeded, now);
        write_unit unit;
        nexus_started(op, replacement->token_prefix + op.request_id, {}, unit);
        commit(std::move(unit));
        arm(wheel_kind::nexus_deferred_completion, key.run_key, key.seq,
            now + std::chrono::duration_cast<std::chrono::microseconds>(*replacement->complete_after).count());
        return;
    }
    if (def->sync) return run_sync_handler(op, *def, std::move(ctx), d.request_timeout_us);
    run_start_handler(op, *def, std::move(ctx), *target_ns, ep->spec.target_task_queue, d.request_timeout_us);
}

void engine_core::nexus_attempt_failed(nexus_op& op, failure f) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::int64_t delay = nexus_retry_delay_us(op.attempt, rng());
    op.last_failure = std::move(f);
    ++op.attempt;
    op.st = nexus_op::state::backing_off;
    const std::int64_t due = now_us() + delay;
    op.next_attempt_us = due;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{{op.key.run_key, op.key.seq, task_kind::nexus, op.attempt, due, ""}});
    commit(std::move(unit));
    arm(wheel_kind::nexus_retry, op.key.run_key, op.key.seq, due);
}

void engine_core::end_nexus(nexus_op& op, event_type type, boost::json::object attrs) {
    attrs["scheduled_event_id"] = op.key.seq;
    attrs["request_id"] = op.request_id;
    const auto key = op.key;
    auto* r = find_run(key.run_key);
    if (r && r->status == run_status::running) {
        deliver(*r, inbound{event{0, type, now_us(), std::move(attrs)}});   // on_nexus_delivered cleans up
    } else {
        nexus_ops_.erase(key);
    }
}

void engine_core::on_nexus_timeout(const task_key& key, wheel_kind kind) {
    auto it = nexus_ops_.find(key);
    if (kind == wheel_kind::nexus_retry) {
        if (it != nexus_ops_.end()) dispatch_nexus(key);
        return;
    }
    if (it == nexus_ops_.end()) {
        // A started operation from before a restart: rebuild what the failure names from history.
        auto* r = find_run(key.run_key);
        if (!r || r->status != run_status::running || kind == wheel_kind::nexus_request_timeout) return;
        if (nexus_ending_.contains(key)) return;   // its outcome is on its way to the file
        const auto seen = recorded_nexus_progress(key);
        if (!seen.scheduled || seen.ended) return;   // nothing happens to an operation after its outcome
        track_nexus(*r, *seen.scheduled, 1, 0, nullptr);
        it = nexus_ops_.find(key);
        it->second.st = nexus_op::state::started;
    }
    auto& op = it->second;
    switch (kind) {
    case wheel_kind::nexus_deferred_completion: {
        const auto* ep = endpoints_.by_id(op.endpoint_id);
        const auto replacement = workers_.nexus_operation_override(op.service, op.operation);
        if (!ep || !replacement) return;
        return run_sync_handler(op, replacement->operation,
                                handler_context(op, ep->spec.target_namespace, shared_from_this()),
                                nexus_request_timeout_us);
    }
    case wheel_kind::nexus_request_timeout: {
        if (op.st != nexus_op::state::running) return;
        ++op.generation;   // the handler keeps running; no new attempt starts until it returns
        op.pass.end(attempt_end::destination_down, now_us());
        return nexus_attempt_failed(
            op, handler_failure(nexus::handler_error_type::upstream_timeout, "request timed out", true));
    }
    case wheel_kind::nexus_schedule_to_start:
        if (op.st == nexus_op::state::started) return;
        return end_nexus(
            op, event_type::nexus_operation_timed_out,
            {{"failure", caller_failure(op, operation_timeout(timeout_type::schedule_to_start)).to_json()}});
    case wheel_kind::nexus_start_to_close:
        return end_nexus(op, event_type::nexus_operation_timed_out,
                         {{"failure", caller_failure(op, operation_timeout(timeout_type::start_to_close)).to_json()}});
    default:
        return end_nexus(
            op, event_type::nexus_operation_timed_out,
            {{"failure", caller_failure(op, operation_timeout(timeout_type::schedule_to_close)).to_json()}});
    }
}

nexus_progress engine_core::recorded_nexus_progress(const task_key& key) {
    nexus_progress p;
    for (auto& e : store_->reads().history(key.run_key, key.seq)) {
        if (e.id == key.seq) {
            if (e.type == event_type::nexus_operation_scheduled) p.scheduled = std::move(e);
            continue;
        }
        const auto* s = e.attrs.if_contains("scheduled_event_id");
        if (!s || !s->is_int64() || s->as_int64() != key.seq) continue;
        if (e.type == event_type::nexus_operation_started) {
            p.started = true;
            p.token = text(e.attrs, "operation_token");
        }
        p.ended = p.ended || is_nexus_terminal(e.type);
    }
    return p;
}

bool engine_core::on_nexus_delivered(run_state& r, inbound& in) {
    const auto* s = in.e.attrs.if_contains("scheduled_event_id");
    if (!s || !s->is_int64()) return true;
    const task_key key{r.run_key, s->as_int64()};
    const bool started = in.e.type == event_type::nexus_operation_started;
    // A message that comes too late is not recorded; its outbox row is still removed.
    auto drop = [&] {
        if (!in.ops.empty()) {
            write_unit unit;
            unit.ops = std::move(in.ops);
            commit(std::move(unit));
        }
        return false;
    };
    auto it = nexus_ops_.find(key);
    if (it == nexus_ops_.end()) {
        // Not tracked: it ended (its outcome may not be committed yet), or after a restart a
        // started operation lives only in history.
        if (nexus_ending_.contains(key)) return drop();
        auto seen = recorded_nexus_progress(key);
        if (!seen.scheduled || seen.ended || (started && seen.started)) return drop();
        if (started) {
            track_nexus(r, *seen.scheduled, 1, 0, nullptr);
            it = nexus_ops_.find(key);
        }
    } else if (started && it->second.started_recorded) {
        return drop();
    }
    if (started) {
        auto& op = it->second;
        op.st = nexus_op::state::started;
        op.started_recorded = true;
        op.token = text(in.e.attrs, "operation_token");
        disarm(wheel_kind::nexus_schedule_to_start, key.run_key, key.seq);
        in.ops.emplace_back(delete_deadline{key.run_key, deadline_kind::nexus_schedule_to_start, key.seq});
        if (op.start_to_close_ms > 0) {
            const std::int64_t due = now_us() + op.start_to_close_ms * 1000;
            in.ops.emplace_back(insert_deadline{{key.run_key, deadline_kind::nexus_start_to_close, key.seq, due}});
            arm(wheel_kind::nexus_start_to_close, key.run_key, key.seq, due);
        }
        if (op.cancel_requested)
            in.on_recorded.emplace_back([this, key, requested = op.cancel_requested_event_id](std::exception_ptr e) {
                if (auto* run = find_run(key.run_key); run && !e) cancel_nexus(*run, key.seq, requested);
            });
        return true;
    }
    if (!is_nexus_terminal(in.e.type)) return true;
    for (auto k : {wheel_kind::nexus_retry, wheel_kind::nexus_request_timeout, wheel_kind::nexus_schedule_to_close,
                   wheel_kind::nexus_schedule_to_start, wheel_kind::nexus_start_to_close})
        disarm(k, key.run_key, key.seq);
    in.ops.emplace_back(delete_task{key.run_key, key.seq});
    forget_cancel_request(key, in.ops);   // an operation that ended needs no cancel any more
    for (auto k : {deadline_kind::nexus_schedule_to_close, deadline_kind::nexus_schedule_to_start,
                   deadline_kind::nexus_start_to_close})
        in.ops.emplace_back(delete_deadline{key.run_key, k, key.seq});
    if (it != nexus_ops_.end()) nexus_ops_.erase(it);
    // Until the outcome is committed (and so readable from history), memory says it ended.
    nexus_ending_.insert(key);
    in.on_recorded.emplace_back([this, key](std::exception_ptr) { nexus_ending_.erase(key); });
    return true;
}

void engine_core::request_nexus_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    // An outbox row committed with the request: after a crash the cancel still reaches the handler.
    record_cancel_request(r, "nexus", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched, id = requested.id](std::exception_ptr err) {
        failpoint("nexus-cancel-requested");
        if (auto* run = find_run(key); run && !err && run->status == run_status::running) cancel_nexus(*run, sched, id);
    });
}

void engine_core::cancel_nexus(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id) {
    const task_key key{r.run_key, scheduled_event_id};
    auto it = nexus_ops_.find(key);
    if (it != nexus_ops_.end() && it->second.st != nexus_op::state::started) {
        // Sent once the operation has started; never sent if it ends first.
        it->second.cancel_requested = true;
        it->second.cancel_requested_event_id = requested_event_id;
        return;
    }
    std::string endpoint_id, token;
    if (it != nexus_ops_.end() && !nexus_ending_.contains(key)) {
        endpoint_id = it->second.endpoint_id;
        token = it->second.token;
    } else {
        const auto seen = recorded_nexus_progress(key);
        if (nexus_ending_.contains(key) || seen.ended) {
            // It ended before the cancel could be sent: nothing to cancel any more.
            write_unit unit;
            forget_cancel_request(key, unit.ops);
            commit(std::move(unit));
            return;
        }
        if (seen.scheduled) endpoint_id = text(seen.scheduled->attrs, "endpoint_id");
        token = seen.token;
    }
    const boost::json::object ids{{"requested_event_id", requested_event_id},
                                  {"scheduled_event_id", scheduled_event_id}};
    auto failed = [&](nexus::handler_error_type type, std::string message) {
        auto attrs = ids;
        attrs["failure"] = handler_failure(type, std::move(message), false).to_json();
        inbound in{event{0, event_type::nexus_operation_cancel_request_failed, now_us(), std::move(attrs)}};
        forget_cancel_request(key, in.ops);
        deliver(r, std::move(in));
    };
    if (!endpoints_.by_id(endpoint_id)) return failed(nexus::handler_error_type::not_found, "endpoint not registered");
    const auto target = decode_token(token);
    if (!target)
        return failed(nexus::handler_error_type::bad_request, "the operation has no workflow-run token to cancel");
    const auto ns_id = find_namespace(target->ns);
    auto* handler = ns_id ? find_open_run(*ns_id, target->workflow_id) : nullptr;
    if (!handler || handler->status != run_status::running)
        return failed(nexus::handler_error_type::not_found, "workflow " + target->workflow_id + " not found");
    // The handler's cancel request and the caller's CancelRequestCompleted are outbox rows of
    // one commit, which also retires the cancel request's own row.
    write_unit unit;
    forget_cancel_request(key, unit.ops);
    send(
        handler->run_key, event_type::workflow_execution_cancel_requested,
        {{"identity", "perdure"},
         {"cause", "the Nexus caller canceled the operation"},
         {"external_workflow_execution", {{"workflow_id", r.workflow_id}, {"run_id", r.run_id}}},
         {"links", boost::json::array{{{"url", workflow_event_url(namespace_name(r.ns_id), r.workflow_id, r.run_id,
                                                                  requested_event_id, "NexusOperationCancelRequested")},
                                       {"type", workflow_event_link_type}}}}},
        unit);
    send(r.run_key, event_type::nexus_operation_cancel_request_completed, ids, unit);
    commit(std::move(unit));
}

void engine_core::resume_nexus_cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id) {
    const auto seen = recorded_nexus_progress({r.run_key, scheduled_event_id});
    if (seen.started || seen.ended || !seen.scheduled)
        return cancel_nexus(r, scheduled_event_id, requested_event_id);   // sends it, or retires it
    // Its Started is still in the outbox: the cancel follows it when it is recorded.
    track_nexus(r, *seen.scheduled, 1, 0, nullptr);
    auto& op = nexus_ops_.at({r.run_key, scheduled_event_id});
    op.st = nexus_op::state::started;
    op.cancel_requested = true;
    op.cancel_requested_event_id = requested_event_id;
}

void engine_core::recover_nexus(const task_row& t, std::int64_t cancel_requested_event_id) {
    auto* caller = find_run(t.run_key);
    if (!caller) return;
    auto scheduled = store_->reads().event_at(t.run_key, t.seq);
    if (!scheduled) return;
    // Attempts are retried at once (a handler start is deduplicated by request id).
    track_nexus(*caller, *scheduled, t.attempt, t.due_us, nullptr);
    if (cancel_requested_event_id) {
        auto& op = nexus_ops_.at({t.run_key, t.seq});
        op.cancel_requested = true;
        op.cancel_requested_event_id = cancel_requested_event_id;
    }
    if (t.due_us <= now_us()) dispatch_nexus({t.run_key, t.seq});
}

void engine_core::drop_nexus_of(std::int64_t run_key) {
    // A caller that closes abandons its operations: no further attempts, no cancel sent.
    for (auto it = nexus_ops_.begin(); it != nexus_ops_.end();)
        it = it->first.run_key == run_key ? nexus_ops_.erase(it) : std::next(it);
}

}   // namespace perdure::detail
