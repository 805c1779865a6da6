// Replays a recorded history into a fresh instance: activation by activation, matching each
// activation's commands against the command events that followed it.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"

#include <optional>
#include <span>
#include <vector>

namespace perdure::detail {

struct replay_result {
    /// Inbound events after the last recorded activation: the next live activation's input.
    std::vector<event> tail{};
    std::optional<task_failure> failure{};
    /// The last event id in the history.
    std::int64_t last_event_id = 0;
};

replay_result replay(workflow_instance&, std::span<const event> history);

}   // namespace perdure::detail
