// The caller side of Nexus operations: resolving the endpoint when the operation is
// scheduled, one attempt after another (routed by endpoint id each time) with Temporal's
// backoff and circuit breaker, and the three timeouts.
#include "runtime/nexus_dispatcher.hpp"

#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "nexus/attempt_decision.hpp"
#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"
#include "nexus/token.hpp"
#include "runtime/failpoint.hpp"
#include "runtime/uuid.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/json/serialize.hpp>

#include <random>

namespace perdure::detail {
namespace {

std::int64_t ms_of(const boost::json::object& o, const char* key) {
    return parse_duration(text(o, key)).value_or(std::chrono::milliseconds(0)).count();
}

}   // namespace

failure caller_failure(const nexus_op& op, failure cause) {
    return wrap_nexus_failure(op.endpoint, op.service, op.operation, op.token, op.key.seq, std::move(cause));
}

std::optional<task_failure> nexus_dispatcher::prepare_schedule(command& c) const {
    const auto name = text(c.attrs, "endpoint");
    const auto* ep = endpoints_.by_name(name);
    if (!ep)
        return task_failure{task_failure::cause::bad_command,
                            "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: endpoint \"" + name +
                                "\" not found; create it with engine.nexus_endpoints().ensure({.name = \"" + name +
                                "\", ...}) (the workflow task is retried)"};
    if (const auto* in = c.attrs.if_contains("input");
        in && boost::json::serialize(*in).size() > settings_.max_payload_bytes)
        return task_failure{task_failure::cause::bad_command,
                            "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: the operation input is larger than the payload "
                            "limit of " +
                                std::to_string(settings_.max_payload_bytes) +
                                " bytes (engine_limits::max_payload_bytes)",
                            true};
    c.attrs["endpoint_id"] = ep->id;
    c.attrs["request_id"] = new_uuid();   // minted once; every attempt carries it
    return std::nullopt;
}

nexus::operation_context nexus_dispatcher::handler_context(const nexus_op& op, std::string ns) {
    // What a handler is told about an attempt: the operation, its request id, its namespace.
    nexus::operation_context ctx;
    ctx.service = op.service;
    ctx.operation = op.operation;
    ctx.request_id = op.request_id;
    ctx.ns = std::move(ns);
    host_.attach_engine(ctx);
    return ctx;
}

nexus::operation_context nexus_dispatcher::attempt_context(const nexus_op& op, const std::string& handler_ns) {
    auto ctx = handler_context(op, handler_ns);
    for (const auto& [k, v] : op.header)
        if (v.is_string()) ctx.header[k] = v.get_string();
    if (const auto* caller = host_.find_run(op.key.run_key))
        ctx.links.push_back({workflow_event_url(host_.namespace_name(caller->ns_id), caller->workflow_id,
                                                caller->run_id.str(), op.key.seq, "NexusOperationScheduled"),
                             workflow_event_link_type});
    return ctx;
}

void nexus_dispatcher::track(run_state& r, const event& e, int attempt, std::int64_t due_us, write_unit* unit) {
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
        host_.arm(static_cast<wheel_kind>(k), key.run_key, key.seq, due);
    };
    deadline(deadline_kind::nexus_schedule_to_close, op.schedule_to_close_ms);
    deadline(deadline_kind::nexus_schedule_to_start, op.schedule_to_start_ms);
    if (unit) {
        unit->ops.emplace_back(upsert_task{{key.run_key, key.seq, task_kind::nexus, attempt, due_us, ""}});
        unit->effects.emplace_back([this, key](std::exception_ptr err) {
            if (!err) dispatch(key);
        });
    }
    if (due_us > host_.now_us()) {
        op.st = nexus_op::state::backing_off;
        host_.arm(wheel_kind::nexus_retry, key.run_key, key.seq, due_us);
    }
    ops_.insert_or_assign(key, std::move(op));
}

void nexus_dispatcher::dispatch(const task_key& key) {
    auto it = ops_.find(key);
    if (it == ops_.end() || !host_.accepting_work()) return;
    failpoint("nexus-scheduled-not-delivered");
    auto& op = it->second;
    if (op.st == nexus_op::state::running || op.st == nexus_op::state::started || op.handler_running) return;
    op.st = nexus_op::state::scheduled;
    const std::int64_t now = host_.now_us();
    const auto* ep = endpoints_.by_id(op.endpoint_id);
    const auto target_ns = ep ? host_.find_namespace(ep->spec.target_namespace) : std::nullopt;
    // An override stands in for the operation wherever the endpoint points, served or not.
    const auto replacement = workers_.nexus_operation_override(op.service, op.operation);
    std::optional<nexus::detail::operation_definition> def;
    auto presence = handler_presence::no_target_namespace;
    if (target_ns) {
        const auto& queue = ep->spec.target_task_queue;
        const bool served = replacement || workers_.serves_nexus(*target_ns, queue);
        if (replacement)
            def = replacement->operation;
        else if (served)
            def = workers_.nexus_operation(*target_ns, queue, op.service, op.operation);
        if (def)
            presence = handler_presence::ready;
        else if (served)
            presence = handler_presence::no_operation;
        else   // served elsewhere, or by nobody: the engine that claims the offer answers, as a
               // Temporal worker polling the queue would, within the request timeout
            presence = settings_.offer_unserved ? handler_presence::ready : handler_presence::no_worker;
    }
    const auto d = decide_attempt({.now_us = now,
                                   .scheduled_us = op.scheduled_us,
                                   .schedule_to_start_ms = op.schedule_to_start_ms,
                                   .schedule_to_close_ms = op.schedule_to_close_ms,
                                   .endpoint = ep,
                                   .limiter = guards_.find_limiter(op.endpoint_id),
                                   .breaker = guards_.find_breaker(op.ns_id, op.endpoint_id),
                                   .handler = presence});
    switch (d.what) {
    case attempt_decision::action::time_out:
        return deliver_outcome(op, event_type::nexus_operation_timed_out,
                               {{"failure", caller_failure(op, operation_timeout(d.timed_out)).to_json()}});
    case attempt_decision::action::fail: {
        auto why =
            refusal_failure(d.why, op.service, op.operation, ep ? std::string_view(ep->spec.target_task_queue) : "");
        return deliver_outcome(op, event_type::nexus_operation_failed,
                               {{"failure", caller_failure(op, std::move(why)).to_json()}});
    }
    case attempt_decision::action::wait_for_token:
        op.waiting_for = "the endpoint's rate limit (max_operations_per_second)";
        host_.arm(wheel_kind::nexus_retry, key.run_key, key.seq, d.retry_at_us);
        return;
    case attempt_decision::action::blocked_by_breaker:
        op.st = nexus_op::state::blocked;
        op.waiting_for = "The circuit breaker is open.";
        host_.arm(wheel_kind::nexus_retry, key.run_key, key.seq, d.retry_at_us);
        return;
    case attempt_decision::action::wait_for_worker:
        op.waiting_for = "no worker serves the endpoint's target task queue";
        return;   // dispatched again when workers change, bounded by its timeouts
    case attempt_decision::action::run: op.waiting_for.clear(); break;
    }
    op.pass = guards_.begin_attempt(op.ns_id, op.endpoint_id, ep->spec.max_operations_per_second, now);
    op.offered_queue.clear();
    if (!def) return offer(op, *target_ns, ep->spec.target_task_queue, d.request_timeout_us);
    auto ctx = attempt_context(op, ep->spec.target_namespace);
    if (replacement && replacement->complete_after) {
        // An asynchronous override: started now, completed by its handler after the delay
        // without another request to the endpoint, so the start is the attempt that counts.
        op.pass.end(attempt_end::succeeded, now);
        write_unit unit;
        send_started(op, replacement->token_prefix + op.request_id, {}, unit);
        host_.commit(std::move(unit));
        host_.arm(wheel_kind::nexus_deferred_completion, key.run_key, key.seq,
                  now + std::chrono::duration_cast<std::chrono::microseconds>(*replacement->complete_after).count());
        return;
    }
    if (def->sync) return run_sync_handler(op, *def, std::move(ctx), d.request_timeout_us);
    run_start_handler(op, *def, std::move(ctx), *target_ns, ep->spec.target_task_queue, d.request_timeout_us);
}

void nexus_dispatcher::attempt_failed(nexus_op& op, failure f) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::int64_t delay = nexus_retry_delay_us(op.attempt, rng());
    op.last_failure = std::move(f);
    ++op.attempt;
    op.st = nexus_op::state::backing_off;
    const std::int64_t due = host_.now_us() + delay;
    op.next_attempt_us = due;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{{op.key.run_key, op.key.seq, task_kind::nexus, op.attempt, due, ""}});
    withdraw_offer(op, unit);
    host_.commit(std::move(unit));
    host_.arm(wheel_kind::nexus_retry, op.key.run_key, op.key.seq, due);
}

void nexus_dispatcher::deliver_outcome(nexus_op& op, event_type type, boost::json::object attrs,
                                       std::string result_json) {
    attrs["scheduled_event_id"] = op.key.seq;
    attrs["request_id"] = op.request_id;
    withdraw_offer(op);   // a timeout or a cancel ended it while it was offered
    const auto key = op.key;
    auto* r = host_.find_run(key.run_key);
    if (r && r->status == run_status::running) {
        inbound in{event{0, type, host_.now_us(), std::move(attrs)}};
        if (!result_json.empty()) in.serialized_member = "result", in.serialized_json = std::move(result_json);
        host_.deliver(*r, std::move(in));   // on_delivered cleans up
    } else {
        ops_.erase(key);
    }
}

void nexus_dispatcher::on_deadline(const task_key& key, wheel_kind kind) {
    auto it = ops_.find(key);
    if (kind == wheel_kind::nexus_retry) {
        if (it != ops_.end()) dispatch(key);
        return;
    }
    if (it == ops_.end()) {
        // A started operation from before a restart: rebuild what the failure names from history.
        auto* r = host_.find_run(key.run_key);
        if (!r || r->status != run_status::running || kind == wheel_kind::nexus_request_timeout) return;
        if (ending_.contains(key)) return;   // its outcome is on its way to the file
        const auto seen = recorded_progress(key);
        if (!seen.scheduled || seen.ended) return;   // nothing happens to an operation after its outcome
        track(*r, *seen.scheduled, 1, 0, nullptr);
        it = ops_.find(key);
        it->second.st = nexus_op::state::started;
    }
    auto& op = it->second;
    switch (kind) {
    case wheel_kind::nexus_deferred_completion: {
        const auto* ep = endpoints_.by_id(op.endpoint_id);
        const auto replacement = workers_.nexus_operation_override(op.service, op.operation);
        if (!ep || !replacement) return;
        return run_sync_handler(op, replacement->operation, handler_context(op, ep->spec.target_namespace),
                                nexus_request_timeout_us);
    }
    case wheel_kind::nexus_request_timeout: {
        if (op.st != nexus_op::state::running) return;
        ++op.generation;   // the handler keeps running; no new attempt starts until it returns
        op.pass.end(attempt_end::destination_down, host_.now_us());
        return attempt_failed(op,
                              handler_failure(nexus::handler_error_type::upstream_timeout, "request timed out", true));
    }
    case wheel_kind::nexus_schedule_to_start:
        if (op.st == nexus_op::state::started) return;
        return deliver_outcome(
            op, event_type::nexus_operation_timed_out,
            {{"failure", caller_failure(op, operation_timeout(timeout_type::schedule_to_start)).to_json()}});
    case wheel_kind::nexus_start_to_close:
        return deliver_outcome(
            op, event_type::nexus_operation_timed_out,
            {{"failure", caller_failure(op, operation_timeout(timeout_type::start_to_close)).to_json()}});
    default:
        return deliver_outcome(
            op, event_type::nexus_operation_timed_out,
            {{"failure", caller_failure(op, operation_timeout(timeout_type::schedule_to_close)).to_json()}});
    }
}

}   // namespace perdure::detail
