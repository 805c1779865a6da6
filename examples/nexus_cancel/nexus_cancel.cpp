// nexus_cancel: cancelling an asynchronous Nexus operation. The handler workflow waits for a
// shipment; the caller gives up when told to. With wait_completed (the default) the caller
// waits until the handler workflow has really ended canceled; with abandon it moves on at once
// and the handler workflow keeps running.
#include <perdure/perdure.hpp>

#include <iostream>

namespace nx = perdure::nexus;

perdure::workflow<std::string> await_shipment(perdure::workflow_context& ctx, std::string order) {
    co_await ctx.signal_channel<std::string>("shipped").receive();   // canceled_error ends the wait
    co_return order + " shipped";
}
const perdure::workflow_def shipment_workflow{"AwaitShipment", &await_shipment};
const nx::workflow_run_operation track{"track", shipment_workflow,
                                       [](nx::operation_context&, const std::string& order) {
                                           return perdure::start_workflow_options{.id = "track-" + order};
                                       }};

struct plan {
    std::string order;
    bool abandon = false;
};
BOOST_DESCRIBE_STRUCT(plan, (), (order, abandon))

perdure::workflow<std::string> impatient(perdure::workflow_context& ctx, plan p) {
    auto op = ctx.nexus_client("logistics", "tracking")
                  .start_operation(track, p.order,
                                   {.cancellation = p.abandon ? perdure::cancellation_type::abandon
                                                              : perdure::cancellation_type::wait_completed});
    const auto token = co_await op.started();
    co_await ctx.signal_channel<bool>("give-up").receive();
    op.request_cancel();
    try {
        co_return co_await op.result();
    } catch (const perdure::nexus_operation_failure& f) {   // its cause() says how: here, canceled_error
        if (f.failure().cause->kind != perdure::failure_kind::canceled) throw;
        co_return "gave up on " + p.order + " (operation " + token.substr(0, 12) + "...)";
    }
}
const perdure::workflow_def impatient_workflow{"Impatient", &impatient};

int main(int argc, char** argv) {
    perdure::engine engine({.database = argc > 1 ? argv[1] : "nexus_cancel.db"});
    engine.namespaces().ensure("logistics-ns");
    engine.namespaces().ensure("shop-ns");
    engine.nexus_endpoints().ensure(
        {.name = "logistics", .target_namespace = "logistics-ns", .target_task_queue = "l"});
    engine.add_worker("logistics-ns", "l")
        .register_workflow(shipment_workflow)
        .register_nexus_service(nx::service("tracking").add(track));
    engine.add_worker("shop-ns", "s").register_workflow(impatient_workflow);
    engine.start();
    auto shop = engine.client_for("shop-ns");
    auto logistics = engine.client_for("logistics-ns");

    bool ok = true;
    for (const plan& p : {plan{"o-1", false}, plan{"o-2", true}}) {
        auto run = shop.start_workflow(impatient_workflow, p, {.id = "impatient-" + p.order, .task_queue = "s"});
        run.signal("give-up", true);
        std::cout << (p.abandon ? "abandon:        " : "wait_completed: ") << run.get() << "; the handler workflow is "
                  << perdure::to_string(logistics.get_handle("track-" + p.order).describe().status) << "\n";
        ok = ok && logistics.get_handle("track-" + p.order).describe().status ==
                       (p.abandon ? perdure::workflow_status::running : perdure::workflow_status::canceled);
    }
    return ok ? 0 : 1;
}
