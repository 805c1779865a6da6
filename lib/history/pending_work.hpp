// What a run's committed history says it still waits for: activities scheduled and not closed,
// children initiated and not closed, Nexus operations scheduled without an outcome. Pure: the
// engine overlays what only its memory knows (attempts, running, failures of attempts).
#pragma once

#include "history/event.hpp"

#include <perdure/pending_work.hpp>

#include <vector>

namespace perdure::detail {

struct pending_work {
    std::vector<pending_activity_info> activities;
    std::vector<pending_child_info> children;
    std::vector<pending_nexus_operation_info> nexus_operations;
};

/// Reads `history` (one run's events, in order) for the work still open at its end.
pending_work pending_from_history(const std::vector<event>& history);

}   // namespace perdure::detail
