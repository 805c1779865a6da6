// The public client, handle, engine, registry and worker classes: thin blocking wrappers over
// the engine core's callback operations.
#include "client/blocking.hpp"
#include "client/reads.hpp"

#include <perdure/client.hpp>
#include <perdure/engine.hpp>
#include <perdure/error.hpp>
#include <perdure/namespaces.hpp>
#include <perdure/worker.hpp>

namespace perdure {

using detail::wait_for;

const char* to_string(workflow_status s) noexcept {
    switch (s) {
    case workflow_status::running: return "running";
    case workflow_status::completed: return "completed";
    case workflow_status::failed: return "failed";
    case workflow_status::canceled: return "canceled";
    case workflow_status::terminated: return "terminated";
    case workflow_status::continued_as_new: return "continued_as_new";
    case workflow_status::timed_out: return "timed_out";
    }
    return "unknown";
}

// ---------------------------------------------------------------- client

detail::started_run client::start_(std::string_view type, boost::json::value input, start_workflow_options options) {
    return wait_for<detail::started_run>(*core_, "start_workflow", [&](auto cb) {
        core_->start_workflow(ns_, std::string(type), std::move(input), std::move(options), std::move(cb));
    });
}

detail::started_run client::signal_with_start_(std::string_view type, boost::json::value input,
                                               std::string_view signal, boost::json::value arg,
                                               start_workflow_options options) {
    return wait_for<detail::started_run>(*core_, "signal_with_start", [&](auto cb) {
        core_->signal_with_start(ns_, std::string(type), std::move(input), std::move(options), std::string(signal),
                                 std::move(arg), std::move(cb));
    });
}

std::vector<workflow_execution_info> client::list(std::optional<workflow_status> status, std::size_t limit,
                                                  std::string_view after) {
    return wait_for<std::vector<workflow_execution_info>>(*core_, "list", [&](auto cb) {
        detail::list_runs(*core_, ns_, status, limit, std::string(after), std::move(cb));
    });
}

namespace detail {

void workflow_handle_base::cancel() {
    auto& core = *client_.core();
    wait_for<bool>(core, "cancel", [&](auto cb) {
        core.cancel_workflow(client_.ns(), workflow_id_, addressed_run(), first_execution_run_id_, std::move(cb));
    });
}

void workflow_handle_base::terminate(std::string reason) {
    auto& core = *client_.core();
    wait_for<bool>(core, "terminate", [&](auto cb) {
        core.terminate_workflow(client_.ns(), workflow_id_, addressed_run(), first_execution_run_id_, std::move(reason),
                                std::move(cb));
    });
}

workflow_execution_info workflow_handle_base::describe() {
    auto& core = *client_.core();
    return wait_for<workflow_execution_info>(core, "describe", [&](auto cb) {
        describe_run(core, client_.ns(), workflow_id_, addressed_run(), std::move(cb));
    });
}

std::vector<history_event> workflow_handle_base::history() {
    auto& core = *client_.core();
    return wait_for<std::vector<history_event>>(core, "history", [&](auto cb) {
        read_history(core, client_.ns(), workflow_id_, addressed_run(), std::move(cb));
    });
}

void workflow_handle_base::signal_json(std::string_view name, boost::json::value arg) {
    auto& core = *client_.core();
    wait_for<bool>(core, "signal", [&](auto cb) {
        core.signal_workflow(client_.ns(), workflow_id_, addressed_run(), std::string(name), std::move(arg), std::move(cb));
    });
}

boost::json::value workflow_handle_base::query_json(std::string_view name, boost::json::value arg) {
    auto& core = *client_.core();
    return wait_for<boost::json::value>(core, "query", [&](auto cb) {
        core.query_workflow(client_.ns(), workflow_id_, addressed_run(), std::string(name), std::move(arg), std::move(cb));
    });
}

boost::json::value workflow_handle_base::update_json(std::string_view name, boost::json::value arg, std::string update_id) {
    auto& core = *client_.core();
    return wait_for<boost::json::value>(
        core, "update",
        [&](auto cb) {
            core.update_workflow(client_.ns(), workflow_id_, addressed_run(), std::string(name), std::move(arg),
                                 std::move(update_id), std::move(cb));
        },
        waiting::for_progress);
}

boost::json::value workflow_handle_base::get_json() {
    auto& core = *client_.core();
    return wait_for<boost::json::value>(
        core, "get", [&](auto cb) { core.get_result(client_.ns(), workflow_id_, run_id_, std::move(cb)); },
        waiting::for_progress);
}

}  // namespace detail

// ---------------------------------------------------------------- namespaces

namespace_info namespace_registry::create(std::string name, std::string description) {
    return wait_for<namespace_info>(*core_, "namespaces().create", [&](auto cb) {
        core_->create_namespace(std::move(name), std::move(description), false, std::move(cb));
    });
}

namespace_info namespace_registry::ensure(std::string name, std::string description) {
    return wait_for<namespace_info>(*core_, "namespaces().ensure", [&](auto cb) {
        core_->create_namespace(std::move(name), std::move(description), true, std::move(cb));
    });
}

std::vector<namespace_info> namespace_registry::list() {
    return wait_for<std::vector<namespace_info>>(*core_, "namespaces().list",
                                                 [&](auto cb) { core_->list_namespaces(std::move(cb)); });
}

namespace_info namespace_registry::describe(std::string_view name) {
    return wait_for<namespace_info>(*core_, "namespaces().describe",
                                    [&](auto cb) { core_->describe_namespace(std::string(name), std::move(cb)); });
}

namespace_info namespace_registry::set_retention(std::string_view name, std::chrono::milliseconds retention) {
    return wait_for<namespace_info>(*core_, "namespaces().set_retention", [&](auto cb) {
        core_->set_namespace_retention(std::string(name), retention, std::move(cb));
    });
}

void namespace_registry::remove(std::string_view name) {
    wait_for<bool>(*core_, "namespaces().remove",
                   [&](auto cb) { core_->remove_namespace(std::string(name), std::move(cb)); });
}

// ---------------------------------------------------------------- workers

worker::worker(std::shared_ptr<detail::engine_core> core, std::string ns, std::string task_queue)
    : core_(std::move(core)), ns_(std::move(ns)), task_queue_(std::move(task_queue)) {}

void worker::add_workflow_(const std::string& name, const detail::workflow_function& fn) {
    const auto ns_id = core_->namespace_id_snapshot(ns_);
    if (!ns_id) throw not_found("namespace '" + ns_ + "' does not exist");
    core_->workers().add_workflow(*ns_id, task_queue_, name, fn);
    core_->on_workers_changed();
}

void worker::add_activity_(const std::string& name, const detail::activity_function& fn) {
    const auto ns_id = core_->namespace_id_snapshot(ns_);
    if (!ns_id) throw not_found("namespace '" + ns_ + "' does not exist");
    core_->workers().add_activity(*ns_id, task_queue_, name, fn);
    core_->on_workers_changed();
}

worker& worker::register_nexus_service(const nexus::service& s) {
    const auto ns_id = core_->namespace_id_snapshot(ns_);
    if (!ns_id) throw not_found("namespace '" + ns_ + "' does not exist");
    core_->workers().add_service(*ns_id, task_queue_, s);
    core_->on_workers_changed();
    return *this;
}

// ---------------------------------------------------------------- engine

engine::engine(engine_options options)
    : core_(std::make_shared<detail::engine_core>(std::move(options), nullptr)), namespaces_(core_), endpoints_(core_) {
    core_->post([c = core_.get()] { c->start_inbox(); });
}

engine::engine(boost::asio::io_context& io, engine_options options)
    : core_(std::make_shared<detail::engine_core>(std::move(options), &io)), namespaces_(core_), endpoints_(core_) {
    core_->post([c = core_.get()] { c->start_inbox(); });
}

engine::~engine() { shutdown(); }

void engine::start() { core_->start(); }

void engine::shutdown() { core_->shutdown(); }

worker& engine::add_worker(std::string_view ns, std::string_view task_queue) {
    const auto ns_id = core_->namespace_id_snapshot(ns);
    if (!ns_id)
        throw not_found("namespace '" + std::string(ns) +
                        "' does not exist; create it with engine.namespaces().ensure(name) before adding workers");
    if (task_queue.empty()) throw invalid_argument("a worker's task queue name must not be empty");
    for (auto& w : workers_)
        if (w.ns() == ns && w.task_queue() == task_queue) return w;
    core_->workers().add_queue(*ns_id, std::string(task_queue));
    core_->on_workers_changed();
    return workers_.emplace_back(core_, std::string(ns), std::string(task_queue));
}

client engine::client_for(std::string_view ns) {
    if (!core_->namespace_id_snapshot(ns))
        throw not_found("namespace '" + std::string(ns) +
                        "' does not exist; create it with engine.namespaces().ensure(name)");
    return client(core_, std::string(ns));
}

}  // namespace perdure
