// nexus_sync and nexus_async: a caller workflow in one namespace makes sequential calls through
// an endpoint to a service in another, either to a sync operation or to a workflow_run_operation
// whose workflow runs one activity. The caller measures each call between its activations.
#include "common.hpp"
#include "client/core_access.hpp"
#include "scenarios.hpp"

#include "runtime/core.hpp"

#include <perdure/nexus_client.hpp>
#include <perdure/perdure.hpp>

using namespace std::chrono_literals;

namespace perdure::bench {

struct caller_input {
    int calls = 0;
    std::string operation;
};
BOOST_DESCRIBE_STRUCT(caller_input, (), (calls, operation))

namespace {

// ---- the handler namespace ----

int handled_step(perdure::activity_context&, int i) { return i + 1; }
const perdure::activity_def handled_activity{"HandledStep", &handled_step};

perdure::workflow<int> handled_impl(perdure::workflow_context& ctx, int i) {
    co_return co_await ctx.execute_activity(handled_activity, i, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def handled_workflow{"Handled", &handled_impl};

const perdure::nexus::sync_operation<int, int> echo_operation{
    "echo", [](perdure::nexus::operation_context&, int i) { return i + 1; }};
const perdure::nexus::workflow_run_operation run_operation{
    "run", handled_workflow, [](perdure::nexus::operation_context& op, const int&) {
        return perdure::start_workflow_options{.id = op.request_id};   // a retried start finds the same run
    }};

// ---- the caller namespace ----

perdure::workflow<std::vector<std::int64_t>> caller_impl(perdure::workflow_context& ctx, caller_input in) {
    auto service = ctx.nexus_client("bench-endpoint", "bench-service");
    std::vector<std::int64_t> calls_us;
    calls_us.reserve(static_cast<std::size_t>(in.calls));
    for (int i = 0; i < in.calls; ++i) {
        const auto before = ctx.now();
        const int out = co_await service.execute_operation<int>(in.operation, i, {.schedule_to_close_timeout = 1min});
        if (out != i + 1) throw perdure::application_error("wrong result from " + in.operation);
        calls_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(ctx.now() - before).count());
    }
    co_return calls_us;
}
const perdure::workflow_def caller_workflow{"Caller", &caller_impl};

void run_calls(const settings& s, const char* scenario, const char* operation) {
    const int calls = static_cast<int>(s.size(500, 10));
    const std::string path = fresh_database(s, scenario);
    std::vector<std::int64_t> calls_us;
    std::uint64_t commits = 0;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("handler-ns");
        engine.namespaces().ensure("caller-ns");
        engine.nexus_endpoints().ensure(
            {.name = "bench-endpoint", .target_namespace = "handler-ns", .target_task_queue = "handler-tq"});
        engine.add_worker("handler-ns", "handler-tq")
            .register_workflow(handled_workflow)
            .register_activity(handled_activity)
            .register_nexus_service(perdure::nexus::service("bench-service").add(echo_operation).add(run_operation));
        engine.add_worker("caller-ns", "caller-tq").register_workflow(caller_workflow);
        engine.start();
        const auto before = perdure::detail::core_access::core(engine)->batches();
        calls_us = engine.client_for("caller-ns")
                       .start_workflow(caller_workflow, caller_input{calls, operation},
                                       {.id = scenario, .task_queue = "caller-tq"})
                       .get();
        commits = perdure::detail::core_access::core(engine)->batches() - before;
    }
    remove_database(s, path);
    const auto l = summarize(std::vector<double>(calls_us.begin(), calls_us.end()));
    emit({{"scenario", scenario},
          {"calls", calls},
          {"p50_us", l.p50},
          {"p99_us", l.p99},
          {"mean_us", l.mean},
          {"commits_per_call", static_cast<double>(commits) / calls},
          {"durability", to_string(s.durability)}});
}

}   // namespace

void run_nexus_sync(const settings& s) { run_calls(s, "nexus_sync", "echo"); }
void run_nexus_async(const settings& s) { run_calls(s, "nexus_async", "run"); }

}   // namespace perdure::bench
