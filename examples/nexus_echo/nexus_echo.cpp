// nexus_echo: the smallest Nexus call. A sync operation in one namespace, called from a
// workflow in another through an endpoint; the handler's result comes straight back.
#include <perdure/perdure.hpp>

#include <iostream>

const perdure::nexus::sync_operation<std::string, std::string> echo{
    "echo",
    [](perdure::nexus::operation_context& ctx, std::string text) { return text + " (echoed by " + ctx.ns + ")"; }};

perdure::workflow<std::string> shout(perdure::workflow_context& ctx, std::string text) {
    co_return co_await ctx.nexus_client("echo-endpoint", "echo-service").execute_operation(echo, text);
}
const perdure::workflow_def shout_workflow{"Shout", &shout};

int main(int argc, char** argv) {
    perdure::engine engine({.database = argc > 1 ? argv[1] : "nexus_echo.db"});
    engine.namespaces().ensure("echo-ns");
    engine.namespaces().ensure("app-ns");
    engine.nexus_endpoints().ensure(
        {.name = "echo-endpoint", .target_namespace = "echo-ns", .target_task_queue = "echo"});
    engine.add_worker("echo-ns", "echo").register_nexus_service(perdure::nexus::service("echo-service").add(echo));
    engine.add_worker("app-ns", "app").register_workflow(shout_workflow);
    engine.start();

    auto run =
        engine.client_for("app-ns").start_workflow(shout_workflow, "hello", {.id = "shout", .task_queue = "app"});
    const auto result = run.get();
    std::cout << result << "\n";
    return result == "hello (echoed by echo-ns)" ? 0 : 1;
}
