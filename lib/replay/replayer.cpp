// The replay loop. Live execution goes through the same workflow_instance::activate, so the two paths
// cannot drift apart; this file only adds the matching of recorded commands.
#include "replay/replayer.hpp"

namespace perdure::detail {
namespace {

bool is_deprecated_patch(const event& e) {
    if (e.type != event_type::marker_recorded) return false;
    const auto* n = e.attrs.if_contains("marker_name");
    const auto* d = e.attrs.if_contains("details");
    if (!n || !n->is_string() || n->get_string() != "core_patch" || !d || !d->is_object()) return false;
    const auto* dep = d->get_object().if_contains("deprecated");
    return dep && dep->is_bool() && dep->get_bool();
}

std::string where(const workflow_instance& inst) {
    return "workflow " + inst.info().workflow_type + " (workflow id " + inst.info().workflow_id + ", run " +
           inst.info().run_id + ")";
}

}   // namespace

replay_result replay(workflow_instance& inst, std::span<const event> history) {
    replay_result out;
    if (!history.empty()) out.last_event_id = history.back().id;
    std::size_t i = 0;
    const std::size_t n = history.size();
    while (i < n) {
        const std::size_t group = i;
        while (i < n && history[i].type != event_type::workflow_task_completed && !is_command_event(history[i].type))
            ++i;
        if (i == n) {
            out.tail.assign(history.begin() + static_cast<std::ptrdiff_t>(group), history.end());
            break;
        }
        if (history[i].type != event_type::workflow_task_completed) {
            out.failure = task_failure{task_failure::cause::corrupt_history,
                                       "history of " + where(inst) + " has command " + describe(history[i]) +
                                           " without a WorkflowTaskCompleted before it"};
            return out;
        }
        const std::size_t boundary_index = i++;
        const event& boundary = history[boundary_index];
        const std::size_t first_command = i;
        while (i < n && is_command_event(history[i].type)) ++i;
        const auto inbound = history.subspan(group, boundary_index - group);
        const auto recorded = history.subspan(first_command, i - first_command);

        // A query on a closed run sees the state before its closing activation (and, when the
        // main function returns normally, the state while it returns).
        if (inst.has_closing_query())
            for (const auto& e : recorded)
                if (is_close_event(e.type)) inst.answer_closing_query();
        auto result = inst.activate(inbound, boundary.time_us, true, recorded);
        if (result.failure) {
            out.failure = result.failure;
            return out;
        }
        // Match the new commands against what was recorded, in order.
        std::vector<std::size_t> matched;
        matched.reserve(recorded.size());
        std::size_t r = 0;
        for (const auto& c : *result.commands) {
            while (r < recorded.size() && is_deprecated_patch(recorded[r]) && !command_matches(c, recorded[r])) ++r;
            if (r == recorded.size()) {
                out.failure = task_failure{task_failure::cause::nondeterminism,
                                           "nondeterminism in " + where(inst) + ": the workflow code produced " +
                                               describe(c) + " but history has no further command after " +
                                               describe(boundary) + " (the code does more than it did when recorded)"};
                return out;
            }
            if (!command_matches(c, recorded[r])) {
                out.failure =
                    task_failure{task_failure::cause::nondeterminism,
                                 "nondeterminism in " + where(inst) + ": history has " + describe(recorded[r]) +
                                     " but the workflow code produced " + describe(c)};
                return out;
            }
            matched.push_back(r++);
        }
        while (r < recorded.size() && is_deprecated_patch(recorded[r])) ++r;
        if (r < recorded.size()) {
            out.failure = task_failure{task_failure::cause::nondeterminism,
                                       "nondeterminism in " + where(inst) + ": history has " + describe(recorded[r]) +
                                           " but the workflow code produced no command for it"};
            return out;
        }
        if (matched.size() == recorded.size()) {
            inst.recorded(recorded);
        } else {   // deprecated patches the code no longer makes are left out
            std::vector<event> kept;
            for (const auto k : matched) kept.push_back(recorded[k]);
            inst.recorded(kept);
        }
    }
    return out;
}

}   // namespace perdure::detail
