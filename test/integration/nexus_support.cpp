// The Nexus test service and caller.
#include "integration/nexus_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <sstream>

using namespace std::chrono_literals;

namespace perdure::test::nexus_support {
namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> parts;
    std::stringstream in(s);
    for (std::string p; std::getline(in, p, ':');) parts.push_back(p);
    return parts;
}

nexus::handler_error_type type_named(const std::string& n) {
    for (auto t : {nexus::handler_error_type::bad_request, nexus::handler_error_type::unauthenticated,
                   nexus::handler_error_type::unauthorized, nexus::handler_error_type::not_found,
                   nexus::handler_error_type::request_timeout, nexus::handler_error_type::conflict,
                   nexus::handler_error_type::resource_exhausted, nexus::handler_error_type::internal,
                   nexus::handler_error_type::not_implemented, nexus::handler_error_type::unavailable,
                   nexus::handler_error_type::upstream_timeout}) {
        std::string name = nexus::to_string(t);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == n) return t;
    }
    return nexus::handler_error_type::internal;
}

/// "ok", or "fail:<type>:<times>[:retryable|non_retryable]", "operation:failed|canceled",
/// "std", "app".
std::string behave(nexus::operation_context& ctx, std::string input) {
    const auto parts = split(input);
    int attempt = 0;
    {
        std::lock_guard lk(log().mutex);
        attempt = ++log().attempts[ctx.request_id];
    }
    if (parts.empty() || parts[0] == "ok") return "handled " + input + " in " + ctx.ns;
    if (parts[0] == "operation")
        throw nexus::operation_error(
            parts[1] == "canceled" ? nexus::operation_state::canceled : nexus::operation_state::failed,
            "the operation said no");
    if (parts[0] == "std") throw std::runtime_error("plain exception");
    if (parts[0] == "app") throw application_error("not this one", "Refused", true);
    const int times = parts.size() > 2 ? std::stoi(parts[2]) : 1000;
    if (attempt <= times) {
        auto behavior = nexus::retry_behavior::unspecified;
        if (parts.size() > 3)
            behavior =
                parts[3] == "retryable" ? nexus::retry_behavior::retryable : nexus::retry_behavior::non_retryable;
        throw nexus::handler_error(type_named(parts[1]), "failing attempt " + std::to_string(attempt), behavior);
    }
    return "handled on attempt " + std::to_string(attempt);
}

/// The handler workflow: "complete", "fail", "sleep" (a day), "wait" (for a signal or cancel).
workflow<std::string> handler_flow(workflow_context& ctx, std::string how) {
    ++log().workflows_started;
    if (how == "fail") throw application_error("handler workflow failed", "HandlerFailed", true);
    if (how == "sleep") co_await ctx.sleep(24h);
    if (how == "wait") co_await ctx.signal_channel<std::string>("go").receive();
    if (how == "continue") co_await ctx.continue_as_new(std::string("complete"));
    co_return "workflow " + ctx.info().workflow_id + " did " + how;
}
const workflow_def handler_workflow{"HandlerFlow", &handler_flow};

const nexus::sync_operation sync_op{"sync", &behave};
const nexus::workflow_run_operation run_op{
    "run", handler_workflow, [](nexus::operation_context& ctx, const std::string& how) {
        return start_workflow_options{.id = "h-" + ctx.request_id.substr(0, 8) + "-" + how};
    }};
/// Every caller with the same input attaches to one handler workflow.
const nexus::workflow_run_operation shared_op{
    "shared", handler_workflow, [](nexus::operation_context&, const std::string& how) {
        return start_workflow_options{.id = "shared-" + how, .id_conflict = id_conflict_policy::use_existing};
    }};

/// One handler workflow id per input, and a second start of it refused (id_conflict_policy::fail).
const nexus::workflow_run_operation fixed_op{
    "fixed", handler_workflow,
    [](nexus::operation_context&, const std::string& how) { return start_workflow_options{.id = "fixed-" + how}; }};

cancellation_type cancellation_named(const std::string& s) {
    if (s == "abandon") return cancellation_type::abandon;
    if (s == "try_cancel") return cancellation_type::try_cancel;
    if (s == "wait_requested") return cancellation_type::wait_requested;
    return cancellation_type::wait_completed;
}

std::string describe_failure(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const nexus::handler_error& h) {
        return std::string("handler_error ") + nexus::to_string(h.type()) + ": " + h.what();
    } catch (const application_error& a) {
        return "application_error " + a.type() + ": " + a.what();
    } catch (const canceled_error& c) {
        return std::string("canceled_error: ") + c.what();
    } catch (const timeout_error& t) {
        return std::string("timeout_error ") + to_string(t.timeout_type());
    } catch (const terminated_error& t) {
        return std::string("terminated_error: ") + t.what();
    } catch (const std::exception& ex) {
        return std::string("other: ") + ex.what();
    }
}

std::string fields_of(const nexus_operation_failure& f) {
    return " [endpoint " + f.endpoint() + ", service " + f.service() + ", operation " + f.operation() + ", token " +
           f.operation_token() + ", scheduled " + std::to_string(f.scheduled_event_id()) + "]";
}

workflow<std::string> call(workflow_context& ctx, call_plan p) {
    auto client = ctx.nexus_client(p.endpoint, "svc");
    const nexus::operation_options options{
        .schedule_to_close_timeout = std::chrono::milliseconds(p.schedule_to_close_ms),
        .schedule_to_start_timeout = std::chrono::milliseconds(p.schedule_to_start_ms),
        .start_to_close_timeout = std::chrono::milliseconds(p.start_to_close_ms),
        .cancellation = cancellation_named(p.cancellation)};
    auto op = p.bad_input
                  ? client.start_operation<std::string>(p.operation, boost::json::object{{"not", "a string"}}, options)
                  : client.start_operation<std::string>(p.operation, p.input, options);
    if (p.cancel_before_schedule) op.request_cancel();
    std::string token, outcome;
    try {
        if (p.cancel_after_start || p.await_started) token = co_await op.started();
        if (p.cancel_after_start) op.request_cancel();
        if (p.cancel_after_scheduled) {
            co_await ctx.sleep(1ms);
            op.request_cancel();
        }
        auto result = co_await op.result();
        outcome = "ok: " + result + (token.empty() ? "" : " token " + token);
    } catch (const canceled_error& c) {
        outcome = std::string("canceled_error: ") + c.what();
    } catch (const nexus_operation_failure& f) {
        outcome = "nexus_operation_failure(" + f.operation() + ") caused by " + describe_failure(f.cause()) +
                  (p.report_failure_fields ? fields_of(f) : "");
    }
    if (p.linger_ms > 0) co_await ctx.sleep(std::chrono::milliseconds(p.linger_ms));
    co_return outcome;
}

}   // namespace

handler_log& log() {
    static handler_log l;
    return l;
}

const workflow_def<std::string, call_plan> caller_workflow{"NexusCaller", &call};

void register_handler_worker(perdure::engine& e) {
    e.add_worker("handler-ns", "handler-tq")
        .register_workflow(handler_workflow)
        .register_nexus_service(nexus::service("svc").add(sync_op).add(run_op).add(shared_op).add(fixed_op));
}

std::vector<std::string> types(const std::vector<perdure::history_event>& h) {
    std::vector<std::string> out;
    for (const auto& e : h) out.push_back(e.event_type);
    return out;
}

std::size_t count(const std::vector<std::string>& t, const char* type) {
    return static_cast<std::size_t>(std::count(t.begin(), t.end(), type));
}

std::size_t position(const std::vector<std::string>& t, const char* type) {
    const auto it = std::find(t.begin(), t.end(), type);
    return it == t.end() ? std::string::npos : static_cast<std::size_t>(it - t.begin());
}

perdure::workflow_handle<std::string> start(engine_fixture& f, const std::string& id, call_plan p) {
    return f.client("caller-ns").start_workflow(caller_workflow, std::move(p), {.id = id, .task_queue = "caller-tq"});
}

std::string finish(engine_fixture& f, perdure::workflow_handle<std::string>& run, int seconds) {
    for (int i = 0; i < seconds && run.describe().status == perdure::workflow_status::running; ++i) f.advance(1s);
    return run.get();
}

void setup(perdure::engine& e, bool with_handler_worker) {
    e.namespaces().ensure("handler-ns");
    e.namespaces().ensure("caller-ns");
    e.nexus_endpoints().ensure({.name = "ep", .target_namespace = "handler-ns", .target_task_queue = "handler-tq"});
    if (with_handler_worker) register_handler_worker(e);
    e.add_worker("caller-ns", "caller-tq").register_workflow(caller_workflow);
}

}   // namespace perdure::test::nexus_support
