// What a standby claims from the shared task table: activity attempts, Nexus handler attempts
// and workflow tasks, each kind with its own places (activity_threads, nexus_handler_threads,
// and a few workflow tasks, run on the strand).
#pragma once

#include "runtime/claimed_activities.hpp"
#include "runtime/claimed_nexus_operations.hpp"
#include "runtime/claimed_workflow_tasks.hpp"

namespace perdure::detail {

struct task_claimers {
    claimed_activities activities;
    claimed_nexus_operations nexus;
    claimed_workflow_tasks workflows;

    /// Claims what is offered on the served queues (of namespace `ns_id` only, when not 0).
    void claim(std::int64_t ns_id = 0) {
        activities.claim(ns_id);
        nexus.claim(ns_id);
        workflows.claim(ns_id);
    }
    void poll_if_due() {
        activities.poll_if_due();
        nexus.poll_if_due();
        workflows.poll_if_due();
    }
    void stop() {
        activities.stop();
        nexus.stop();
        workflows.stop();
    }
    void join() {
        activities.join();
        nexus.join();
    }
};

}   // namespace perdure::detail
