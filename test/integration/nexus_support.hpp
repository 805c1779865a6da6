// A handler namespace with a test service and a caller workflow that reports how an operation
// ended, shared by the Nexus tests.
#pragma once

#include "support/engine_fixture.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace perdure::test::nexus_support {

/// What the caller workflow does: which operation, with what input, options and cancellation.
struct call_plan {
    std::string operation;
    std::string input;
    std::string cancellation = "wait_completed";
    bool cancel_after_start = false;       ///< request cancellation once started() resolved
    bool cancel_before_schedule = false;   ///< request cancellation in the same activation
    std::int64_t schedule_to_close_ms = 0, schedule_to_start_ms = 0, start_to_close_ms = 0;
    std::string endpoint = "ep";
};
BOOST_DESCRIBE_STRUCT(call_plan, (),
                      (operation, input, cancellation, cancel_after_start, cancel_before_schedule,
                       schedule_to_close_ms, schedule_to_start_ms, start_to_close_ms, endpoint))

/// Handler behaviour chosen by the operation input, e.g. "fail:internal:2" fails twice.
struct handler_log {
    std::mutex mutex;
    std::map<std::string, int> attempts;   ///< by request id
    std::atomic<int> workflows_started{0};
};
handler_log& log();

/// Registers handler-ns / handler-tq with the "svc" service and the handler workflow, the
/// caller workflow on caller-ns / caller-tq, and the endpoint "ep".
void setup(perdure::engine& e, bool with_handler_worker = true);
void register_handler_worker(perdure::engine& e);

extern const perdure::workflow_def<std::string, call_plan> caller_workflow;

}  // namespace perdure::test::nexus_support
