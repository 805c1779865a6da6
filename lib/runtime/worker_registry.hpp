// Which workflows and activities each (namespace, task queue) serves, and the overrides that
// replace a registration everywhere. Written by worker registration on any thread, read by the
// strand; guarded by a mutex (lookups are short).
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/nexus/service.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace perdure::detail {

struct activity_registration {
    std::string name;
    activity_function fn;
};

struct workflow_registration {
    std::string name;
    workflow_function fn;
};

/// A Nexus operation that replaces the one of its service and name on every queue, whether a
/// worker serves that queue or not. Its handler is the definition's `sync` function.
struct nexus_override {
    nexus::detail::operation_definition operation;
    /// Unset: the handler answers the start, as a sync operation's does. Set: the operation is
    /// asynchronous without a workflow behind it: it starts at once (NexusOperationStarted with
    /// token `token_prefix` + request id, no handler call), and its handler runs this long later,
    /// in engine time, its answer being the completion. The deferred completion lives in memory
    /// only (it is not a stored deadline), so it does not survive a restart of the engine.
    std::optional<std::chrono::milliseconds> complete_after{};
    std::string token_prefix{};
};

class worker_registry {
public:
    void add_queue(std::int64_t ns_id, const std::string& task_queue);
    /// Throws already_exists if the name is taken on this queue.
    void add_workflow(std::int64_t ns_id, const std::string& task_queue, const std::string& name, workflow_function fn);
    void add_activity(std::int64_t ns_id, const std::string& task_queue, const std::string& name, activity_function fn);
    /// Throws already_exists if the service name is taken on this queue.
    void add_service(std::int64_t ns_id, const std::string& task_queue, const nexus::service& s);
    /// The operation of a service served on the queue, if any.
    std::optional<nexus::detail::operation_definition> nexus_operation(std::int64_t ns_id,
                                                                       const std::string& task_queue,
                                                                       const std::string& service,
                                                                       const std::string& operation) const;

    /// Overrides replace an activity type or a Nexus operation on every queue of every namespace,
    /// ahead of what workers registered; a later override of the same name replaces an earlier
    /// one. The engine does not know who sets them (the test environment builds its doubles on them).
    void override_activity(const std::string& name, activity_function fn);
    void override_nexus_operation(const std::string& service, nexus_override o);
    std::optional<nexus_override> nexus_operation_override(const std::string& service,
                                                           const std::string& operation) const;

    /// Whether a worker on the queue registered any Nexus service.
    bool serves_nexus(std::int64_t ns_id, const std::string& task_queue) const;
    /// Whether a worker registered any workflow type, on any queue.
    bool serves_workflows() const;
    /// Whether any worker serves the queue.
    bool has_queue(std::int64_t ns_id, const std::string& task_queue) const;
    std::optional<workflow_registration> workflow(std::int64_t ns_id, const std::string& task_queue,
                                                  const std::string& name) const;
    std::optional<activity_registration> activity(std::int64_t ns_id, const std::string& task_queue,
                                                  const std::string& name) const;
    std::vector<std::string> workflow_names(std::int64_t ns_id, const std::string& task_queue) const;
    std::vector<std::string> activity_names(std::int64_t ns_id, const std::string& task_queue) const;
    /// A queue and the names registered on it.
    struct queue_names {
        std::int64_t ns_id;
        std::string task_queue;
        std::vector<std::string> names;
    };
    enum class kind { workflows, activities, services };
    /// Each (namespace, task queue) on which a worker registered names of `what` (workflow
    /// types, activity types, Nexus services); of namespace `ns_id` only, when not 0.
    std::vector<queue_names> registered(kind what, std::int64_t ns_id) const;

private:
    struct queue {
        std::map<std::string, workflow_function> workflows;
        std::map<std::string, activity_function> activities;
        std::map<std::string, nexus::service> services;
    };
    mutable std::mutex mutex_;
    std::map<std::pair<std::int64_t, std::string>, queue> queues_;
    std::map<std::string, activity_function> activity_overrides_;
    std::map<std::pair<std::string, std::string>, nexus_override> nexus_overrides_;   // (service, operation)
};

}   // namespace perdure::detail
