// The library side of perdure/asio.hpp: async entry points over the engine core.
#include "client/reads.hpp"
#include "runtime/core.hpp"

#include <perdure/detail/async_entry.hpp>
#include <perdure/engine.hpp>

namespace perdure::detail {

void async_start_workflow(const client& c, std::string type, boost::json::value input, start_workflow_options options,
                          async_callback<started_run> cb) {
    c.core()->start_workflow(c.ns(), std::move(type), std::move(input), std::move(options), std::move(cb));
}

void async_get_result(const client& c, std::string wid, std::string rid, async_callback<boost::json::value> cb) {
    // An awaiting client lets the test environment's clock skip, like a blocking get() does.
    auto core = c.core();
    core->waiting().add(1);
    core->get_result(c.ns(), std::move(wid), std::move(rid), [core, cb = std::move(cb)](std::exception_ptr e, boost::json::value v) {
        core->waiting().add(-1);
        cb(e, std::move(v));
    });
}

void async_cancel(const workflow_handle_base& h, async_callback<bool> cb) {
    h.client().core()->cancel_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(), h.first_execution_run_id(),
                                       std::move(cb));
}

void async_terminate(const workflow_handle_base& h, std::string reason, async_callback<bool> cb) {
    h.client().core()->terminate_workflow(h.client().ns(), h.workflow_id(), h.addressed_run(),
                                          h.first_execution_run_id(), std::move(reason), std::move(cb));
}

void async_describe(const workflow_handle_base& h, async_callback<workflow_execution_info> cb) {
    describe_run(*h.client().core(), h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(cb));
}

void async_history(const workflow_handle_base& h, async_callback<std::vector<history_event>> cb) {
    read_history(*h.client().core(), h.client().ns(), h.workflow_id(), h.addressed_run(), std::move(cb));
}

boost::asio::any_io_executor engine_executor(const engine& e) { return e.core()->executor(); }

}  // namespace perdure::detail
