// Handler code on the Nexus handler pool, never on the engine strand: one attempt at a time,
// bounded by its request timeout, its answer taken back on the strand (a stale attempt's is
// dropped) and classified as Temporal's SDK does. Sync handlers are here; workflow-run
// operations' options callbacks use the same attempts (nexus_handler.cpp).
#include "runtime/core.hpp"

#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace perdure::detail {

std::uint64_t engine_core::begin_handler_attempt(nexus_op& op, std::int64_t timeout_us) {
    op.st = nexus_op::state::running;
    op.generation = next_generation_++;
    op.handler_running = true;
    arm(wheel_kind::nexus_request_timeout, op.key.run_key, op.key.seq, now_us() + timeout_us);
    work_.add(work_tracker::handler);   // the test environment lets no time pass while it runs
    return op.generation;
}

nexus_op* engine_core::handler_returned(const task_key& key, std::uint64_t generation) {
    auto it = nexus_ops_.find(key);
    if (it == nexus_ops_.end() || failed_.load()) return nullptr;   // the caller closed or the operation ended
    auto& op = it->second;
    op.handler_running = false;
    if (op.generation != generation) {
        // It overran its request timeout and was counted as UPSTREAM_TIMEOUT; its result is
        // dropped, and the retry that waited for it may start now.
        if (op.st == nexus_op::state::backing_off && !wheel_.due_of(wheel_kind::nexus_retry, key.run_key, key.seq))
            dispatch_nexus(key);
        return nullptr;
    }
    disarm(wheel_kind::nexus_request_timeout, key.run_key, key.seq);
    return &op;
}

void engine_core::handler_failed(nexus_op& op, failure f) {
    const auto verdict = judge_handler_failure(f);
    if (verdict == handler_verdict::retry) {
        op.pass.end(attempt_end::destination_down, now_us());
        return nexus_attempt_failed(op, std::move(f));
    }
    op.pass.end(attempt_end::no_verdict, now_us());   // a non-retryable answer says nothing about the endpoint's health
    const auto type =
        verdict == handler_verdict::cancel ? event_type::nexus_operation_canceled : event_type::nexus_operation_failed;
    end_nexus(op, type, {{"failure", caller_failure(op, std::move(f)).to_json()}});
}

void engine_core::run_sync_handler(nexus_op& op, const nexus::detail::operation_definition& def,
                                   nexus::operation_context ctx, std::int64_t timeout_us) {
    const auto key = op.key;
    const auto gen = begin_handler_attempt(op, timeout_us);
    boost::asio::post(*nexus_pool_, [weak = weak_from_this(), fn = def.sync, ctx = std::move(ctx), input = op.input,
                                     key, gen]() mutable {
        boost::json::value result;
        std::optional<failure> f;
        try {
            result = fn(ctx, input);
        } catch (...) {
            f = failure_of_handler_exception(std::current_exception());
        }
        if (auto self = weak.lock()) {
            self->post([self, key, gen, result = std::move(result), f = std::move(f),
                        links = std::move(ctx.handler_links)]() mutable {
                self->on_sync_result(key, gen, std::move(result), std::move(f), std::move(links));
            });
            self->work_.done(work_tracker::handler);
        }
    });
}

void engine_core::on_sync_result(task_key key, std::uint64_t generation, boost::json::value result,
                                 std::optional<failure> f, std::vector<nexus::link> links) {
    auto* op = handler_returned(key, generation);
    if (!op) return;
    if (f) return handler_failed(*op, std::move(*f));
    if (auto why = invalid_handler_links(links))
        return handler_failed(*op, handler_failure(nexus::handler_error_type::internal, std::move(*why), false));
    op->pass.end(attempt_end::succeeded, now_us());
    if (boost::json::serialize(result).size() > options_.limits.max_payload_bytes)
        return end_nexus(
            *op, event_type::nexus_operation_failed,
            {{"failure",
              caller_failure(*op, handler_failure(nexus::handler_error_type::internal,
                                                  "the operation result is larger than the payload limit", false))
                  .to_json()}});
    boost::json::object attrs{{"result", std::move(result)}};
    // A sync completion carries the handler's links, as Temporal records them from the start
    // response; an asynchronous one (an override's, after its Started) carries none.
    if (!links.empty() && !op->started_recorded) append_links(attrs["links"].emplace_array(), links);
    end_nexus(*op, event_type::nexus_operation_completed, std::move(attrs));
}

}   // namespace perdure::detail
