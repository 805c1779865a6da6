// Worker registrations and the overrides that replace them.
#include "runtime/worker_registry.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

void worker_registry::add_queue(std::int64_t ns_id, const std::string& task_queue) {
    std::lock_guard lk(mutex_);
    queues_[{ns_id, task_queue}];
}

void worker_registry::add_workflow(std::int64_t ns_id, const std::string& task_queue, const std::string& name,
                                   workflow_function fn) {
    if (name.empty()) throw invalid_argument("a workflow type name must not be empty");
    std::lock_guard lk(mutex_);
    auto& q = queues_[{ns_id, task_queue}];
    if (!q.workflows.emplace(name, std::move(fn)).second)
        throw already_exists("workflow type " + name + " is already registered on task queue " + task_queue);
}

void worker_registry::add_activity(std::int64_t ns_id, const std::string& task_queue, const std::string& name,
                                   activity_function fn) {
    if (name.empty()) throw invalid_argument("an activity type name must not be empty");
    std::lock_guard lk(mutex_);
    auto& q = queues_[{ns_id, task_queue}];
    if (!q.activities.emplace(name, std::move(fn)).second)
        throw already_exists("activity type " + name + " is already registered on task queue " + task_queue);
}

void worker_registry::add_service(std::int64_t ns_id, const std::string& task_queue, const nexus::service& s) {
    std::lock_guard lk(mutex_);
    auto& q = queues_[{ns_id, task_queue}];
    if (!q.services.emplace(s.name(), s).second)
        throw already_exists("Nexus service " + s.name() + " is already registered on task queue " + task_queue);
}

std::optional<nexus::detail::operation_definition> worker_registry::nexus_operation(
    std::int64_t ns_id, const std::string& task_queue, const std::string& service, const std::string& operation) const {
    std::lock_guard lk(mutex_);
    auto q = queues_.find({ns_id, task_queue});
    if (q == queues_.end()) return std::nullopt;
    auto s = q->second.services.find(service);
    if (s == q->second.services.end()) return std::nullopt;
    for (const auto& op : s->second.operations())
        if (op.name == operation) return op;
    return std::nullopt;
}

bool worker_registry::serves_nexus(std::int64_t ns_id, const std::string& task_queue) const {
    std::lock_guard lk(mutex_);
    auto q = queues_.find({ns_id, task_queue});
    return q != queues_.end() && !q->second.services.empty();
}

bool worker_registry::serves_workflows() const {
    std::lock_guard lk(mutex_);
    for (const auto& [key, q] : queues_)
        if (!q.workflows.empty()) return true;
    return false;
}

bool worker_registry::has_queue(std::int64_t ns_id, const std::string& task_queue) const {
    std::lock_guard lk(mutex_);
    return queues_.contains({ns_id, task_queue});
}

std::optional<workflow_registration> worker_registry::workflow(std::int64_t ns_id, const std::string& task_queue,
                                                               const std::string& name) const {
    std::lock_guard lk(mutex_);
    auto q = queues_.find({ns_id, task_queue});
    if (q == queues_.end()) return std::nullopt;
    auto it = q->second.workflows.find(name);
    if (it == q->second.workflows.end()) return std::nullopt;
    return workflow_registration{it->first, it->second};
}

void worker_registry::override_activity(const std::string& name, activity_function fn) {
    std::lock_guard lk(mutex_);
    activity_overrides_[name] = std::move(fn);
}

void worker_registry::override_nexus_operation(const std::string& service, nexus_override o) {
    std::lock_guard lk(mutex_);
    auto key = std::pair{service, o.operation.name};
    nexus_overrides_.insert_or_assign(std::move(key), std::move(o));
}

std::optional<nexus_override> worker_registry::nexus_operation_override(const std::string& service,
                                                                        const std::string& operation) const {
    std::lock_guard lk(mutex_);
    auto it = nexus_overrides_.find({service, operation});
    if (it == nexus_overrides_.end()) return std::nullopt;
    return it->second;
}

std::optional<activity_registration> worker_registry::activity(std::int64_t ns_id, const std::string& task_queue,
                                                               const std::string& name) const {
    std::lock_guard lk(mutex_);
    if (auto o = activity_overrides_.find(name); o != activity_overrides_.end())
        return activity_registration{name, o->second};
    auto q = queues_.find({ns_id, task_queue});
    if (q == queues_.end()) return std::nullopt;
    auto it = q->second.activities.find(name);
    if (it == q->second.activities.end()) return std::nullopt;
    return activity_registration{it->first, it->second};
}

std::vector<std::string> worker_registry::workflow_names(std::int64_t ns_id, const std::string& task_queue) const {
    std::lock_guard lk(mutex_);
    std::vector<std::string> out;
    if (auto q = queues_.find({ns_id, task_queue}); q != queues_.end())
        for (const auto& [n, f] : q->second.workflows) out.push_back(n);
    return out;
}

std::vector<std::string> worker_registry::activity_names(std::int64_t ns_id, const std::string& task_queue) const {
    std::lock_guard lk(mutex_);
    std::vector<std::string> out;
    if (auto q = queues_.find({ns_id, task_queue}); q != queues_.end())
        for (const auto& [n, f] : q->second.activities) out.push_back(n);
    return out;
}

std::vector<worker_registry::queue_names> worker_registry::registered(kind what, std::int64_t ns_id) const {
    std::lock_guard lk(mutex_);
    std::vector<queue_names> out;
    auto add = [&](const auto& key, const auto& by_name) {
        if (by_name.empty() || (ns_id != 0 && key.first != ns_id)) return;
        auto& q = out.emplace_back(queue_names{key.first, key.second, {}});
        for (const auto& [name, _] : by_name) q.names.push_back(name);
    };
    for (const auto& [key, q] : queues_) switch (what) {
        case kind::workflows: add(key, q.workflows); break;
        case kind::activities: add(key, q.activities); break;
        case kind::services: add(key, q.services); break;
        }
    return out;
}

}   // namespace perdure::detail
