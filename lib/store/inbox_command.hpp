// The inbox protocol as data: the changes another process (the perdure CLI beside a running
// engine) asks a store's owner to make, and what the owner answers. Only the store turns them
// into their stored form and back, so neither the sender nor the engine builds or parses it.
// rows.hpp includes this header: a command is a row of the store like any other.
#pragma once

#include <perdure/error.hpp>
#include <perdure/options.hpp>
#include <perdure/search_attributes.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace perdure::detail {

struct namespace_create_command {
    std::string name, description;
    std::chrono::milliseconds retention{0};   ///< 0: the namespace's default retention
    bool operator==(const namespace_create_command&) const = default;
};

struct namespace_update_command {
    std::string name;
    std::chrono::milliseconds retention{0};
    bool operator==(const namespace_update_command&) const = default;
};

struct namespace_delete_command {
    std::string name;
    bool operator==(const namespace_delete_command&) const = default;
};

struct endpoint_create_command {
    std::string name, target_namespace, target_task_queue, description;
    double max_operations_per_second = 0;   ///< 0: no limit
    bool operator==(const endpoint_create_command&) const = default;
};

/// Changes the fields that are set; the rest stay as they are.
struct endpoint_update_command {
    std::string name;
    std::optional<std::string> new_name, target_namespace, target_task_queue, description;
    std::optional<double> max_operations_per_second;
    std::optional<std::int64_t> expected_version;   ///< checked by the owner against the endpoint's version
    bool operator==(const endpoint_update_command&) const = default;
};

struct endpoint_delete_command {
    std::string name;
    bool operator==(const endpoint_delete_command&) const = default;
};

/// The run a workflow command is for: the newest run of the workflow id when `run_id` is empty.
struct workflow_target {
    std::string ns, workflow_id, run_id;
    bool operator==(const workflow_target&) const = default;
};

struct workflow_signal_command {
    workflow_target run;
    std::string signal;
    boost::json::value input;   ///< the signal's argument
    bool operator==(const workflow_signal_command&) const = default;
};

struct workflow_cancel_command {
    workflow_target run;
    std::string first_run_id{};   ///< when set, a latest run of another chain is refused
    bool operator==(const workflow_cancel_command&) const = default;
};

struct workflow_terminate_command {
    workflow_target run;
    std::string reason;
    std::string first_run_id{};   ///< when set, a latest run of another chain is refused
    bool operator==(const workflow_terminate_command&) const = default;
};

/// Deletes a run (terminating it first while it runs): history, visibility record, everything
/// stored for it (`temporal workflow delete`).
struct workflow_delete_command {
    workflow_target run;
    bool operator==(const workflow_delete_command&) const = default;
};

/// Registers a custom search attribute in a namespace (nothing changes when it exists with that type).
struct search_attribute_create_command {
    std::string ns, name;
    search_attribute_type type = search_attribute_type::keyword;
    bool operator==(const search_attribute_create_command&) const = default;
};

/// Unregisters a custom search attribute and deletes every run's values of it.
struct search_attribute_remove_command {
    std::string ns, name;
    bool operator==(const search_attribute_remove_command&) const = default;
};

/// Starts a workflow (the CLI's `workflow start` and `workflow execute`, and the client of an
/// engine standing by beside the owner). From the CLI it is refused when none of the owner's
/// workers serves the type on the task queue; from an engine it starts as the API does.
struct workflow_start_command {
    std::string ns, workflow_type, task_queue, workflow_id;
    boost::json::value input;
    std::string request_id;   ///< dedupes a start the sender retries
    /// The API's other start options; the CLI leaves them at their defaults.
    id_reuse_policy id_reuse = id_reuse_policy::allow_duplicate;
    id_conflict_policy id_conflict = id_conflict_policy::fail;
    std::chrono::milliseconds execution_timeout{0}, run_timeout{0};
    std::optional<retry_policy> retry{};
    boost::json::object memo{};
    perdure::search_attributes search_attributes{};
    /// Signal-with-start: the signal recorded with the start (none when empty).
    std::string signal{};
    boost::json::value signal_arg{};
    bool from_engine = false;   ///< an engine's client: started whatever the owner's workers serve
    bool operator==(const workflow_start_command&) const = default;
};

/// Asks a query of a run; the owner answers from the run's state (replaying it if needed).
struct workflow_query_command {
    workflow_target run;
    std::string query;
    boost::json::value arg;
    bool operator==(const workflow_query_command&) const = default;
};

/// Asks a Nexus endpoint's health: its circuit breaker and operations in flight live in the
/// owner's memory (for calls from `caller_ns`; every caller's worst when empty).
struct endpoint_health_command {
    std::string name;
    std::string caller_ns{};
    bool operator==(const endpoint_health_command&) const = default;
};

/// Sends an update to a running workflow and waits for its outcome.
struct workflow_update_command {
    workflow_target run;
    std::string update;
    boost::json::value arg;
    std::string update_id;   ///< empty: the owner makes one
    bool operator==(const workflow_update_command&) const = default;
};

/// An engine that claimed an offered activity attempt (store::claim_tasks) reports on it: the
/// attempt starts (the owner answers whether to run it: it may have timed out or closed
/// meanwhile), heartbeats, or finished. The owner answers `started` and `heartbeat` with
/// {"run": bool, "cancel_requested": bool}, as Temporal's heartbeat response carries the
/// activity's cancellation.
struct activity_report_command {
    enum class stage : std::uint8_t { started, heartbeat, finished };
    stage at = stage::started;
    std::int64_t run_key = 0, seq = 0;
    int attempt = 0;
    boost::json::value value{};     ///< heartbeat: the details; finished: the result
    boost::json::value failure{};   ///< finished: the attempt's failure (failure::to_json), null when it succeeded
    boost::json::value details{};   ///< finished: the last details heartbeated (held ones too), for the next attempt
    std::string identity{};         ///< started: the engine running it (Temporal's worker identity)
    bool operator==(const activity_report_command&) const = default;
};

/// An engine that claimed an offered Nexus operation attempt (store::claim_tasks) ran its handler
/// and reports what it answered: a sync operation's result, a workflow-run operation's start
/// (what its options callback returned: the owner starts the handler workflow), or the handler's
/// failure. Its answer is empty; a report of an attempt the owner no longer waits for changes
/// nothing, as a late HTTP response.
struct nexus_report_command {
    std::int64_t run_key = 0, seq = 0;   ///< the caller run and its NexusOperationScheduled event
    int attempt = 0;
    boost::json::value result{};    ///< a sync operation's result
    boost::json::value failure{};   ///< the handler's failure (failure::to_json); null when it answered
    boost::json::array links{};     ///< links the handler added ({"url", "type"})
    /// A workflow-run operation's start: the handler workflow's type and options (its input and
    /// request id are the operation's, which the owner holds).
    std::optional<workflow_start_command> start{};
    bool operator==(const nexus_report_command&) const = default;
};

/// A started standby whose workers run workflows asks the owner for the data. An owner that runs
/// none (never started, or its workers register no workflow type) hands it over: it commits what
/// it queued, gives its leases up and stands by, and the asking engine takes the data at its next
/// try. Answered {"hands_over": bool}.
struct engine_handover_command {
    bool operator==(const engine_handover_command&) const = default;
};

/// An engine that claimed an offered workflow task (store::claim_tasks) ran the workflow's code
/// over the run's history, which ended at `last_event_id`, at `time_us`, and reports what the
/// activation asked for: its commands in order (each as machines/command.hpp's command_to_json
/// makes it), or the task's failure ({"cause": int, "message": text}). At a continue-as-new,
/// `unread_signals` ([[name, input], ...]) go to the next run. `updates` says what it did with
/// each update the offer carried: [{"id", "result": "accepted" | "rejected" | "known",
/// "message" (a rejection's), "outcome" (a known update's, when it completed)}]; the accepted
/// ones' WorkflowExecutionUpdateAccepted, numbered after `last_event_id` in that order, were
/// applied before the commands were made. Answered {"applied": bool}: false when the run closed
/// or its history grew meanwhile (the owner offers the task again).
struct workflow_task_command {
    std::int64_t run_key = 0, last_event_id = 0, time_us = 0;
    boost::json::array commands{};
    boost::json::value failure{};
    boost::json::array unread_signals{};
    std::string identity{};   ///< the engine that ran it (Temporal's worker identity)
    boost::json::array updates{};
    bool operator==(const workflow_task_command&) const = default;
};

/// An engine that claimed an offered query of a run whose workflow it runs (task_kind::query)
/// replayed the run's history and answers it: the query handler's `answer`, or the message of
/// the query's failure (a handler that threw, a query name the workflow does not know, a history
/// it could not replay). Answered {"answered": bool}: false when nobody waits for it any more
/// (the owner gave up, or another owner made the offer).
struct workflow_query_answer_command {
    std::int64_t run_key = 0;
    std::string query_id{};
    boost::json::value answer{};
    std::string failure{};   ///< empty: answered
    bool operator==(const workflow_query_answer_command&) const = default;
};

/// One change (or question) another process asks the owner to make.
using inbox_command =
    std::variant<namespace_create_command, namespace_update_command, namespace_delete_command, endpoint_create_command,
                 endpoint_update_command, endpoint_delete_command, workflow_signal_command, workflow_cancel_command,
                 workflow_terminate_command, workflow_start_command, workflow_query_command, workflow_update_command,
                 workflow_delete_command, search_attribute_create_command, search_attribute_remove_command,
                 activity_report_command, nexus_report_command, endpoint_health_command, engine_handover_command,
                 workflow_task_command, workflow_query_answer_command>;

/// The protocol's name of a command's kind ("namespace.create"), as stored and as the CLI prints it.
std::string_view inbox_op_name(const inbox_command&);

/// A namespace as a command left it.
struct namespace_answer {
    std::string name, description;
    std::chrono::milliseconds retention{0};
    bool operator==(const namespace_answer&) const = default;
};

/// A Nexus endpoint as a command left it.
struct endpoint_answer {
    std::string id;
    std::int64_t version = 0;
    std::string name, target_namespace, target_task_queue, description;
    double max_operations_per_second = 0;
    bool operator==(const endpoint_answer&) const = default;
};

/// The run a start made (or found, for a retried request id).
struct workflow_started_answer {
    std::string workflow_id, run_id;
    std::string first_execution_run_id{};   ///< the chain's first run when not this one (else empty)
    bool operator==(const workflow_started_answer&) const = default;
};

/// A query's answer, an update's result or an endpoint's health, as JSON.
struct payload_answer {
    boost::json::value value;
    bool operator==(const payload_answer&) const = default;
};

/// Why a command failed: the perdure::error its sender throws.
struct inbox_failure {
    errc code = errc::failed_precondition;
    std::string message;
    std::string run_id{};   ///< a start refused because the id is taken: the run that holds it
    /// An update that failed or was rejected: its failure record (failure::to_json), so the
    /// sender throws the typed exception the owner's own client would; null otherwise.
    boost::json::value failure{};
    bool rejected = false;   ///< the update's validator refused it (update_rejected_error)
    /// The engine that took the command stopped before it finished, so it may have been made;
    /// one that is safe to make again (an update with its id) is sent again.
    bool unfinished = false;
    bool operator==(const inbox_failure&) const = default;
};

/// How many times a sender sends a command again after the engines that took it stopped before
/// finishing it (each time another engine took the data over).
inline constexpr int max_resends = 3;

/// Whether the sender of `command`, answered `failure` after sending it again `resent` times,
/// sends it once more: the engine that took it stopped before finishing it, and the command is
/// safe to make again. Only an update named by its id is, as Temporal's clients retry one: the
/// engine that takes it again finds the first one's outcome, or makes it for the first time.
inline bool send_again(const inbox_command& command, const inbox_failure& failure, int resent) {
    const auto* update = std::get_if<workflow_update_command>(&command);
    return failure.unfinished && update && !update->update_id.empty() && resent < max_resends;
}

/// What the owner answers a command with: nothing to report (a delete, a signal), the namespace
/// or endpoint as the command left it, or why it failed.
using inbox_answer = std::variant<std::monostate, namespace_answer, endpoint_answer, inbox_failure,
                                  workflow_started_answer, payload_answer>;

/// An answer as a JSON object: {} for none, the namespace or endpoint, {"workflow_id", "run_id"}
/// for a start, {"value"} for a query, an update or a health, {"error", "code"} for a failure. It is the answer's stored form, and the "result" the CLI prints whichever way the
/// command went (through the inbox, or applied by the CLI itself), so both read the same.
boost::json::object answer_json(const inbox_answer&);

/// A pending command as its owner reads it. A stored command that cannot be read (damaged, or
/// written by a newer sender) has no `command`, and `unreadable` says why: the owner answers it
/// with that as an invalid_argument failure instead of guessing.
struct pending_command {
    std::int64_t id = 0;
    std::optional<inbox_command> command;
    std::string unreadable;
};

/// Where a command left in the inbox stands, as its sender sees it.
struct inbox_status {
    enum class stage {
        pending,     ///< nobody took it yet; withdrawing it is still possible
        claimed,     ///< the owner took it and is applying it
        answered,    ///< `answer` holds the outcome
        withdrawn,   ///< its sender withdrew it; it never runs
    };
    stage at = stage::pending;
    inbox_answer answer;
};

}   // namespace perdure::detail
