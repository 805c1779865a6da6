// Cancelling a Nexus operation from its caller: the request's outbox row is committed with
// NexusOperationCancelRequested; the cancel reaches the handler workflow once the operation has
// started (never if it ends first), and the handler's cancel request and the caller's
// CancelRequestCompleted share one commit.
#include "runtime/nexus_dispatcher.hpp"

#include "history/fields.hpp"
#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"
#include "nexus/token.hpp"
#include "runtime/failpoint.hpp"

namespace perdure::detail {

void nexus_dispatcher::request_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    // An outbox row committed with the request: after a crash the cancel still reaches the handler.
    outbox_.record_cancel_request(r, "nexus", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched, id = requested.id](std::exception_ptr err) {
        failpoint("nexus-cancel-requested");
        if (auto* run = host_.find_run(key); run && !err && run->status == run_status::running) cancel(*run, sched, id);
    });
}

void nexus_dispatcher::cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id) {
    const task_key key{r.run_key, scheduled_event_id};
    auto it = ops_.find(key);
    if (it != ops_.end() && it->second.st != nexus_op::state::started) {
        // Sent once the operation has started; never sent if it ends first.
        it->second.cancel_requested = true;
        it->second.cancel_requested_event_id = requested_event_id;
        return;
    }
    std::string endpoint_id, token;
    if (it != ops_.end() && !ending_.contains(key)) {
        endpoint_id = it->second.endpoint_id;
        token = it->second.token;
    } else {
        const auto seen = recorded_progress(key);
        if (ending_.contains(key) || seen.ended) {
            // It ended before the cancel could be sent: nothing to cancel any more.
            write_unit unit;
            outbox_.forget_cancel_request(key, unit.ops);
            host_.commit(std::move(unit));
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
        inbound in{event{0, event_type::nexus_operation_cancel_request_failed, host_.now_us(), std::move(attrs)}};
        outbox_.forget_cancel_request(key, in.ops);
        host_.deliver(r, std::move(in));
    };
    if (!endpoints_.by_id(endpoint_id)) return failed(nexus::handler_error_type::not_found, "endpoint not registered");
    const auto target = decode_token(token);
    if (!target)
        return failed(nexus::handler_error_type::bad_request, "the operation has no workflow-run token to cancel");
    const auto ns_id = host_.find_namespace(target->ns);
    auto* handler = ns_id ? host_.find_open_run(*ns_id, target->workflow_id) : nullptr;
    if (!handler || handler->status != run_status::running)
        return failed(nexus::handler_error_type::not_found, "workflow " + target->workflow_id + " not found");
    // The handler's cancel request and the caller's CancelRequestCompleted are outbox rows of
    // one commit, which also retires the cancel request's own row.
    write_unit unit;
    outbox_.forget_cancel_request(key, unit.ops);
    outbox_.send(
        handler->run_key, event_type::workflow_execution_cancel_requested,
        {{"identity", "perdure"},
         {"cause", "the Nexus caller canceled the operation"},
         {"links",
          boost::json::array{{{"url", workflow_event_url(host_.namespace_name(r.ns_id), r.workflow_id, r.run_id.str(),
                                                         requested_event_id, "NexusOperationCancelRequested")},
                              {"type", workflow_event_link_type}}}}},
        unit);
    outbox_.send(r.run_key, event_type::nexus_operation_cancel_request_completed, ids, unit);
    host_.commit(std::move(unit));
}

void nexus_dispatcher::resume_cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id) {
    const auto seen = recorded_progress({r.run_key, scheduled_event_id});
    if (seen.started || seen.ended || !seen.scheduled)
        return cancel(r, scheduled_event_id, requested_event_id);   // sends it, or retires it
    // Its Started is still in the outbox: the cancel follows it when it is recorded.
    track(r, *seen.scheduled, 1, 0, nullptr);
    auto& op = ops_.at({r.run_key, scheduled_event_id});
    op.st = nexus_op::state::started;
    op.cancel_requested = true;
    op.cancel_requested_event_id = requested_event_id;
}

}   // namespace perdure::detail
