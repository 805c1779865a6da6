// The search attributes every run has (Temporal's system attributes, with their types) and the
// rules a custom attribute's name must meet. Pure data: what each maps to in storage is the store's
// column map (store/visibility_sql.hpp).
#pragma once

#include <perdure/search_attributes.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace perdure::detail {

/// The system search attributes perdure records, in the order of the table below.
enum class system_attribute {
    workflow_id,
    run_id,
    workflow_type,
    task_queue,
    execution_status,
    start_time,
    execution_time,
    close_time,
    execution_duration,
    history_length,
    history_size_bytes,
    parent_workflow_id,
    parent_run_id,
    root_workflow_id,
    root_run_id,
};
inline constexpr std::size_t system_attribute_count = 15;

struct system_attribute_info {
    system_attribute id;
    std::string_view name;   ///< Temporal's spelling: "WorkflowId", "ExecutionStatus", ...
    search_attribute_type type;
    bool nullable;   ///< some runs have no value (an open run's CloseTime, a root run's ParentWorkflowId)
};

/// Every system attribute, in enum order.
std::span<const system_attribute_info> system_attributes();
const system_attribute_info& info(system_attribute);
/// The system attribute spelled exactly `name` (names are case-sensitive, as on Temporal).
const system_attribute_info* find_system_attribute(std::string_view name);

/// Temporal's names of the execution statuses, indexed by workflow_status (Running is 0).
std::span<const std::string_view> execution_status_names();

/// Why Temporal's name `name` is not a search attribute perdure can query (it records no such
/// value, e.g. "StateTransitionCount"), or null when it is not such a name.
const char* unsupported_temporal_attribute(std::string_view name);

/// Throws invalid_argument when `name` cannot name a custom search attribute: it must be 1 to
/// 64 bytes of ASCII letters, digits and '_', start with a letter, and be none of Temporal's
/// system, predefined or reserved names, nor start with "Temporal".
void check_custom_attribute_name(std::string_view name);

}   // namespace perdure::detail
