// The library side of perdure/asio.hpp: async entry points over the engine core.
#include "client/reads.hpp"
#include "client/core_access.hpp"
#include "runtime/core.hpp"

#include <perdure/detail/async_entry.hpp>
#include <perdure/engine.hpp>

namespace perdure::detail {

namespace {

/// The engine behind a client call; the test environment starts it on the first one.
const std::shared_ptr<engine_core>& core_for_call(const client& c) {
    core_access::core(c)->on_client_call();
    return core_access::core(c);
}
const std::shared_ptr<engine_core>& core_for_call(const workflow_handle_base& h) { return core_for_call(h.client()); }

}   // namespace

void async_start_workflow(const client& c, std::string type, boost::json::value input, start_workflow_options options,
                          async_callback<started_run> cb) {
    core_for_call(c)->start_workflow(c.ns(), std::move(type), std::move(input), std::move(options), std::move(cb));
}

namespace {

/// A call a client waits on while workflows make progress (get, update): the test
/// environment's clock may skip while it is outstanding, as for the blocking forms.
template <class T>
async_callback<T> awaiting_progress(const std::shared_ptr<engine_core>& core, async_callback<T> cb) {
    core->waiting().add(1);
    // Not the core itself: the core keeps this callback until it answers, and an answer that
    // never comes (a wait given up on) must not keep the core alive.
    return [gate = &core->waiting(), cb = std::move(cb)](std::exception_ptr e, T v) {
        gate->add(-1);
        cb(e, std::move(v));
    };
}

}   // namespace

void async_get_result(const client& c, std::string wid, std::string rid, async_callback<boost::json::value> cb) {
    core_for_call(c)->get_result(c.ns(), std::move(wid), std::move(rid),
                                 awaiting_progress(core_access::core(c), std::move(cb)));
}

void async_cancel(const workflow_handle_base& h, async_callback<bool> cb) {
    core_for_call(h)->cancel_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(), h.first_execution_run_id(),
                                      std::move(cb));
}

void async_terminate(const workflow_handle_base& h, std::string reason, async_callback<bool> cb) {
    core_for_call(h)->terminate_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(),
                                         h.first_execution_run_id(), std::move(reason), std::move(cb));
}

void async_delete_workflow(const client& c, std::string workflow_id, std::string run_id, async_callback<bool> cb) {
    core_for_call(c)->delete_workflow(c.ns(), std::move(workflow_id), std::move(run_id), std::move(cb));
}

void async_describe(const workflow_handle_base& h, async_callback<workflow_execution_info> cb) {
    describe_run(*core_for_call(h), h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(cb));
}

void async_history(const workflow_handle_base& h, async_callback<std::vector<history_event>> cb) {
    read_history(*core_for_call(h), h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(cb));
}

void async_signal_with_start(const client& c, std::string type, boost::json::value input, std::string signal,
                             boost::json::value arg, start_workflow_options options, async_callback<started_run> cb) {
    core_for_call(c)->signal_with_start(c.ns(), std::move(type), std::move(input), std::move(options),
                                        std::move(signal), std::move(arg), std::move(cb));
}

void async_list(const client& c, std::optional<workflow_status> status, std::size_t limit, std::string after,
                async_callback<std::vector<workflow_execution_info>> cb) {
    list_runs(*core_for_call(c), c.ns(), status, limit, std::move(after), std::move(cb));
}

void async_signal(const workflow_handle_base& h, std::string name, boost::json::value arg, async_callback<bool> cb) {
    core_for_call(h)->signal_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(name),
                                      std::move(arg), std::move(cb));
}

void async_query(const workflow_handle_base& h, std::string name, boost::json::value arg,
                 async_callback<boost::json::value> cb) {
    core_for_call(h)->query_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(name),
                                     std::move(arg), std::move(cb));
}

void async_update(const workflow_handle_base& h, std::string name, boost::json::value arg, std::string update_id,
                  async_callback<boost::json::value> cb) {
    const auto& core = core_for_call(h);
    core->update_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(name), std::move(arg),
                          std::move(update_id), awaiting_progress(core, std::move(cb)));
}

void async_create(const namespace_registry& r, std::string name, std::string description, bool ensure,
                  async_callback<namespace_info> cb) {
    core_access::core(r)->create_namespace(std::move(name), std::move(description), ensure, std::move(cb));
}

void async_list(const namespace_registry& r, async_callback<std::vector<namespace_info>> cb) {
    core_access::core(r)->list_namespaces(std::move(cb));
}

void async_describe(const namespace_registry& r, std::string name, async_callback<namespace_info> cb) {
    core_access::core(r)->describe_namespace(std::move(name), std::move(cb));
}

void async_set_retention(const namespace_registry& r, std::string name, std::chrono::milliseconds retention,
                         async_callback<namespace_info> cb) {
    core_access::core(r)->set_namespace_retention(std::move(name), retention, std::move(cb));
}

void async_remove(const namespace_registry& r, std::string name, async_callback<bool> cb) {
    core_access::core(r)->remove_namespace(std::move(name), std::move(cb));
}

void async_create(const nexus::endpoint_registry& r, nexus::endpoint_spec spec, bool ensure,
                  async_callback<nexus::endpoint> cb) {
    core_access::core(r)->create_endpoint(std::move(spec), ensure, std::move(cb));
}

void async_list(const nexus::endpoint_registry& r, async_callback<std::vector<nexus::endpoint>> cb) {
    core_access::core(r)->list_endpoints(std::move(cb));
}

void async_describe(const nexus::endpoint_registry& r, std::string name, async_callback<nexus::endpoint> cb) {
    core_access::core(r)->describe_endpoint(std::move(name), std::move(cb));
}

void async_update(const nexus::endpoint_registry& r, std::string name, nexus::endpoint_update change,
                  async_callback<nexus::endpoint> cb) {
    core_access::core(r)->update_endpoint(std::move(name), std::move(change), std::move(cb));
}

void async_remove(const nexus::endpoint_registry& r, std::string name, async_callback<bool> cb) {
    core_access::core(r)->remove_endpoint(std::move(name), std::move(cb));
}

void async_health(const nexus::endpoint_registry& r, std::string name, std::string caller_ns,
                  async_callback<nexus::endpoint_health> cb) {
    core_access::core(r)->endpoint_health(std::move(name), std::move(caller_ns), std::move(cb));
}

boost::asio::any_io_executor engine_executor(const engine& e) { return core_access::core(e)->executor(); }

}   // namespace perdure::detail
