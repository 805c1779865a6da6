#include "runtime/claimed_nexus_operations.hpp"

#include "history/fields.hpp"
#include "nexus/attempt_decision.hpp"
#include "nexus/failure_translation.hpp"
#include "nexus/links.hpp"
#include "store/start_command_json.hpp"

#include <perdure/nexus.hpp>

#include <boost/asio/post.hpp>

namespace perdure::detail {

claimed_nexus_operations::claimed_nexus_operations(claimer_host& host, store& s, worker_registry& workers,
                                                   std::size_t threads)
    : host_(host),
      workers_(workers),
      // The claim takes the offer; the owner's request timeout retries an attempt never answered.
      rounds_(
          host, s, task_kind::nexus, std::chrono::milliseconds(0), threads,
          [&workers](std::int64_t ns_id) { return workers.registered(worker_registry::kind::services, ns_id); },
          [this](claimed_task c) { claimed(std::move(c)); }) {}

void claimed_nexus_operations::claimed(claimed_task c) {
    const auto scheduled = parsed_or_null(c.scheduled_attrs);
    if (!scheduled.is_object()) return rounds_.finished();   // its caller was deleted meanwhile
    const auto& attrs = scheduled.get_object();
    nexus::operation_context ctx;
    ctx.service = name_of(attrs, "service");
    ctx.operation = name_of(attrs, "operation");
    ctx.request_id = name_of(attrs, "request_id");
    ctx.ns = host_.namespace_name(c.ns_id);
    if (const auto* h = attrs.if_contains("nexus_header"); h && h->is_object())
        for (const auto& [k, v] : h->get_object())
            if (v.is_string()) ctx.header[k] = v.get_string();
    ctx.links.push_back({workflow_event_url(host_.namespace_name(c.run_ns_id), c.workflow_id, c.run_id, c.seq,
                                            "NexusOperationScheduled"),
                         workflow_event_link_type});
    host_.attach_engine(ctx);
    const auto input = attrs.contains("input") ? attrs.at("input") : boost::json::value();
    nexus_report_command report{c.run_key, c.seq, c.attempt};
    auto send = [this](nexus_report_command r) {
        // Unheard (the owner is away), the owner's request timeout retries the attempt.
        host_.report(std::move(r), [](std::exception_ptr, inbox_answer) {});
        rounds_.finished();
    };
    const auto def = workers_.nexus_operation(c.ns_id, c.task_queue, ctx.service, ctx.operation);
    if (!def) {   // the service is served here, but not this operation: as a local worker answers
        report.failure =
            refusal_failure(attempt_decision::refusal::operation_not_found, ctx.service, ctx.operation, c.task_queue)
                .to_json();
        return send(std::move(report));
    }
    if (!pool_) pool_ = std::make_unique<boost::asio::thread_pool>(rounds_.capacity());
    boost::asio::post(*pool_, [to_strand = host_.handoff(), send, def = *def, ctx = std::move(ctx), input,
                               report = std::move(report)]() mutable {
        try {
            if (def.sync)
                report.result = def.sync(ctx, input);
            else   // the owner starts the workflow with the operation's input and request id
                report.start = start_command_of(ctx.ns, def.workflow_type, nullptr, def.start_options(ctx, input));
        } catch (...) {
            report.failure = failure_of_handler_exception(std::current_exception()).to_json();
        }
        for (const auto& l : ctx.handler_links) report.links.push_back({{"url", l.url}, {"type", l.type}});
        to_strand([send, report = std::move(report)]() mutable { send(std::move(report)); }, std::nullopt);
    });
}

void claimed_nexus_operations::join() {
    if (pool_) pool_->join();
}

}   // namespace perdure::detail
