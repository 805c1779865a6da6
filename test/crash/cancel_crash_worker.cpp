// The process the cancellation and queueing crash tests kill. Usage: cancel-crash-worker DB SIDE MODE
// - queued: one activity thread; Hold runs (and blocks in the first life), Queued waits for the
//   thread; both allow one attempt. The test kills the process once Hold has started.
// - activity-cancel: Waiter heartbeats until it is canceled; the workflow cancels it.
// - nexus-cancel: a caller starts an asynchronous Nexus operation and cancels it once started;
//   the handler workflow waits for an hour and ends canceled.
// With PERDURE_FAILPOINT set the process kills itself at that point; run again without it, it
// finishes the workflow, prints its result and exits 0. Activities append to the SIDE file.
#include <perdure/perdure.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <thread>

using namespace std::chrono_literals;

namespace {

int side_fd = -1;
bool first_life = false;

void note(const std::string& line) {
    const auto text = line + "\n";
    if (::write(side_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
}

std::string outcome_of(const perdure::activity_error& e) {
    try {
        std::rethrow_exception(e.cause());
    } catch (const perdure::timeout_error& t) {
        return std::string("timeout ") + perdure::to_string(t.timeout_type());
    } catch (const std::exception& x) {
        return x.what();
    }
}

// ---- queued
const perdure::activity_def<std::string, int> hold{"Hold", [](perdure::activity_context&, int) {
                                                       note("hold ran");
                                                       if (first_life) {
                                                           std::cout << "hold started" << std::endl;
                                                           for (;;) std::this_thread::sleep_for(1h);   // killed here
                                                       }
                                                       return std::string("held");
                                                   }};
const perdure::activity_def<std::string, int> queued{
    "Queued", [](perdure::activity_context& ctx, int) {
        note("queued ran on attempt " + std::to_string(ctx.info().attempt));
        return std::string("ok");
    }};

perdure::workflow<std::string> queued_flow(perdure::workflow_context& ctx) {
    const perdure::activity_options once{.start_to_close_timeout = 1h,
                                         .retry = perdure::retry_policy{.maximum_attempts = 1}};
    auto a = ctx.execute_activity(hold, 0, once);
    auto b = ctx.execute_activity(queued, 0, once);
    std::string out;
    for (auto* f : {&a, &b}) {
        try {
            out += co_await *f;
        } catch (const perdure::activity_error& e) {
            out += outcome_of(e);
        }
        out += ";";
    }
    co_return out;
}
const perdure::workflow_def queued_workflow{"Queued", &queued_flow};

// ---- activity-cancel
const perdure::activity_def<std::string, int> waiter{
    "Waiter", [](perdure::activity_context& ctx, int) {
        try {
            for (;;) {
                ctx.heartbeat();
                std::this_thread::sleep_for(5ms);
            }
        } catch (const perdure::canceled_error&) {
            note("waiter saw the cancel on attempt " + std::to_string(ctx.info().attempt));
            throw;
        }
        return std::string("never");
    }};

perdure::workflow<std::string> cancel_activity_flow(perdure::workflow_context& ctx) {
    auto w = ctx.execute_activity(
        waiter, 0, {.start_to_close_timeout = 1h, .cancellation = perdure::cancellation_type::wait_completed});
    co_await ctx.sleep(200ms);   // it has started by then
    w.request_cancel();
    try {
        co_await w;
    } catch (const perdure::canceled_error&) {
        co_return std::string("activity canceled");
    }
    co_return std::string("activity completed");
}
const perdure::workflow_def cancel_activity_workflow{"CancelActivity", &cancel_activity_flow};

// ---- nexus-cancel
perdure::workflow<std::string> long_job(perdure::workflow_context& ctx, std::string) {
    co_await ctx.sleep(1h);
    co_return std::string("finished");
}
const perdure::workflow_def long_job_workflow{"LongJob", &long_job};
const perdure::nexus::workflow_run_operation long_job_op{
    "long-job", long_job_workflow, [](perdure::nexus::operation_context& ctx, const std::string&) {
        return perdure::start_workflow_options{.id = "job-" + ctx.request_id};
    }};

perdure::workflow<std::string> cancel_nexus_flow(perdure::workflow_context& ctx) {
    auto op = ctx.nexus_client("jobs", "job-service").start_operation(long_job_op, std::string("x"));
    co_await op.started();
    op.request_cancel();
    try {
        co_await op.result();
    } catch (const perdure::nexus_operation_failure& f) {
        try {
            std::rethrow_exception(f.cause());
        } catch (const perdure::canceled_error&) {
            co_return std::string("operation canceled");
        } catch (...) {
        }
        co_return std::string("operation failed");
    } catch (const perdure::canceled_error&) {
        co_return std::string("operation canceled");
    }
    co_return std::string("operation completed");
}
const perdure::workflow_def cancel_nexus_workflow{"CancelNexus", &cancel_nexus_flow};

}   // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: cancel-crash-worker DB SIDE MODE\n";
        return 2;
    }
    side_fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const std::string mode = argv[3];
    first_life = std::getenv("FIRST_LIFE") != nullptr;
    perdure::engine engine({.database = argv[1], .activity_threads = 1});
    engine.namespaces().ensure("jobs");
    engine.namespaces().ensure("app");
    engine.nexus_endpoints().ensure({.name = "jobs", .target_namespace = "jobs", .target_task_queue = "j"});
    engine.add_worker("jobs", "j")
        .register_workflow(long_job_workflow)
        .register_nexus_service(perdure::nexus::service("job-service").add(long_job_op));
    engine.add_worker("app", "a")
        .register_workflow(queued_workflow)
        .register_workflow(cancel_activity_workflow)
        .register_workflow(cancel_nexus_workflow)
        .register_activity(hold)
        .register_activity(queued)
        .register_activity(waiter);
    engine.start();
    const perdure::start_workflow_options options{.id = mode,
                                                  .task_queue = "a",
                                                  .id_conflict = perdure::id_conflict_policy::use_existing,
                                                  .request_id = "start-" + mode};
    auto client = engine.client_for("app");
    auto run = mode == "queued"            ? client.start_workflow(queued_workflow, options)
               : mode == "activity-cancel" ? client.start_workflow(cancel_activity_workflow, options)
                                           : client.start_workflow(cancel_nexus_workflow, options);
    std::cout << run.get() << std::endl;
    return 0;
}
