// The torture test's process: a mixed workload in two namespaces — activities (in parallel),
// timers, a child workflow, Nexus sync and async operations, a signal, an update and one
// continue-as-new per workflow. Activities append what they return to a side file. Several of
// them may run at once on one PostgreSQL database: one owns it, the others stand by. The
// activities run on the queue "produce"; ROLE says what this process serves: all of it (full),
// the workflows, Nexus handlers and clients but no activity (workflows: the owner offers its
// activities to the others), or the activities only (activities: it stands by whatever happens,
// engine_options::stand_by, claims what the owner offers, and runs until it is stopped).
// Usage: torture-worker DB SIDE_FILE WORKFLOWS [full|workflows|activities] — exits 0 once every
// workflow completed.
#include <perdure/perdure.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>
#include <thread>

using namespace std::chrono_literals;

namespace {

int side_fd = -1;
std::atomic<std::uint64_t> nonce{0};

std::string produce(perdure::activity_context& ctx, std::string what) {
    std::this_thread::sleep_for(std::chrono::microseconds(100 + std::random_device{}() % 1500));
    const std::string result = what + "#" + std::to_string(::getpid()) + "-" + std::to_string(++nonce) + "@" +
                               std::to_string(ctx.info().attempt);
    const std::string line = result + "\n";
    if (::write(side_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::abort();
    return result;
}
const perdure::activity_def produce_activity{"Produce", &produce};
// An attempt lost with the process that claimed it is retried after this timeout.
const perdure::activity_options quick{.start_to_close_timeout = 5s, .task_queue = "produce"};

// ---- namespace b: the Nexus handler side ----

perdure::workflow<std::string> fulfil(perdure::workflow_context& ctx, std::string id) {
    co_return co_await ctx.execute_activity(produce_activity, id + ":fulfil", quick);
}
const perdure::workflow_def fulfil_workflow{"Fulfil", &fulfil};
const perdure::nexus::workflow_run_operation fulfil_op{
    "fulfil", fulfil_workflow, [](perdure::nexus::operation_context& ctx, const std::string&) {
        return perdure::start_workflow_options{.id = "fulfil-" + ctx.request_id};
    }};
const perdure::nexus::sync_operation<std::string, std::string> quote_op{
    "quote", [](perdure::nexus::operation_context&, std::string id) { return "quote for " + id; }};

// ---- namespace a: the mixed workflow ----

perdure::workflow<std::string> child(perdure::workflow_context& ctx, std::string id) {
    co_return co_await ctx.execute_activity(produce_activity, id + ":child", quick);
}
const perdure::workflow_def child_workflow{"Child", &child};

struct mixed_input {
    std::string id;
    int round = 0;
    std::string carried;
    int bumps = 0;
};
BOOST_DESCRIBE_STRUCT(mixed_input, (), (id, round, carried, bumps))

perdure::workflow<std::string> mixed(perdure::workflow_context& ctx, mixed_input in) {
    int bumps = in.bumps;   // an update accepted before continue-as-new is carried over
    ctx.set_update_handler("bump", [&](int by) -> perdure::workflow<int> {
        bumps += by;
        co_return bumps;
    });
    if (in.round == 0) {
        auto [a, b] = co_await perdure::all(ctx.execute_activity(produce_activity, in.id + ":a", quick),
                                            ctx.execute_activity(produce_activity, in.id + ":b", quick));
        co_await ctx.sleep(10ms);
        auto c = co_await ctx.execute_child_workflow(child_workflow, in.id, {.id = in.id + "-child"});
        co_await ctx.continue_as_new(mixed_input{in.id, 1, a + "|" + b + "|" + c, bumps});
    }
    auto nexus = ctx.nexus_client("to-b", "fulfilment");
    auto quote = co_await nexus.execute_operation(quote_op, in.id);
    auto fulfilled = co_await nexus.execute_operation(fulfil_op, in.id);
    auto go = co_await ctx.signal_channel<std::string>("go").receive();   // duplicates are left unread
    co_await ctx.wait_condition([&] { return bumps > 0; });
    co_return in.carried + "|" + quote + "|" + fulfilled + "|" + go + "|bumped";
}
const perdure::workflow_def mixed_workflow{"Mixed", &mixed};

/// Runs `f` again while it fails with storage_error. Beside a live owner (PostgreSQL) this
/// engine's calls go to the owner; one the owner took just before it was killed is answered
/// "may have been applied" by the engine that takes over, and every call here is safe to repeat.
template <class F>
auto retrying(F&& f) {
    for (int attempt = 1;; ++attempt) {
        try {
            return f();
        } catch (const perdure::storage_error&) {
            if (attempt == 50) throw;
            std::this_thread::sleep_for(100ms);
        }
    }
}

/// A call whose refusal is expected in a later life (the workflow finished in an earlier one).
template <class F>
void unless_done(F&& f) {
    retrying([&] {
        try {
            f();
        } catch (const perdure::storage_error&) {
            throw;
        } catch (const perdure::error&) {
        }
    });
}

}   // namespace

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    side_fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int workflows = std::stoi(argv[3]);
    const std::string role = argc > 4 ? argv[4] : "full";
    // "workflows" runs no activity: owning the data, it offers them.
    const bool runs_workflows = role != "activities", runs_activities = role != "workflows";
    perdure::engine engine({.database = argv[1], .activity_threads = 4, .stand_by = !runs_workflows});
    retrying([&] { return engine.namespaces().ensure("a"); });
    retrying([&] { return engine.namespaces().ensure("b"); });
    retrying([&] {
        return engine.nexus_endpoints().ensure({.name = "to-b", .target_namespace = "b", .target_task_queue = "b"});
    });
    if (runs_workflows) {
        engine.add_worker("b", "b")
            .register_workflow(fulfil_workflow)
            .register_nexus_service(perdure::nexus::service("fulfilment").add(fulfil_op).add(quote_op));
        engine.add_worker("a", "a").register_workflow(mixed_workflow).register_workflow(child_workflow);
    }
    if (runs_activities)
        for (const char* ns : {"a", "b"}) engine.add_worker(ns, "produce").register_activity(produce_activity);
    engine.start();
    if (!runs_workflows)
        for (;;) ::pause();   // an activity worker process: its clients are the others'
    auto client = engine.client_for("a");
    std::vector<perdure::workflow_handle<std::string>> runs;
    for (int i = 0; i < workflows; ++i) {
        const std::string id = "mixed-" + std::to_string(i);
        runs.push_back(retrying([&] {
            try {
                // A retried start attaches to the running workflow; a finished one is not run again.
                return client.start_workflow(mixed_workflow, mixed_input{id, 0, ""},
                                             {.id = id,
                                              .task_queue = "a",
                                              .id_reuse = perdure::id_reuse_policy::reject_duplicate,
                                              .id_conflict = perdure::id_conflict_policy::use_existing});
            } catch (const perdure::workflow_already_started&) {
                return client.get_handle<std::string>(id);
            }
        }));
    }
    for (auto& r : runs) {
        // Idempotent from outside: a repeated signal is left unread, a repeated update id is deduplicated.
        unless_done([&] { r.signal("go", std::string("go")); });
        unless_done([&] { r.update<int>("bump", 1, r.workflow_id() + "-bump"); });
    }
    for (auto& r : runs) std::cout << r.get() << "\n";
    return 0;
}
