#include "runtime/claimed_workflow_tasks.hpp"

#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "machines/command.hpp"
#include "replay/replayer.hpp"
#include "runtime/queries_and_updates.hpp"
#include "runtime/run_lifecycle.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure::detail {

claimed_workflow_tasks::claimed_workflow_tasks(claimer_host& host, store& s, worker_registry& workers,
                                               const engine_limits& limits)
    : host_(host),
      store_(s),
      workers_(workers),
      limits_(limits),
      tasks_(
          host, s, task_kind::workflow, task_timeout, capacity,
          [&workers](std::int64_t ns_id) { return workers.registered(worker_registry::kind::workflows, ns_id); },
          [this](claimed_task c) { claimed(std::move(c)); }),
      // A query's claim takes its offer away: the owner gives up on it if no answer comes.
      queries_(
          host, s, task_kind::query, task_timeout, capacity,
          [&workers](std::int64_t ns_id) { return workers.registered(worker_registry::kind::workflows, ns_id); },
          [this](claimed_task c) { read_then(std::move(c), &claimed_workflow_tasks::answer); }) {}

void claimed_workflow_tasks::read_then(claimed_task c, step then, std::int64_t first_event_id) {
    (void)store_.post_read(
        [this, then, first_event_id, to_strand = host_.handoff(), c = std::move(c)](store_reads& reads) mutable {
            std::vector<event> history;
            try {
                history = reads.history(c.run_key, first_event_id);
            } catch (...) {
                // The server is away: the claim expires and the task is claimed again.
            }
            to_strand([this, then, c = std::move(c), history = std::move(history)] { (this->*then)(c, history); },
                      std::nullopt);
        });
}

void claimed_workflow_tasks::claimed(claimed_task c) {
    const auto it = sticky_.find(c.run_key);
    if (it == sticky_.end()) return read_then(std::move(c), &claimed_workflow_tasks::run);
    const auto first = it->second.reported_last + 1;
    read_then(std::move(c), &claimed_workflow_tasks::go_on, first);
}

std::unique_ptr<workflow_instance> claimed_workflow_tasks::instance_for(const claimed_task& c,
                                                                        const std::vector<event>& history) {
    if (history.empty() || history.front().type != event_type::workflow_execution_started) return nullptr;
    const auto& started = history.front().attrs;
    workflow_info info;
    info.ns = host_.namespace_name(c.ns_id);
    info.workflow_id = c.workflow_id;
    info.run_id = c.run_id;
    info.workflow_type = name_of(started, "workflow_type");
    info.task_queue = c.task_queue;
    info.first_execution_run_id = text(started, "first_execution_run_id");
    const auto reg = workers_.workflow(c.ns_id, c.task_queue, info.workflow_type);
    if (!reg) return nullptr;   // unregistered since the claim
    const auto run_timeout =
        parse_duration(text(started, "workflow_run_timeout")).value_or(std::chrono::milliseconds(0));
    auto inst = std::make_unique<workflow_instance>(reg->fn, std::move(info), run_timeout.count());
    inst->set_max_pending_nexus(limits_.max_pending_nexus_operations);
    return inst;
}

void claimed_workflow_tasks::run(const claimed_task& c, const std::vector<event>& history) {
    sticky_.erase(c.run_key);
    auto inst = instance_for(c, history);
    if (!inst) {
        tasks_.finished();
        return;   // claimed again elsewhere once the claim expires
    }
    auto replayed = replay(*inst, history);
    if (history.size() > replayed.tail.size() + 1) host_.count_replay();   // it had run before
    if (replayed.failure) {
        tasks_.finished();
        workflow_task_command report{c.run_key, history.back().id, host_.now_us()};
        report.identity = tasks_.claimer();
        report.failure = {{"cause", static_cast<int>(replayed.failure->reason)},
                          {"message", std::move(replayed.failure->message)}};
        return host_.report(std::move(report), [](std::exception_ptr, inbox_answer) {});
    }
    activate_and_report(c, std::move(inst), std::move(replayed.tail), history.back().id);
}

void claimed_workflow_tasks::go_on(const claimed_task& c, const std::vector<event>& since) {
    auto node = sticky_.extract(c.run_key);
    if (node.empty()) return read_then(c, &claimed_workflow_tasks::run);
    auto& kept = node.mapped();
    // The report recorded as it was made, by this engine, at the time its instance saw: its
    // accepted updates, its WorkflowTaskCompleted and its commands; after them, only events the
    // workflow has not seen (none of another task's).
    const auto n = kept.expected.size();
    bool holds = since.size() >= n && since.front().id == kept.reported_last + 1;
    for (std::size_t i = 0; holds && i < n; ++i) holds = since[i].type == kept.expected[i];
    const auto completed_at =
        std::find(kept.expected.begin(), kept.expected.end(), event_type::workflow_task_completed) -
        kept.expected.begin();
    if (holds) {
        const auto& completed = since[static_cast<std::size_t>(completed_at)];
        const auto* identity = completed.attrs.if_contains("identity");
        holds = completed.time_us == kept.time_us && identity && identity->is_string() &&
                identity->get_string() == tasks_.claimer();
    }
    for (std::size_t i = n; holds && i < since.size(); ++i)
        holds = since[i].type != event_type::workflow_task_completed && !is_command_event(since[i].type);
    if (!holds) return read_then(c, &claimed_workflow_tasks::run);
    kept.inst->recorded(std::span<const event>(since).subspan(static_cast<std::size_t>(completed_at) + 1,
                                                              n - static_cast<std::size_t>(completed_at) - 1));
    std::vector<event> tail(since.begin() + static_cast<std::ptrdiff_t>(n), since.end());
    activate_and_report(c, std::move(kept.inst), std::move(tail), since.back().id);
}

void claimed_workflow_tasks::activate_and_report(const claimed_task& c, std::unique_ptr<workflow_instance> inst,
                                                 std::vector<event> tail, std::int64_t last_event_id) {
    tasks_.finished();
    workflow_task_command report{c.run_key, last_event_id, host_.now_us()};
    report.identity = tasks_.claimer();
    take_updates(*inst, c.details, report, tail);
    auto activation = activate_live(*inst, tail, report.time_us);
    sticky_run kept{nullptr, last_event_id, report.time_us, {}, 0};
    for (const auto& e : tail)
        if (e.id > last_event_id) kept.expected.push_back(e.type);   // the updates it accepted
    kept.expected.push_back(event_type::workflow_task_completed);
    bool closes = false;
    if (!activation.failure)
        for (const auto& command : *activation.commands) {
            report.commands.push_back(command_to_json(command));
            kept.expected.push_back(event_type_of(command.kind));
            closes = closes || is_close_event(event_type_of(command.kind));
            if (command.kind == command_kind::continue_as_new)
                for (auto& [name, input] : inst->unread_signals())
                    report.unread_signals.push_back(boost::json::array{boost::json::string(name), input});
        }
    if (activation.failure) {
        report.failure = {{"cause", static_cast<int>(activation.failure->reason)},
                          {"message", std::move(activation.failure->message)}};
    } else if (!closes) {
        kept.inst = std::move(inst);
        keep(c.run_key, std::move(kept));
    }
    // Unheard (the owner is away), the claim expires and the task is claimed again.
    host_.report(std::move(report), [](std::exception_ptr, inbox_answer) {});
}

void claimed_workflow_tasks::keep(std::int64_t run_key, sticky_run kept) {
    if (sticky_.size() >= sticky_capacity) {
        const auto oldest = std::min_element(
            sticky_.begin(), sticky_.end(), [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
        sticky_.erase(oldest);
    }
    kept.used = ++uses_;
    sticky_[run_key] = std::move(kept);
}

void claimed_workflow_tasks::take_updates(workflow_instance& inst, const std::string& details,
                                          workflow_task_command& report, std::vector<event>& inbound) {
    const auto offer = parsed_or_null(details);
    const auto* updates = offer.is_object() ? offer.get_object().if_contains("updates") : nullptr;
    if (!updates || !updates->is_array()) return;
    std::int64_t next_id = report.last_event_id + 1;
    std::vector<std::string> accepted;
    for (const auto& u : updates->get_array()) {
        const auto* o = u.if_object();
        if (!o || !o->contains("id") || !o->at("id").is_string() || !o->contains("name") || !o->at("name").is_string())
            continue;   // the owner's offer never holds one: it stays offered
        const std::string id(o->at("id").get_string()), name(o->at("name").get_string());
        const auto* arg = o->if_contains("arg");
        boost::json::object result{{"id", id}};
        if (auto outcome = inst.update_outcome(id)) {
            result["result"] = "known";
            result["outcome"] = std::move(*outcome);
        } else if (inst.knows_update(id) || std::find(accepted.begin(), accepted.end(), id) != accepted.end()) {
            result["result"] = "known";
        } else if (auto rejection = inst.validate_update(name, arg ? *arg : boost::json::value())) {
            result["result"] = "rejected";
            result["message"] = *rejection;
        } else {
            // As the owner records it: after the history this task was given, in this order.
            auto e = update_accepted_event(id, name, arg ? *arg : boost::json::value(), report.time_us);
            e.id = next_id++;
            inbound.push_back(std::move(e));
            accepted.push_back(id);
            result["result"] = "accepted";
        }
        report.updates.push_back(std::move(result));
    }
}

void claimed_workflow_tasks::answer(const claimed_task& c, const std::vector<event>& history) {
    queries_.finished();
    workflow_query_answer_command report{c.run_key};
    std::string name;
    boost::json::value arg;
    try {
        const auto details = parsed_or_null(c.details);
        const auto* query = details.if_object();
        if (!query || !query->contains("query_id") || !query->at("query_id").is_string() || !query->contains("name") ||
            !query->at("name").is_string())
            return;   // not an offer this engine knows how to read: the owner gives up on it
        report.query_id = query->at("query_id").get_string();
        name = query->at("name").get_string();
        if (const auto* a = query->if_contains("arg")) arg = *a;
        if (history.empty()) throw query_failed_error("the workflow's history could not be read");
        auto inst = instance_for(c, history);
        if (!inst)
            throw query_failed_error("the engine that claimed the query no longer registers the workflow's type");
        report.answer = answer_by_replay(*inst, history, name, arg, host_.now_us());
    } catch (const query_failed_error& e) {
        report.failure = *e.what() ? e.what() : "the query failed";
    } catch (...) {
        report.failure = describe_exception(std::current_exception());
    }
    // Unheard (the owner is away), the owner gives up on the query after its patience.
    host_.report(std::move(report), [](std::exception_ptr, inbox_answer) {});
}

}   // namespace perdure::detail
