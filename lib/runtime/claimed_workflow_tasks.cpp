#include "runtime/claimed_workflow_tasks.hpp"

#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "machines/command.hpp"
#include "replay/replayer.hpp"
#include "runtime/run_lifecycle.hpp"

namespace perdure::detail {

claimed_workflow_tasks::claimed_workflow_tasks(claimer_host& host, store& s, worker_registry& workers,
                                               const engine_limits& limits)
    : host_(host),
      store_(s),
      workers_(workers),
      limits_(limits),
      rounds_(
          host, s, task_kind::workflow, task_timeout, capacity,
          [&workers](std::int64_t ns_id) { return workers.registered(worker_registry::kind::workflows, ns_id); },
          [this](claimed_task c) { claimed(std::move(c)); }) {}

void claimed_workflow_tasks::claimed(claimed_task c) {
    store_.post_read([this, to_strand = host_.handoff(), c = std::move(c)](store_reads& reads) mutable {
        std::vector<event> history;
        try {
            history = reads.history(c.run_key);
        } catch (...) {
            // The server is away: the claim expires and the task is claimed again.
        }
        to_strand([this, c = std::move(c), history = std::move(history)] { run(c, history); }, std::nullopt);
    });
}

void claimed_workflow_tasks::run(const claimed_task& c, const std::vector<event>& history) {
    rounds_.finished();
    if (history.empty() || history.front().type != event_type::workflow_execution_started) return;
    const auto& started = history.front().attrs;
    workflow_info info;
    info.ns = host_.namespace_name(c.ns_id);
    info.workflow_id = c.workflow_id;
    info.run_id = c.run_id;
    info.workflow_type = name_of(started, "workflow_type");
    info.task_queue = c.task_queue;
    info.first_execution_run_id = text(started, "first_execution_run_id");
    const auto reg = workers_.workflow(c.ns_id, c.task_queue, info.workflow_type);
    if (!reg) return;   // unregistered since the claim: claimed again elsewhere once the claim expires
    const auto run_timeout =
        parse_duration(text(started, "workflow_run_timeout")).value_or(std::chrono::milliseconds(0));
    workflow_instance inst(reg->fn, std::move(info), run_timeout.count());
    inst.set_max_pending_nexus(limits_.max_pending_nexus_operations);

    workflow_task_command report{c.run_key, history.back().id, host_.now_us()};
    report.identity = rounds_.claimer();
    auto replayed = replay(inst, history);
    auto failure = std::move(replayed.failure);
    if (!failure) {
        auto activation = activate_live(inst, replayed.tail, report.time_us);
        failure = std::move(activation.failure);
        if (!failure)
            for (const auto& command : *activation.commands) {
                report.commands.push_back(command_to_json(command));
                if (command.kind == command_kind::continue_as_new)
                    for (auto& [name, input] : inst.unread_signals())
                        report.unread_signals.push_back(boost::json::array{boost::json::string(name), input});
            }
    }
    if (failure)
        report.failure = {{"cause", static_cast<int>(failure->reason)}, {"message", std::move(failure->message)}};
    // Unheard (the owner is away), the claim expires and the task is claimed again.
    host_.report(std::move(report), [](std::exception_ptr, inbox_answer) {});
}

}   // namespace perdure::detail
