// A handler namespace with a test service and a caller workflow that reports how an operation
// ended, shared by the Nexus tests.
#pragma once

#include "support/engine_fixture.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace perdure::test::nexus_support {

/// Holds handler code until the test lets it go.
struct gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, released = false;

    void pass() {
        std::unique_lock lk(mutex);
        entered = true;
        changed.notify_all();
        changed.wait(lk, [&] { return released; });
    }
    bool wait_entered() {
        std::unique_lock lk(mutex);
        return changed.wait_for(lk, std::chrono::seconds(10), [&] { return entered; });
    }
    void release() {
        std::lock_guard lk(mutex);
        released = true;
        changed.notify_all();
    }
};

/// What the caller workflow does: which operation, with what input, options and cancellation.
struct call_plan {
    std::string operation;
    std::string input;
    std::string cancellation = "wait_completed";
    bool cancel_after_start = false;       ///< request cancellation once started() resolved
    bool cancel_before_schedule = false;   ///< request cancellation in the same activation
    std::int64_t schedule_to_close_ms = 0, schedule_to_start_ms = 0, start_to_close_ms = 0;
    std::string endpoint = "ep";
    bool await_started = false;            ///< await started() before the result; report its token
    std::int64_t linger_ms = 0;            ///< stay open this long after the outcome
    bool bad_input = false;                ///< send an object where the handler expects a string
    bool report_failure_fields = false;    ///< name what a nexus_operation_failure carries
    bool cancel_after_scheduled = false;   ///< request cancellation a millisecond later, started or not
};
BOOST_DESCRIBE_STRUCT(call_plan, (),
                      (operation, input, cancellation, cancel_after_start, cancel_before_schedule, schedule_to_close_ms,
                       schedule_to_start_ms, start_to_close_ms, endpoint, await_started, linger_ms, bad_input,
                       report_failure_fields, cancel_after_scheduled))

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

/// The event types of a history, in order.
std::vector<std::string> types(const std::vector<perdure::history_event>& h);
std::size_t count(const std::vector<std::string>& t, const char* type);
/// The position of the first event of a type (npos when there is none).
std::size_t position(const std::vector<std::string>& t, const char* type);
/// Starts the caller workflow on caller-ns / caller-tq.
perdure::workflow_handle<std::string> start(engine_fixture& f, const std::string& id, call_plan p);
/// Advances virtual time a second at a time until the run closes.
std::string finish(engine_fixture& f, perdure::workflow_handle<std::string>& run, int seconds = 120);

}   // namespace perdure::test::nexus_support
