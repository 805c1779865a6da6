// The handler side of workflow-run operations: the options callback on the Nexus handler pool,
// starting the handler workflow (deduplicated by the request id, attaching with use_existing),
// and telling callers when it closes. The handler's start and the caller's
// NexusOperationStarted (an outbox row) share one commit, as do the handler's close and its
// callbacks.
#include "runtime/nexus_dispatcher.hpp"

#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"
#include "nexus/token.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/asio/post.hpp>

namespace perdure::detail {
namespace {

boost::json::object workflow_link(const std::string& ns, const std::string& wid, const std::string& rid,
                                  std::int64_t event_id, const char* event_type) {
    return {{"url", workflow_event_url(ns, wid, rid, event_id, event_type)}, {"type", workflow_event_link_type}};
}

boost::json::object request_link(const std::string& ns, const std::string& wid, const std::string& rid,
                                 const std::string& request_id) {
    return {{"url", request_id_url(ns, wid, rid, request_id, "WorkflowExecutionOptionsUpdated")},
            {"type", workflow_event_link_type}};
}

/// What Temporal's SDK makes of a non-retryable service error (AlreadyExists, FailedPrecondition).
failure internal(std::string message) {
    return handler_failure(nexus::handler_error_type::internal, std::move(message), false);
}

}   // namespace

void nexus_dispatcher::run_start_handler(nexus_op& op, const nexus::detail::operation_definition& def,
                                         nexus::operation_context ctx, std::int64_t handler_ns_id,
                                         const std::string& task_queue, std::int64_t timeout_us) {
    // The options callback is handler code: like a sync handler it may block, so it runs on the
    // handler pool and the start continues on the strand with what it returned.
    const auto key = op.key;
    const auto gen = begin_handler_attempt(op, timeout_us);
    handler_start start{std::move(ctx), def.workflow_type, task_queue, handler_ns_id};
    boost::asio::post(*pool_, [this, to_strand = host_.handoff(), fn = def.start_options, start = std::move(start),
                               input = op.input, key, gen]() mutable {
        try {
            start.options = fn(start.ctx, input);
        } catch (...) {
            start.error = failure_of_handler_exception(std::current_exception());
        }
        to_strand(
            [this, key, gen, start = std::move(start)]() mutable { on_start_options(key, gen, std::move(start)); },
            work_tracker::handler);
    });
}

void nexus_dispatcher::on_start_options(task_key key, std::uint64_t generation, handler_start start) {
    // Meanwhile the caller may have closed, the operation ended (a timeout, a cancel before it
    // started) or this attempt been given up on; then its options start nothing.
    if (auto* op = handler_returned(key, generation)) continue_start(*op, std::move(start));
}

void nexus_dispatcher::continue_start(nexus_op& op, handler_start start) {
    if (!host_.accepting_work()) {   // the engine stops (had it failed, no operation would answer)
        op.pass.end(attempt_end::no_verdict, host_.now_us());
        op.st = nexus_op::state::scheduled;   // its task row makes the next start() attempt it again
        return;
    }
    if (start.error) return handler_failed(op, std::move(*start.error));
    if (host_.namespace_name(start.ns_id).empty()) {
        // The handler namespace was removed meanwhile: the next attempt routes afresh.
        op.pass.end(attempt_end::no_verdict, host_.now_us());
        op.st = nexus_op::state::scheduled;
        return dispatch(op.key);
    }
    start_handler_workflow(op, start);
}

void nexus_dispatcher::start_handler_workflow(nexus_op& op, handler_start& start) {
    if (auto why = invalid_handler_links(start.ctx.handler_links)) return handler_failed(op, internal(std::move(*why)));
    // The caller's Started links the handler workflow (or the attach), then what the handler added.
    auto started_links = [&](boost::json::object first) {
        boost::json::array links{std::move(first)};
        append_links(links, start.ctx.handler_links);
        return links;
    };
    auto& o = *start.options;
    const auto& ctx = start.ctx;
    const auto handler_ns_id = start.ns_id;
    const auto& default_queue = start.task_queue;
    if (o.id.empty()) {
        op.pass.end(attempt_end::no_verdict, host_.now_us());
        return deliver_outcome(
            op, event_type::nexus_operation_failed,
            {{"failure", caller_failure(op, handler_failure(nexus::handler_error_type::bad_request,
                                                            "a workflow_run_operation needs "
                                                            "start_workflow_options::id; derive it from "
                                                            "the input or the request id",
                                                            false))
                             .to_json()}});
    }
    const std::string ns = host_.namespace_name(handler_ns_id);
    const std::string token = encode_token({ns, o.id});
    const nexus_callback cb{op.key.run_key, op.key.seq, op.request_id, op.endpoint, op.service, op.operation, token};
    boost::json::array caller_links;
    for (const auto& l : ctx.links) caller_links.push_back({{"url", l.url}, {"type", l.type}});

    write_unit unit;
    auto* existing = host_.find_open_run(handler_ns_id, o.id);
    if (existing && existing->status == run_status::running) {
        const bool ours = existing->request_id == op.request_id ||
                          std::any_of(existing->callbacks->begin(), existing->callbacks->end(),
                                      [&](const nexus_callback& c) { return c.request_id == op.request_id; });
        if (ours) {
            // A retried start: the same run, never a second one.
            op.pass.end(attempt_end::succeeded, host_.now_us());
            send_started(op, token,
                         started_links(workflow_link(ns, existing->workflow_id, existing->run_id.str(), 1,
                                                     "WorkflowExecutionStarted")),
                         unit);
            return static_cast<void>(host_.commit(std::move(unit)));
        }
        if (o.id_conflict == id_conflict_policy::use_existing) {
            // Attach: this caller completes when the running workflow closes.
            host_.append_event(
                *existing, event_type::workflow_execution_options_updated,
                {{"attached_request_id", op.request_id},
                 {"attached_completion_callbacks",
                  boost::json::array{
                      {{"nexus", {{"url", "temporal://system"}, {"header", {{"nexus-operation-token", token}}}}},
                       {"links", caller_links}}}},
                 {"links", caller_links},
                 {"identity", "perdure"}},
                unit);
            existing->callbacks.edit().push_back(cb);
            unit.ops.emplace_back(set_callbacks{existing->run_key, existing->callbacks});
            op.pass.end(attempt_end::succeeded, host_.now_us());
            send_started(op, token,
                         started_links(request_link(ns, existing->workflow_id, existing->run_id.str(), op.request_id)),
                         unit);
            return static_cast<void>(host_.commit(std::move(unit)));
        }
        if (o.id_conflict == id_conflict_policy::fail) {
            op.pass.end(attempt_end::no_verdict, host_.now_us());
            return deliver_outcome(
                op, event_type::nexus_operation_failed,
                {{"failure", caller_failure(op, internal("workflow id " + o.id + " is already running in namespace " +
                                                         ns + " (WorkflowExecutionAlreadyStarted)"))
                                 .to_json()}});
        }
        host_.terminate_run(*existing, "terminated by a Nexus operation with id_conflict_policy::terminate_existing",
                            unit);
    } else if (o.id_reuse != id_reuse_policy::allow_duplicate) {
        const auto closed = existing ? std::optional(existing->status) : host_.latest_run_status(handler_ns_id, o.id);
        if (closed && (o.id_reuse == id_reuse_policy::reject_duplicate || *closed == run_status::completed)) {
            op.pass.end(attempt_end::no_verdict, host_.now_us());
            return deliver_outcome(
                op, event_type::nexus_operation_failed,
                {{"failure", caller_failure(op, internal("workflow id " + o.id +
                                                         " was used before and its reuse policy forbids a new run "
                                                         "(WorkflowExecutionAlreadyStarted)"))
                                 .to_json()}});
        }
    }
    if (!workers_.workflow(handler_ns_id, o.task_queue.empty() ? default_queue : o.task_queue, start.workflow_type) &&
        workers_.has_queue(handler_ns_id, o.task_queue.empty() ? default_queue : o.task_queue)) {
        op.pass.end(attempt_end::no_verdict, host_.now_us());
        return deliver_outcome(
            op, event_type::nexus_operation_failed,
            {{"failure",
              caller_failure(op, handler_failure(nexus::handler_error_type::not_found,
                                                 "workflow type " + start.workflow_type + " is not registered", false))
                  .to_json()}});
    }
    typed_attributes attributes;
    try {
        attributes = host_.typed_search_attributes(handler_ns_id, o.search_attributes);
    } catch (const std::exception& e) {   // the handler's options are wrong: retrying cannot help
        op.pass.end(attempt_end::no_verdict, host_.now_us());
        return deliver_outcome(
            op, event_type::nexus_operation_failed,
            {{"failure",
              caller_failure(op, handler_failure(nexus::handler_error_type::bad_request, e.what(), false)).to_json()}});
    }
    run_spec spec;
    spec.id.ns_id = handler_ns_id;
    spec.id.workflow_id = o.id;
    spec.id.workflow_type = start.workflow_type;
    spec.id.task_queue = o.task_queue.empty() ? default_queue : o.task_queue;
    spec.id.request_id = op.request_id;
    spec.id.run_timeout_ms = (o.run_timeout.count() > 0 ? o.run_timeout : o.execution_timeout).count();
    spec.id.retry = o.retry;
    spec.id.memo = std::move(o.memo);
    spec.id.search_attributes = std::move(attributes);
    spec.id.callbacks = {cb};
    spec.input = op.input;
    spec.execution_timeout = o.execution_timeout;
    spec.links = std::move(caller_links);
    auto& handler = host_.create_run(std::move(spec), unit);
    op.pass.end(attempt_end::succeeded, host_.now_us());
    // Started goes out before the handler's first activation runs: a handler workflow that
    // closes at once queues its callback after it, and the caller hears of them in that order.
    send_started(
        op, token,
        started_links(workflow_link(ns, handler.workflow_id, handler.run_id.str(), 1, "WorkflowExecutionStarted")),
        unit);
    host_.begin_run(handler, unit);
    host_.commit(std::move(unit));
}

void nexus_dispatcher::send_started(nexus_op& op, const std::string& token, boost::json::array links,
                                    write_unit& unit) {
    op.st = nexus_op::state::started;
    outbox_.send(op.key.run_key, event_type::nexus_operation_started,
                 {{"scheduled_event_id", op.key.seq},
                  {"operation_token", token},
                  {"operation_id", token},
                  {"request_id", op.request_id},
                  {"links", std::move(links)}},
                 unit);
    unit.ops.emplace_back(delete_task{op.key.run_key, op.key.seq});   // nothing left to start
}

void nexus_dispatcher::notify_callers(run_state& r, const event& close, write_unit& unit) {
    if (r.callbacks->empty() || close.attrs.contains("new_execution_run_id")) return;   // carried to the next run
    for (const auto& cb : *r.callbacks) {
        auto wrap = [&](failure cause) {
            return wrap_nexus_failure(cb.endpoint, cb.service, cb.operation, cb.token, cb.scheduled_event_id,
                                      std::move(cause))
                .to_json();
        };
        boost::json::object attrs{{"scheduled_event_id", cb.scheduled_event_id}, {"request_id", cb.request_id}};
        event_type type = event_type::nexus_operation_failed;
        failure cause;
        switch (r.status) {
        case run_status::completed:
            type = event_type::nexus_operation_completed;
            attrs["result"] = close.attrs.contains("result") ? close.attrs.at("result") : nullptr;
            break;
        case run_status::failed:
            cause = close.attrs.contains("failure") ? failure::from_json(close.attrs.at("failure"))
                                                    : failure{"workflow failed"};
            attrs["failure"] = wrap(std::move(cause));
            break;
        case run_status::canceled:
            type = event_type::nexus_operation_canceled;
            cause = {"operation canceled",
                     failure_kind::canceled,
                     {{"details", close.attrs.contains("details") ? close.attrs.at("details") : nullptr}}};
            attrs["failure"] = wrap(std::move(cause));
            break;
        case run_status::terminated: attrs["failure"] = wrap({"operation terminated", failure_kind::terminated}); break;
        default:
            attrs["failure"] = wrap({"operation exceeded internal timeout",
                                     failure_kind::timeout,
                                     {{"timeout_type", to_string(timeout_type::start_to_close)}}});
            break;
        }
        outbox_.send(cb.caller_run_key, type, std::move(attrs), unit, "result");
    }
}

}   // namespace perdure::detail
