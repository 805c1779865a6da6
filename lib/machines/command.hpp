// Commands: what an activation asks for. Each becomes exactly one history event whose
// attributes are the command's (plus workflow_task_completed_event_id); replay matches
// recorded events against new commands the way Temporal's SDKs do.
#pragma once

#include "history/event.hpp"

#include <perdure/search_attributes.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace perdure::detail {

class machine;

enum class command_kind {
    schedule_activity,
    request_cancel_activity,
    start_timer,
    cancel_timer,
    record_marker,
    complete_workflow,
    fail_workflow,
    cancel_workflow,
    continue_as_new,
    start_child_workflow,
    signal_external,
    request_cancel_external,
    schedule_nexus_operation,
    request_cancel_nexus_operation,
    complete_update,
    upsert_search_attributes,
    modify_workflow_properties,
};

struct command {
    command_kind kind{};
    boost::json::object attrs{};   ///< becomes the event's attributes
    machine* owner = nullptr;      ///< told the event id once the command is recorded
    bool dropped = false;          ///< cancelled in the same activation: neither is recorded
    /// The values an upsert (or a child start) gives, untyped: workflow code cannot know the
    /// registered types, so the engine types them against the namespace before recording.
    search_attributes values{};
};

/// The history event a command produces.
event_type event_type_of(command_kind) noexcept;
/// Temporal's command name, e.g. "ScheduleActivityTask".
const char* command_name(command_kind) noexcept;

/// Whether a recorded event is the one this command would produce, by Temporal's rules:
/// activity by type, timer by id, marker by name, child by type, Nexus by service and
/// operation, signal-external by name and workflow id; never by input or options.
bool command_matches(const command&, const event&);

/// Short human descriptions for nondeterminism messages.
std::string describe(const command&);
std::string describe(const event&);

/// A command as it travels to the engine that records it (a workflow task run by another
/// engine): {"kind": int, "attributes": {...}, "search_attributes": {...}}, the last only when
/// the command carries values. Its machine stays behind.
boost::json::object command_to_json(const command&);
/// Reads command_to_json's form (outside input: another process wrote it). Throws
/// invalid_argument saying what is wrong.
command command_from_json(const boost::json::value&);

}   // namespace perdure::detail
