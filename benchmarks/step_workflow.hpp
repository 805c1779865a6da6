// The step workflow of step_latency and long_history, shared with the scenarios that time
// steps while something else happens (retention).
#pragma once

#include <perdure/perdure.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace perdure::bench {

extern const perdure::activity_def<int, int> echo_activity;
/// Runs `steps` sequential activities; returns the microseconds between consecutive activations.
extern const perdure::workflow_def<std::vector<std::int64_t>, int> steps_workflow;

/// Runs steps_workflow on `task_queue` (a worker must serve it) and returns its step times in µs.
std::vector<double> time_steps(perdure::client c, const std::string& task_queue, const std::string& id, int steps);

}   // namespace perdure::bench
