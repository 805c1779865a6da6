// Writes the history fuzz target's seed corpus: the workflows of fuzz_workflows.hpp run in the
// test environment (mocked Nexus operations, virtual time) through their successful, failing,
// cancelled and continued-as-new paths, each run's history saved as the replayer reads it.
// Usage: make-seed-histories DIR (test/fuzz/corpus/replay); run it again after changing
// the workflows, since a history that no longer replays only reaches the first mismatch.
#include "fuzz_workflows.hpp"

#include <perdure/testing.hpp>

#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using namespace perdure;
using namespace perdure::fuzz;
using testing::test_environment;

std::filesystem::path out_dir;

void save(const std::string& name, const std::vector<history_event>& history) {
    const auto json = testing::history_to_json(history);
    testing::replayer check;   // every seed replays cleanly against today's code
    check.register_workflow(order_workflow)
        .register_workflow(ship_workflow)
        .register_workflow(approval_workflow)
        .register_workflow(housekeeping_workflow)
        .register_workflow(neighbour_workflow);
    check.replay(json);
    std::ofstream(out_dir / (name + ".json")) << boost::json::serialize(json) << "\n";
    std::cout << name << ": " << history.size() << " events\n";
}

/// An environment with every workflow and activity, a billing endpoint and both Nexus mocks:
/// "charge" completes after a minute (declined for a negative amount), "slow" after a day.
struct fuzz_env {
    test_environment env;
    fuzz_env() {
        env.engine().namespaces().ensure("billing-ns");
        env.engine().nexus_endpoints().ensure(
            {.name = "billing", .target_namespace = "billing-ns", .target_task_queue = "pay"});
        env.engine()
            .add_worker("default", "fuzz")
            .register_workflow(order_workflow)
            .register_workflow(ship_workflow)
            .register_workflow(approval_workflow)
            .register_workflow(housekeeping_workflow)
            .register_workflow(neighbour_workflow)
            .register_activity(reserve)
            .register_activity(slow_count);
        env.mock_nexus_operation("payments", "charge", 1min, [](nexus::operation_context&, int amount) -> std::string {
            if (amount < 0) throw nexus::operation_error(nexus::operation_state::failed, "declined");
            return "charged " + std::to_string(amount);
        });
        env.mock_nexus_operation("payments", "slow", 24h, [](nexus::operation_context&, int generation) {
            return "slow " + std::to_string(generation);
        });
    }
    client c() { return env.client(); }
};

void orders() {
    {
        fuzz_env f;
        auto run =
            f.c().start_workflow(order_workflow, order_input{"o1", "book", 12}, {.id = "o1", .task_queue = "fuzz"});
        run.get();
        save("order-completed", run.history());
        save("ship-completed", f.c().get_handle<std::string>("ship-o1").history());
    }
    {
        fuzz_env f;
        auto run =
            f.c().start_workflow(order_workflow, order_input{"o2", "sold-out", -5}, {.id = "o2", .task_queue = "fuzz"});
        run.get();
        save("order-everything-fails", run.history());
        save("ship-failed", f.c().get_handle<std::string>("ship-o2").history());
    }
    {
        fuzz_env f;
        auto run =
            f.c().start_workflow(order_workflow, order_input{"o3", "lamp", 7}, {.id = "o3", .task_queue = "fuzz"});
        f.env.sleep(30min);   // the child is sleeping
        run.cancel();
        try {
            run.get();
        } catch (const workflow_failed_error&) {
        }
        save("order-canceled", run.history());
    }
}

void approvals() {
    {
        fuzz_env f;
        auto run = f.c().start_workflow(approval_workflow, 50, {.id = "a1", .task_queue = "fuzz"});
        run.signal("note", std::string("first"));
        run.update<int>("add", 30);
        try {
            run.update<int>("add", -1);
        } catch (const update_rejected_error&) {
        }
        run.signal("note", std::string("second"));
        run.signal("note", std::string("third"));
        run.signal("approve", true);   // before the update that reaches the target, so it is waiting
        run.update<int>("add", 25, "u-2");
        run.get();
        save("approval-approved", run.history());
    }
    {
        fuzz_env f;
        auto run = f.c().start_workflow(approval_workflow, 10, {.id = "a2", .task_queue = "fuzz"});
        run.get();
        save("approval-timed-out", run.history());
    }
    {
        fuzz_env f;
        auto run = f.c().start_workflow(approval_workflow, 10, {.id = "a3", .task_queue = "fuzz"});
        f.env.sleep(2h);
        run.terminate("enough");
        save("approval-terminated", run.history());
    }
}

void housekeeping_runs() {
    {
        fuzz_env f;
        f.c().start_workflow(neighbour_workflow, {.id = "neighbour", .task_queue = "fuzz"});
        auto run = f.c().start_workflow(housekeeping_workflow, 0, {.id = "h1", .task_queue = "fuzz"});
        run.get();
        save("housekeeping-first-run", f.c().get_handle<std::string>("h1", run.run_id()).history());
        save("housekeeping-last-run", run.history());
        save("neighbour-canceled", f.c().get_handle<std::string>("neighbour").history());
    }
    {
        fuzz_env f;
        auto run = f.c().start_workflow(housekeeping_workflow, 2, {.id = "h2", .task_queue = "fuzz"});
        f.env.sleep(5min);   // waiting for the "slow" operation
        run.cancel();
        run.get();
        save("housekeeping-cancel-requested", run.history());
    }
}

}   // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make-seed-histories DIR\n";
        return 2;
    }
    out_dir = argv[1];
    std::filesystem::create_directories(out_dir);
    orders();
    approvals();
    housekeeping_runs();
}
