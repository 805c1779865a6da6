// Two engines on one PostgreSQL database, as two processes of an application would run them:
// the first to open owns the workflows, the second stands by beside it. A workflow started
// from the standby runs on the owner; when the owner stops (or its process dies), the standby
// takes the workflows over and finishes them.
//
//   takeover postgresql://user@host/db
#include <perdure/perdure.hpp>

#include <iostream>
#include <memory>

namespace {

perdure::workflow<std::string> wait_for_go(perdure::workflow_context& ctx, std::string order) {
    auto go = ctx.signal_channel<std::string>("go");
    co_return order + " shipped, told by " + co_await go.receive();
}
const perdure::workflow_def wait_workflow{"WaitForGo", &wait_for_go};

std::unique_ptr<perdure::engine> start_engine(const std::string& database) {
    auto engine = std::make_unique<perdure::engine>(perdure::engine_options{.database = database});
    engine->namespaces().ensure("default");
    engine->add_worker("default", "orders").register_workflow(wait_workflow);
    engine->start();
    return engine;
}

}   // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: takeover postgresql://user@host/db\n";
        return 2;
    }
    auto owner = start_engine(argv[1]);
    auto standby = start_engine(argv[1]);   // the owner lives: this one stands by

    auto run = standby->client_for("default").start_workflow(wait_workflow, std::string("order-7"),
                                                             {.id = "order-7", .task_queue = "orders"});
    std::cout << "started " << run.workflow_id() << " from the standby; the owner runs it\n";

    owner.reset();   // the owner stops: the standby takes its workflows over
    run.signal("go", std::string("the engine that took over"));
    std::cout << run.get() << "\n";
}
