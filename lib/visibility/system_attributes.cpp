// Temporal's system search attributes that perdure can answer, those it cannot, and the names a
// custom attribute may not take.
#include "visibility/system_attributes.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace perdure::detail {
namespace {

using enum search_attribute_type;

constexpr std::array<system_attribute_info, system_attribute_count> table{{
    {system_attribute::workflow_id, "WorkflowId", keyword, false},
    {system_attribute::run_id, "RunId", keyword, false},
    {system_attribute::workflow_type, "WorkflowType", keyword, false},
    {system_attribute::task_queue, "TaskQueue", keyword, false},
    {system_attribute::execution_status, "ExecutionStatus", keyword, false},
    {system_attribute::start_time, "StartTime", datetime, false},
    {system_attribute::execution_time, "ExecutionTime", datetime, false},
    {system_attribute::close_time, "CloseTime", datetime, true},
    {system_attribute::execution_duration, "ExecutionDuration", integer, true},
    {system_attribute::history_length, "HistoryLength", integer, false},
    {system_attribute::history_size_bytes, "HistorySizeBytes", integer, false},
    {system_attribute::parent_workflow_id, "ParentWorkflowId", keyword, true},
    {system_attribute::parent_run_id, "ParentRunId", keyword, true},
    {system_attribute::root_workflow_id, "RootWorkflowId", keyword, false},
    {system_attribute::root_run_id, "RootRunId", keyword, false},
}};

struct unsupported {
    std::string_view name;
    const char* why;
};

// Temporal's system and predefined attributes perdure has no value for.
constexpr unsupported not_recorded[] = {
    {"StateTransitionCount", "perdure records no state transitions"},
    {"TemporalChangeVersion", "perdure's patches record no change versions as search attributes"},
    {"BinaryChecksums", "perdure records no worker binary checksums"},
    {"BuildIds", "perdure records no worker build ids"},
    {"BatcherNamespace", "perdure has no batch operations"},
    {"BatcherUser", "perdure has no batch operations"},
    {"TemporalScheduledStartTime", "perdure has no schedules yet"},
    {"TemporalScheduledById", "perdure has no schedules yet"},
    {"TemporalSchedulePaused", "perdure has no schedules yet"},
    {"TemporalNamespaceDivision", "perdure has no namespace divisions"},
    {"TemporalPauseInfo", "perdure cannot pause workflows"},
    {"TemporalWorkerDeployment", "perdure has no worker deployments"},
    {"TemporalWorkerDeploymentVersion", "perdure has no worker deployments"},
    {"TemporalWorkflowVersioningBehavior", "perdure has no worker deployments"},
    {"TemporalReportedProblems", "perdure reports no workflow problems as search attributes"},
};

// Temporal's internal field names, which no search attribute may take.
constexpr std::string_view reserved[] = {"NamespaceId", "Memo", "MemoEncoding", "VisibilityTaskKey"};

constexpr std::array<std::string_view, 7> status_names{"Running",    "Completed",      "Failed",  "Canceled",
                                                       "Terminated", "ContinuedAsNew", "TimedOut"};

constexpr std::size_t max_custom_name = 64;

bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_char(char c) { return ascii_alpha(c) || (c >= '0' && c <= '9') || c == '_'; }

}   // namespace

std::span<const system_attribute_info> system_attributes() { return table; }

const system_attribute_info& info(system_attribute a) { return table[static_cast<std::size_t>(a)]; }

const system_attribute_info* find_system_attribute(std::string_view name) {
    for (const auto& a : table)
        if (a.name == name) return &a;
    return nullptr;
}

std::span<const std::string_view> execution_status_names() { return status_names; }

const char* unsupported_temporal_attribute(std::string_view name) {
    for (const auto& u : not_recorded)
        if (u.name == name) return u.why;
    return nullptr;
}

void check_custom_attribute_name(std::string_view name) {
    const std::string quoted =
        "'" + std::string(name.substr(0, max_custom_name)) + (name.size() > max_custom_name ? "...'" : "'");
    if (name.empty() || name.size() > max_custom_name || !ascii_alpha(name.front()) ||
        !std::all_of(name.begin(), name.end(), name_char))
        throw invalid_argument("invalid search attribute name " + quoted +
                               ": it must be 1 to 64 ASCII letters, digits or '_', starting with a letter");
    const bool taken = find_system_attribute(name) || unsupported_temporal_attribute(name) ||
                       std::find(std::begin(reserved), std::end(reserved), name) != std::end(reserved);
    if (taken)
        throw invalid_argument("search attribute name " + quoted + " is reserved by Temporal; choose another name");
    if (name.starts_with("Temporal"))
        throw invalid_argument("search attribute name " + quoted +
                               " starts with 'Temporal', a prefix Temporal reserves; choose another name");
}

}   // namespace perdure::detail
