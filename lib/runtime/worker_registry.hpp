// Which workflows and activities each (namespace, task queue) serves. Written by worker
// registration on any thread, read by the strand; guarded by a mutex (lookups are short).
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/nexus.hpp>

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

class worker_registry {
public:
    void add_queue(std::int64_t ns_id, const std::string& task_queue);
    /// Throws already_exists if the name is taken on this queue.
    void add_workflow(std::int64_t ns_id, const std::string& task_queue, const std::string& name, workflow_function fn);
    void add_activity(std::int64_t ns_id, const std::string& task_queue, const std::string& name, activity_function fn);
    /// Throws already_exists if the service name is taken on this queue.
    void add_service(std::int64_t ns_id, const std::string& task_queue, const nexus::service& s);
    /// The operation of a service served on the queue, if any.
    std::optional<nexus::detail::operation_definition> nexus_operation(std::int64_t ns_id, const std::string& task_queue,
                                                                       const std::string& service,
                                                                       const std::string& operation) const;

    /// Test doubles that replace an activity type or a Nexus operation on every queue.
    void mock_activity(const std::string& name, activity_function fn);
    void mock_nexus_operation(const std::string& service, nexus::detail::operation_definition def);
    bool nexus_operation_mocked(const std::string& service, const std::string& operation) const;

    /// Whether a worker on the queue registered any Nexus service.
    bool serves_nexus(std::int64_t ns_id, const std::string& task_queue) const;
    /// Whether any worker serves the queue.
    bool has_queue(std::int64_t ns_id, const std::string& task_queue) const;
    std::optional<workflow_registration> workflow(std::int64_t ns_id, const std::string& task_queue,
                                                  const std::string& name) const;
    std::optional<activity_registration> activity(std::int64_t ns_id, const std::string& task_queue,
                                                  const std::string& name) const;
    std::vector<std::string> workflow_names(std::int64_t ns_id, const std::string& task_queue) const;
    std::vector<std::string> activity_names(std::int64_t ns_id, const std::string& task_queue) const;

private:
    struct queue {
        std::map<std::string, workflow_function> workflows;
        std::map<std::string, activity_function> activities;
        std::map<std::string, nexus::service> services;
    };
    mutable std::mutex mutex_;
    std::map<std::pair<std::int64_t, std::string>, queue> queues_;
    std::map<std::string, activity_function> activity_mocks_;
    std::map<std::pair<std::string, std::string>, nexus::detail::operation_definition> nexus_mocks_;
};

}  // namespace perdure::detail
