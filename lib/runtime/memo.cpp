// The run's memo as its workflow code changes it: ctx.upsert_memo becomes a
// ModifyWorkflowProperties command, checked against the payload limit before it is recorded,
// and its WorkflowPropertiesModified event is merged into the run's memo, written in the same
// commit so describe and list see it once the task completes.
#include "runtime/core.hpp"

#include "store/store.hpp"

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

const boost::json::object* upserted_memo(const boost::json::object& attrs) {
    const auto* m = attrs.if_contains("upserted_memo");
    return m && m->is_object() ? &m->get_object() : nullptr;
}

/// Temporal's merge: a key's new value replaces the old one; a null value removes the key.
void merge_memo(boost::json::object& memo, const boost::json::object& upserted) {
    for (const auto& [key, value] : upserted) {
        if (value.is_null())
            memo.stable_erase(key);   // the others keep their order, as describe shows them
        else
            memo[key] = value;
    }
}

}   // namespace

std::optional<task_failure> engine_core::check_memo_upserts(const run_state& r,
                                                            const std::vector<command>& commands) const {
    // Each upsert is checked on the memo the earlier ones of the activation leave, as Temporal
    // checks each command on the mutable state the previous commands changed.
    std::optional<boost::json::object> memo;
    for (const auto& c : commands) {
        if (c.kind != command_kind::modify_workflow_properties) continue;
        const auto* upserted = upserted_memo(c.attrs);
        if (!upserted) continue;
        if (!memo) memo = r.memo;
        merge_memo(*memo, *upserted);
        const auto size = boost::json::serialize(*memo).size();
        if (size > options_.limits.max_payload_bytes)
            return task_failure{task_failure::cause::bad_command,
                                "BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES: the memo of workflow " + r.workflow_id +
                                    " would be " + std::to_string(size) + " bytes after upsert_memo; a memo is " +
                                    "limited to " + std::to_string(options_.limits.max_payload_bytes) +
                                    " bytes (engine_limits::max_payload_bytes): keep large data out of the memo, "
                                    "or remove keys by upserting null (the workflow task is retried)"};
    }
    return std::nullopt;
}

void engine_core::memo_modified(run_state& r, const event& e, write_unit& unit) {
    const auto* upserted = upserted_memo(e.attrs);
    if (!upserted) return;
    merge_memo(r.memo.edit(), *upserted);
    unit.ops.emplace_back(set_memo{r.run_key, r.memo});
}

}   // namespace perdure::detail
