// A worker serves one (namespace, task queue): the workflows, activities and Nexus services
// registered on it run when work arrives on that queue.
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/nexus/service.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace perdure {

namespace detail {
class engine_core;
struct core_access;
}   // namespace detail

class worker {
public:
    /// Registers a workflow type by its name. Throws already_exists for a second, different
    /// registration of the same name on this worker.
    template <class R, class I>
    worker& register_workflow(const workflow_def<R, I>& def) {
        add_workflow_(def.name(), def.function());
        return *this;
    }
    /// Registers an activity type by its name.
    template <class R, class I>
    worker& register_activity(const activity_def<R, I>& def) {
        add_activity_(def.name(), def.function());
        return *this;
    }

    /// Registers a Nexus service; callers reach it through an endpoint targeting this worker's
    /// namespace and task queue. Throws already_exists for a second service of the same name.
    worker& register_nexus_service(const nexus::service& s);

    const std::string& ns() const noexcept { return ns_; }
    const std::string& task_queue() const noexcept { return task_queue_; }

private:
    friend class engine;
    worker(std::shared_ptr<detail::engine_core> core, std::string ns, std::string task_queue);
    void add_workflow_(const std::string& name, const detail::workflow_function& fn);
    void add_activity_(const std::string& name, const detail::activity_function& fn);

    std::shared_ptr<detail::engine_core> core_;
    std::string ns_, task_queue_;
};

}   // namespace perdure
