// nexus_order: a caller namespace calls the order service of a handler namespace through the
// Nexus endpoint my-endpoint. process-order is asynchronous: it starts a workflow that charges
// the card (an activity) and waits two seconds on a durable timer before it ships.
#include "order_service.hpp"

#include <iostream>

using namespace std::chrono_literals;

// ---- handler namespace ----

std::string charge_card_impl(perdure::activity_context&, order_input in) { return "charged " + in.id; }
const perdure::activity_def charge_card{"ChargeCard", &charge_card_impl};

perdure::workflow<order_output> process_order_impl(perdure::workflow_context& ctx, order_input in) {
    co_await ctx.execute_activity(charge_card, in, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(2s);   // durable timer
    co_return order_output{"shipped " + in.id};
}
const perdure::workflow_def process_order{"ProcessOrder", &process_order_impl};

const perdure::nexus::sync_operation echo{order_service::echo, [](perdure::nexus::operation_context&, order_input in) {
                                              return order_output{"echo " + in.id};
                                          }};
const perdure::nexus::workflow_run_operation process_order_op{
    order_service::process_order, process_order, [](perdure::nexus::operation_context&, const order_input& in) {
        return perdure::start_workflow_options{.id = "order-" + in.id};   // one workflow per order: retries find it
    }};

// ---- caller namespace ----

perdure::workflow<std::string> caller_impl(perdure::workflow_context& ctx, std::string order_id) {
    auto orders = ctx.nexus_client("my-endpoint", order_service::name);
    order_output echoed = co_await orders.execute_operation(order_service::echo, order_input{order_id});
    order_output out = co_await orders.execute_operation(order_service::process_order, order_input{order_id},
                                                         {.schedule_to_close_timeout = 10min});
    co_return echoed.status + ", " + out.status;
}
const perdure::workflow_def caller{"Caller", &caller_impl};

int main(int argc, char** argv) {
    perdure::engine engine({.database = argc > 1 ? argv[1] : "nexus_order.db"});
    engine.namespaces().ensure("handler-ns");
    engine.namespaces().ensure("caller-ns");
    engine.nexus_endpoints().ensure(
        {.name = "my-endpoint", .target_namespace = "handler-ns", .target_task_queue = "handler-tq"});
    engine.add_worker("handler-ns", "handler-tq")
        .register_workflow(process_order)
        .register_activity(charge_card)
        .register_nexus_service(
            perdure::nexus::service(std::string(order_service::name)).add(echo).add(process_order_op));
    engine.add_worker("caller-ns", "caller-tq").register_workflow(caller);
    engine.start();

    auto run = engine.client_for("caller-ns")
                   .start_workflow(caller, "order-1",
                                   {.id = "caller-1",
                                    .task_queue = "caller-tq",
                                    .id_conflict = perdure::id_conflict_policy::use_existing});
    const std::string result = run.get();
    std::cout << result << "\n";
    for (const auto& e : run.history()) std::cout << "  caller  " << e.event_id << " " << e.event_type << "\n";
    for (const auto& e : engine.client_for("handler-ns").get_handle("order-order-1").history())
        std::cout << "  handler " << e.event_id << " " << e.event_type << "\n";
    return result == "echo order-1, shipped order-1" ? 0 : 1;
}
