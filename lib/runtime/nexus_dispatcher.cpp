// The Nexus dispatcher's life and what it reports: its handler pool, operations waiting for a
// worker, describe()'s view of open operations, and a closed caller's operations forgotten.
#include "runtime/nexus_dispatcher.hpp"

#include "history/fields.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

pending_nexus_operation_state state_of(nexus_op::state s) {
    switch (s) {
    case nexus_op::state::backing_off: return pending_nexus_operation_state::backing_off;
    case nexus_op::state::blocked: return pending_nexus_operation_state::blocked;
    case nexus_op::state::started: return pending_nexus_operation_state::started;
    default: return pending_nexus_operation_state::scheduled;
    }
}

}   // namespace

nexus_dispatcher::nexus_dispatcher(nexus_host& host, outbox_rows& outbox, const endpoint_table& endpoints,
                                   worker_registry& workers, work_tracker& work, settings s)
    : host_(host),
      outbox_(outbox),
      endpoints_(endpoints),
      workers_(workers),
      work_(work),
      settings_(s),
      pool_(std::make_unique<boost::asio::thread_pool>(std::max<std::size_t>(1, s.handler_threads))) {}

void nexus_dispatcher::dispatch_waiting() {
    std::vector<task_key> waiting;
    for (auto& [key, op] : ops_) {
        if (!op.offered_queue.empty() && workers_.serves_nexus(op.offered_ns_id, op.offered_queue)) take_back_offer(op);
        if (op.st == nexus_op::state::scheduled) waiting.push_back(key);
    }
    for (const auto& k : waiting) dispatch(k);
}

void nexus_dispatcher::describe(std::int64_t run_key, std::vector<pending_nexus_operation_info>& pending) const {
    for (auto& p : pending) {
        const auto it = ops_.find({run_key, p.scheduled_event_id});
        if (it == ops_.end()) continue;
        const auto& op = it->second;
        p.attempt = op.attempt;
        if (p.state != pending_nexus_operation_state::started) p.state = state_of(op.st);
        // Answered after the unit that recorded its start commits: the token is history.
        if (p.operation_token.empty()) p.operation_token = op.token;
        if (op.st == nexus_op::state::backing_off) p.next_attempt_schedule_time = from_us(op.next_attempt_us);
        p.last_attempt_failure = op.last_failure;
        p.blocked_reason = op.waiting_for;
        p.cancel_requested = p.cancel_requested || op.cancel_requested;
    }
}

void nexus_dispatcher::drop_run(std::int64_t run_key) {
    // A caller that closes abandons its operations: no further attempts, no cancel sent.
    const auto [first, end] = run_range(ops_, run_key);
    ops_.erase(first, end);
}

}   // namespace perdure::detail
