// Handler code on the Nexus handler pool, never on the engine strand: one attempt at a time,
// bounded by its request timeout, its answer taken back on the strand (a stale attempt's is
// dropped) and classified as Temporal's SDK does. Sync handlers are here; workflow-run
// operations' options callbacks use the same attempts (nexus_handler.cpp).
#include "runtime/nexus_dispatcher.hpp"

#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace perdure::detail {

std::uint64_t nexus_dispatcher::begin_handler_attempt(nexus_op& op, std::int64_t timeout_us) {
    op.st = nexus_op::state::running;
    op.generation = next_generation_++;
    op.handler_running = true;
    host_.arm(wheel_kind::nexus_request_timeout, op.key.run_key, op.key.seq, host_.now_us() + timeout_us);
    work_.add(work_tracker::handler);   // the test environment lets no time pass while it runs
    return op.generation;
}

nexus_op* nexus_dispatcher::handler_returned(const task_key& key, std::uint64_t generation) {
    auto it = ops_.find(key);
    if (it == ops_.end() || host_.engine_failed()) return nullptr;   // the caller closed or the operation ended
    auto& op = it->second;
    op.handler_running = false;
    if (op.generation != generation) {
        // It overran its request timeout and was counted as UPSTREAM_TIMEOUT; its result is
        // dropped, and the retry that waited for it may start now.
        if (op.st == nexus_op::state::backing_off && !host_.armed(wheel_kind::nexus_retry, key.run_key, key.seq))
            dispatch(key);
        return nullptr;
    }
    host_.disarm(wheel_kind::nexus_request_timeout, key.run_key, key.seq);
    return &op;
}

void nexus_dispatcher::handler_failed(nexus_op& op, failure f) {
    const auto verdict = judge_handler_failure(f);
    if (verdict == handler_verdict::retry) {
        op.pass.end(attempt_end::destination_down, host_.now_us());
        return attempt_failed(op, std::move(f));
    }
    // A non-retryable answer says nothing about the endpoint's health.
    op.pass.end(attempt_end::no_verdict, host_.now_us());
    const auto type =
        verdict == handler_verdict::cancel ? event_type::nexus_operation_canceled : event_type::nexus_operation_failed;
    deliver_outcome(op, type, {{"failure", caller_failure(op, std::move(f)).to_json()}});
}

void nexus_dispatcher::run_sync_handler(nexus_op& op, const nexus::detail::operation_definition& def,
                                        nexus::operation_context ctx, std::int64_t timeout_us) {
    const auto key = op.key;
    const auto gen = begin_handler_attempt(op, timeout_us);
    // Its answer reaches the strand before it stops counting as running work, so the engine
    // never looks idle in between.
    boost::asio::post(*pool_, [this, to_strand = host_.handoff(), fn = def.sync, ctx = std::move(ctx), input = op.input,
                               key, gen]() mutable {
        boost::json::value result;
        std::optional<failure> f;
        try {
            result = fn(ctx, input);
        } catch (...) {
            f = failure_of_handler_exception(std::current_exception());
        }
        to_strand(
            [this, key, gen, result = std::move(result), f = std::move(f),
             links = std::move(ctx.handler_links)]() mutable {
                on_sync_result(key, gen, std::move(result), std::move(f), std::move(links));
            },
            work_tracker::handler);
    });
}

void nexus_dispatcher::on_sync_result(task_key key, std::uint64_t generation, boost::json::value result,
                                      std::optional<failure> f, std::vector<nexus::link> links) {
    auto* op = handler_returned(key, generation);
    if (!op) return;
    if (f) return handler_failed(*op, std::move(*f));
    complete_sync(*op, std::move(result), links);
}

void nexus_dispatcher::complete_sync(nexus_op& op, boost::json::value result, const std::vector<nexus::link>& links) {
    if (auto why = invalid_handler_links(links))
        return handler_failed(op, handler_failure(nexus::handler_error_type::internal, std::move(*why), false));
    op.pass.end(attempt_end::succeeded, host_.now_us());
    std::string result_json = boost::json::serialize(result);   // checked, then stored as it is
    if (result_json.size() > settings_.max_payload_bytes)
        return deliver_outcome(
            op, event_type::nexus_operation_failed,
            {{"failure",
              caller_failure(op, handler_failure(nexus::handler_error_type::internal,
                                                 "the operation result is larger than the payload limit", false))
                  .to_json()}});
    boost::json::object attrs{{"result", std::move(result)}};
    // A sync completion carries the handler's links, as Temporal records them from the start
    // response; an asynchronous one (an override's, after its Started) carries none.
    if (!links.empty() && !op.started_recorded) append_links(attrs["links"].emplace_array(), links);
    deliver_outcome(op, event_type::nexus_operation_completed, std::move(attrs), std::move(result_json));
}

}   // namespace perdure::detail
