// The public client, handle, engine, registry and worker classes: thin blocking wrappers over
// the engine core's callback operations.
#include "client/blocking.hpp"
#include "client/core_access.hpp"
#include "client/reads.hpp"

#include <perdure/client.hpp>
#include <perdure/detail/async_entry.hpp>
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

const char* to_string(pending_activity_state s) noexcept {
    switch (s) {
    case pending_activity_state::scheduled: return "scheduled";
    case pending_activity_state::started: return "started";
    case pending_activity_state::cancel_requested: return "cancel_requested";
    }
    return "unknown";
}

const char* to_string(pending_nexus_operation_state s) noexcept {
    switch (s) {
    case pending_nexus_operation_state::scheduled: return "scheduled";
    case pending_nexus_operation_state::backing_off: return "backing_off";
    case pending_nexus_operation_state::started: return "started";
    case pending_nexus_operation_state::blocked: return "blocked";
    }
    return "unknown";
}

// ---------------------------------------------------------------- client

// Each blocking call waits for its async entry point (perdure/detail/async_entry.hpp), so the
// two forms share one path into the engine.

detail::started_run client::start_(std::string_view type, boost::json::value input, start_workflow_options options) {
    return wait_for<detail::started_run>(*core_, "start_workflow", [&](auto cb) {
        detail::async_start_workflow(*this, std::string(type), std::move(input), std::move(options), std::move(cb));
    });
}

detail::started_run client::signal_with_start_(std::string_view type, boost::json::value input, std::string_view signal,
                                               boost::json::value arg, start_workflow_options options) {
    return wait_for<detail::started_run>(*core_, "signal_with_start", [&](auto cb) {
        detail::async_signal_with_start(*this, std::string(type), std::move(input), std::string(signal), std::move(arg),
                                        std::move(options), std::move(cb));
    });
}

std::vector<workflow_execution_info> client::list(std::optional<workflow_status> status, std::size_t limit,
                                                  std::string_view after) {
    return wait_for<std::vector<workflow_execution_info>>(
        *core_, "list", [&](auto cb) { detail::async_list(*this, status, limit, std::string(after), std::move(cb)); });
}

workflow_page client::list(std::string_view query, std::size_t page_size, std::string_view page_token) {
    return wait_for<workflow_page>(*core_, "list", [&](auto cb) {
        detail::query_runs(*core_, ns_, std::string(query), page_size, std::string(page_token), std::move(cb));
    });
}

std::int64_t client::count(std::string_view query) {
    return wait_for<workflow_counts>(
               *core_, "count",
               [&](auto cb) { detail::count_runs(*core_, ns_, std::string(query), false, std::move(cb)); })
        .count;
}

workflow_counts client::count_groups(std::string_view query) {
    return wait_for<workflow_counts>(*core_, "count_groups", [&](auto cb) {
        detail::count_runs(*core_, ns_, std::string(query), true, std::move(cb));
    });
}

void client::delete_workflow(std::string_view workflow_id, std::string_view run_id) {
    wait_for<bool>(*core_, "delete_workflow", [&](auto cb) {
        detail::async_delete_workflow(*this, std::string(workflow_id), std::string(run_id), std::move(cb));
    });
}

namespace detail {
namespace {

engine_core& core_of(const perdure::client& c) { return *core_access::core(c); }

}   // namespace

void workflow_handle_base::cancel() {
    wait_for<bool>(core_of(client_), "cancel", [&](auto cb) { async_cancel(*this, std::move(cb)); });
}

void workflow_handle_base::terminate(std::string reason) {
    wait_for<bool>(core_of(client_), "terminate",
                   [&](auto cb) { async_terminate(*this, std::move(reason), std::move(cb)); });
}

workflow_execution_info workflow_handle_base::describe() {
    return wait_for<workflow_execution_info>(core_of(client_), "describe",
                                             [&](auto cb) { async_describe(*this, std::move(cb)); });
}

std::vector<history_event> workflow_handle_base::history() {
    return wait_for<std::vector<history_event>>(core_of(client_), "history",
                                                [&](auto cb) { async_history(*this, std::move(cb)); });
}

void workflow_handle_base::signal_json(std::string_view name, boost::json::value arg) {
    wait_for<bool>(core_of(client_), "signal",
                   [&](auto cb) { async_signal(*this, std::string(name), std::move(arg), std::move(cb)); });
}

boost::json::value workflow_handle_base::query_json(std::string_view name, boost::json::value arg) {
    return wait_for<boost::json::value>(core_of(client_), "query", [&](auto cb) {
        async_query(*this, std::string(name), std::move(arg), std::move(cb));
    });
}

boost::json::value workflow_handle_base::update_json(std::string_view name, boost::json::value arg,
                                                     std::string update_id) {
    return wait_for<boost::json::value>(core_of(client_), "update", [&](auto cb) {
        async_update(*this, std::string(name), std::move(arg), std::move(update_id), std::move(cb));
    });
}

boost::json::value workflow_handle_base::get_json() {
    return wait_for<boost::json::value>(
        core_of(client_), "get", [&](auto cb) { async_get_result(client_, workflow_id_, run_id_, std::move(cb)); });
}

}   // namespace detail

// ---------------------------------------------------------------- namespaces

namespace_info namespace_registry::create(std::string name, std::string description) {
    return wait_for<namespace_info>(*core_, "namespaces().create", [&](auto cb) {
        detail::async_create(*this, std::move(name), std::move(description), false, std::move(cb));
    });
}

namespace_info namespace_registry::ensure(std::string name, std::string description) {
    return wait_for<namespace_info>(*core_, "namespaces().ensure", [&](auto cb) {
        detail::async_create(*this, std::move(name), std::move(description), true, std::move(cb));
    });
}

std::vector<namespace_info> namespace_registry::list() {
    return wait_for<std::vector<namespace_info>>(*core_, "namespaces().list",
                                                 [&](auto cb) { detail::async_list(*this, std::move(cb)); });
}

namespace_info namespace_registry::describe(std::string_view name) {
    return wait_for<namespace_info>(*core_, "namespaces().describe",
                                    [&](auto cb) { detail::async_describe(*this, std::string(name), std::move(cb)); });
}

namespace_info namespace_registry::set_retention(std::string_view name, std::chrono::milliseconds retention) {
    return wait_for<namespace_info>(*core_, "namespaces().set_retention", [&](auto cb) {
        detail::async_set_retention(*this, std::string(name), retention, std::move(cb));
    });
}

void namespace_registry::remove(std::string_view name) {
    wait_for<bool>(*core_, "namespaces().remove",
                   [&](auto cb) { detail::async_remove(*this, std::string(name), std::move(cb)); });
}

void namespace_registry::add_search_attribute(std::string_view ns, std::string_view name, search_attribute_type type) {
    wait_for<bool>(*core_, "namespaces().add_search_attribute", [&](auto cb) {
        core_->add_search_attribute(std::string(ns), std::string(name), type, std::move(cb));
    });
}

std::map<std::string, search_attribute_type> namespace_registry::search_attributes(std::string_view ns) {
    return wait_for<std::map<std::string, search_attribute_type>>(
        *core_, "namespaces().search_attributes",
        [&](auto cb) { core_->list_search_attributes(std::string(ns), std::move(cb)); });
}

void namespace_registry::remove_search_attribute(std::string_view ns, std::string_view name) {
    wait_for<bool>(*core_, "namespaces().remove_search_attribute",
                   [&](auto cb) { core_->remove_search_attribute(std::string(ns), std::string(name), std::move(cb)); });
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
    return workers_.emplace_back(worker(core_, std::string(ns), std::string(task_queue)));
}

client engine::client_for(std::string_view ns) {
    if (!core_->namespace_id_snapshot(ns))
        throw not_found("namespace '" + std::string(ns) +
                        "' does not exist; create it with engine.namespaces().ensure(name)");
    return detail::core_access::make_client(core_, std::string(ns));
}

perdure::client nexus::operation_context::client() const {
    return perdure::detail::core_access::make_client(engine_, ns);
}

}   // namespace perdure
