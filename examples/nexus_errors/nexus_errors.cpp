// nexus_errors: what a caller sees when a Nexus operation does not succeed. A handler error is
// retried or not by its type; an operation error is final; either way the caller's workflow
// catches nexus_operation_failure and reads the cause.
#include <perdure/perdure.hpp>

#include <iostream>

using namespace std::chrono_literals;
namespace nx = perdure::nexus;

// "flaky" fails once with a retryable handler error, then succeeds; "unknown-sku" is refused
// with a non-retryable one; "discontinued" ends as a failed operation.
std::string check(nx::operation_context& ctx, std::string sku) {
    static std::map<std::string, int> attempts;
    if (sku == "flaky" && attempts[ctx.request_id]++ == 0)
        throw nx::handler_error(nx::handler_error_type::unavailable, "inventory is restarting");
    if (sku == "unknown-sku") throw nx::handler_error(nx::handler_error_type::bad_request, "no such sku: " + sku);
    if (sku == "discontinued") throw nx::operation_error(nx::operation_state::failed, sku + " is no longer sold");
    return sku + " in stock";
}
const nx::sync_operation<std::string, std::string> check_stock{"check-stock", &check};

perdure::workflow<std::vector<std::string>> audit(perdure::workflow_context& ctx, std::vector<std::string> skus) {
    auto inventory = ctx.nexus_client("inventory", "stock");
    std::vector<std::string> report;
    for (const auto& sku : skus) {
        try {
            report.push_back(co_await inventory.execute_operation(check_stock, sku));
        } catch (const perdure::nexus_operation_failure& f) {
            try {
                std::rethrow_exception(f.cause());
            } catch (const nx::handler_error& h) {
                report.push_back(sku + ": handler error " + nx::to_string(h.type()) + ": " + h.what());
            } catch (const perdure::application_error& a) {
                report.push_back(sku + ": " + a.type() + ": " + a.what());
            }
        }
    }
    co_return report;
}
const perdure::workflow_def audit_workflow{"Audit", &audit};

int main(int argc, char** argv) {
    auto clock = std::make_shared<perdure::manual_clock>();   // the retry backoff passes instantly
    perdure::engine engine({.database = argc > 1 ? argv[1] : "nexus_errors.db", .clock = clock});
    engine.namespaces().ensure("inventory-ns");
    engine.namespaces().ensure("audit-ns");
    engine.nexus_endpoints().ensure(
        {.name = "inventory", .target_namespace = "inventory-ns", .target_task_queue = "stock"});
    engine.add_worker("inventory-ns", "stock").register_nexus_service(nx::service("stock").add(check_stock));
    engine.add_worker("audit-ns", "audit").register_workflow(audit_workflow);
    engine.start();

    auto run =
        engine.client_for("audit-ns")
            .start_workflow(audit_workflow, std::vector<std::string>{"pen", "flaky", "unknown-sku", "discontinued"},
                            {.id = "audit", .task_queue = "audit"});
    while (run.describe().status == perdure::workflow_status::running) clock->advance(1s);
    const auto report = run.get();
    for (const auto& line : report) std::cout << line << "\n";
    return report.size() == 4 && report[1] == "flaky in stock" ? 0 : 1;
}
