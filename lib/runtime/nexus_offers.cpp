// Nexus handlers run by other engines sharing the store: an attempt whose handler no worker here
// serves is offered in the shared task table on its endpoint's target queue, named by its
// service; the engine that claims it runs the handler and reports what it answered through the
// inbox. The owner keeps the operation: the request timeout, retries and circuit breaker, the
// handler workflow a workflow-run operation starts, and every event its caller records.
#include "runtime/nexus_dispatcher.hpp"

#include "nexus/failure_translation.hpp"
#include "store/start_command_json.hpp"

#include <perdure/error.hpp>

#include <utility>

namespace perdure::detail {

void nexus_dispatcher::offer(nexus_op& op, std::int64_t handler_ns_id, const std::string& task_queue,
                             std::int64_t timeout_us) {
    // As for a Temporal worker's poll, the claim and the handler's answer must come within the
    // request timeout; after it the attempt counts as UPSTREAM_TIMEOUT and the next is offered.
    op.st = nexus_op::state::running;
    op.generation = next_generation_++;
    op.offered = true;
    op.offered_ns_id = handler_ns_id;
    op.offered_queue = task_queue;
    op.waiting_for =
        "no worker of this engine serves the endpoint's target task queue; offered to the engines "
        "sharing its database";
    host_.arm(wheel_kind::nexus_request_timeout, op.key.run_key, op.key.seq, host_.now_us() + timeout_us);
    write_unit unit;
    unit.ops.emplace_back(offer_task{task_offer{op.key.run_key, op.key.seq, handler_ns_id, task_queue, op.service,
                                                op.attempt, "", task_kind::nexus}});
    host_.commit(std::move(unit));
}

void nexus_dispatcher::withdraw_offer(nexus_op& op, write_unit& unit) {
    if (!std::exchange(op.offered, false)) return;
    unit.ops.emplace_back(withdraw_task{op.key.run_key, op.key.seq});
    op.waiting_for.clear();
}

void nexus_dispatcher::withdraw_offer(nexus_op& op) {
    if (!op.offered) return;
    write_unit unit;
    withdraw_offer(op, unit);
    host_.commit(std::move(unit));
}

void nexus_dispatcher::take_back_offer(nexus_op& op) {
    if (op.offered) {
        withdraw_offer(op);
        host_.disarm(wheel_kind::nexus_request_timeout, op.key.run_key, op.key.seq);
        op.pass.end(attempt_end::no_verdict, host_.now_us());
    } else if (op.st == nexus_op::state::backing_off) {   // its offer went unanswered
        host_.disarm(wheel_kind::nexus_retry, op.key.run_key, op.key.seq);
    } else {
        return;
    }
    op.offered_queue.clear();
    op.st = nexus_op::state::scheduled;
}

void nexus_dispatcher::remote_handled(nexus_report_command& report) {
    const task_key key{report.run_key, report.seq};
    auto it = ops_.find(key);
    // A late answer: the attempt timed out (the next one is offered), or the operation ended.
    if (it == ops_.end()) return;
    auto& op = it->second;
    if (!op.offered || op.attempt != report.attempt || op.st != nexus_op::state::running) return;
    op.offered = false;   // its claim took the offer
    op.waiting_for.clear();
    if (!handler_returned(key, op.generation)) return;
    if (!report.failure.is_null()) {
        failure f;
        try {
            f = failure::from_json(report.failure);
        } catch (const payload_error& e) {
            f = handler_failure(
                nexus::handler_error_type::internal,
                std::string("the engine that ran the handler reported a failure that cannot be read: ") + e.what(),
                true);
        }
        return handler_failed(op, std::move(f));
    }
    std::vector<nexus::link> links;
    for (const auto& l : report.links) {
        const auto& o = l.get_object();   // the inbox's reader checked each has a string url
        const auto* type = o.if_contains("type");
        links.push_back({std::string(o.at("url").get_string()),
                         type && type->is_string() ? std::string(type->get_string()) : std::string()});
    }
    if (!report.start) return complete_sync(op, std::move(report.result), links);
    handler_start start{attempt_context(op, host_.namespace_name(op.offered_ns_id)), report.start->workflow_type,
                        op.offered_queue, op.offered_ns_id};
    start.ctx.handler_links = std::move(links);
    start.options = options_of(*report.start);
    continue_start(op, std::move(start));
}

}   // namespace perdure::detail
