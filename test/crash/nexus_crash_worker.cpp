// The process the Nexus crash tests kill: a caller workflow runs one asynchronous Nexus
// operation whose handler workflow runs an activity. With PERDURE_FAILPOINT set, the process
// kills itself at that point; run again without it, it finishes the same workflow.
// Usage: nexus-crash-worker DB. Prints the result and exits 0 when the caller completed.
#include <perdure/perdure.hpp>

#include <iostream>

using namespace std::chrono_literals;

namespace {

const perdure::activity_def<std::string, std::string> pack{
    "Pack", [](perdure::activity_context&, std::string id) { return "packed " + id; }};

perdure::workflow<std::string> fulfil(perdure::workflow_context& ctx, std::string id) {
    co_return co_await ctx.execute_activity(pack, id, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def fulfil_workflow{"Fulfil", &fulfil};

const perdure::nexus::workflow_run_operation fulfil_op{
    "fulfil", fulfil_workflow, [](perdure::nexus::operation_context& ctx, const std::string&) {
        return perdure::start_workflow_options{.id = "fulfil-" + ctx.request_id};
    }};

perdure::workflow<std::string> order(perdure::workflow_context& ctx, std::string id) {
    co_return co_await ctx.nexus_client("shop", "fulfilment").execute_operation(fulfil_op, id);
}
const perdure::workflow_def order_workflow{"Order", &order};

}   // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    perdure::engine engine({.database = argv[1]});
    engine.namespaces().ensure("warehouse");
    engine.namespaces().ensure("store");
    engine.nexus_endpoints().ensure({.name = "shop", .target_namespace = "warehouse", .target_task_queue = "w"});
    engine.add_worker("warehouse", "w")
        .register_workflow(fulfil_workflow)
        .register_activity(pack)
        .register_nexus_service(perdure::nexus::service("fulfilment").add(fulfil_op));
    engine.add_worker("store", "s").register_workflow(order_workflow);
    engine.start();
    auto run = engine.client_for("store").start_workflow(order_workflow, std::string("o-1"),
                                                         {.id = "order",
                                                          .task_queue = "s",
                                                          .id_conflict = perdure::id_conflict_policy::use_existing,
                                                          .request_id = "start-order"});
    std::cout << run.get() << std::endl;
    return 0;
}
