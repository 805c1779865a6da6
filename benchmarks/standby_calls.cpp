// standby_calls (PostgreSQL): what a client call costs on an engine standing by beside the
// database's owner, where every call travels to the owner through the inbox and the answer
// back. One workflow at a time: its start and a signal, timed from the caller's side, and how
// long after the owner closed another run the caller waiting for its result has it; the
// owner's own client, timed alike, is the comparison. Then a workflow of one activity, run to
// its end from the owner's client: the activity run by the standby, which serves its queue
// (claimed from the shared task table), against the same run by the owner's own worker; a
// workflow of one sync Nexus operation, its handler run by the standby or by the owner; and a
// workflow of twenty timers, each a workflow task, run by the standby (whose worker alone
// registers it there: its tasks claimed from the shared task table) or by the owner.
#include "common.hpp"
#include "scenarios.hpp"

#include <perdure/perdure.hpp>

#include <future>
#include <thread>

namespace perdure::bench {
namespace {

perdure::workflow<int> waits_for_go(perdure::workflow_context& ctx, int x) {
    co_await ctx.signal_channel<int>("go").receive();
    co_return x;
}
const perdure::workflow_def<int, int> waiting{"WaitsForGo", &waits_for_go};

int echo(perdure::activity_context&, int n) { return n; }
const perdure::activity_def<int, int> echo_activity{"Echo", &echo};

perdure::workflow<int> one_activity(perdure::workflow_context& ctx, std::string queue) {
    co_return co_await ctx.execute_activity(echo_activity, 3,
                                            {.start_to_close_timeout = std::chrono::seconds(10), .task_queue = queue});
}
const perdure::workflow_def<int, std::string> one_activity_workflow{"OneActivity", &one_activity};

const perdure::nexus::sync_operation<int, int> echo_op{"echo",
                                                       [](perdure::nexus::operation_context&, int n) { return n; }};

perdure::workflow<int> one_operation(perdure::workflow_context& ctx, std::string endpoint) {
    co_return co_await ctx.nexus_client(endpoint, "echo").execute_operation(echo_op, 3);
}
const perdure::workflow_def<int, std::string> one_operation_workflow{"OneOperation", &one_operation};

constexpr int timer_steps = 20;

/// Twenty workflow tasks, one a timer's firing; returns 3.
perdure::workflow<int> timers(perdure::workflow_context& ctx, std::string) {
    for (int i = 0; i < timer_steps; ++i) co_await ctx.sleep(std::chrono::milliseconds(1));
    co_return 3;
}
const perdure::workflow_def<int, std::string> timers_workflow{"Timers", &timers};

/// Runs `count` workflows of `def` in turn on `queue`, telling them where their one call goes;
/// their times, start to result.
std::vector<double> time_runs(perdure::client owner, const perdure::workflow_def<int, std::string>& def,
                              std::size_t count, const std::string& where, const std::string& queue = "bench") {
    std::vector<double> times;
    for (std::size_t i = 0; i < count; ++i) {
        const auto at = steady::now();
        auto run = owner.start_workflow(
            def, where, {.id = def.name() + "-" + where + "-" + std::to_string(i), .task_queue = queue});
        if (run.get() != 3) throw std::runtime_error("standby_calls: a wrong result from " + where);
        times.push_back(elapsed_us(at));
    }
    return times;
}

struct call_times {
    std::vector<double> start, signal, result;
};

/// `caller` starts and signals a run, then waits for the result of a second one that the
/// owner's client lets finish: what is timed there is how soon the caller hears of a close.
call_times time_calls(perdure::client caller, perdure::client owner, std::size_t count, const std::string& prefix) {
    call_times t;
    for (std::size_t i = 0; i < count; ++i) {
        const auto id = prefix + std::to_string(i);
        auto at = steady::now();
        auto run = caller.start_workflow(waiting, 1, {.id = id + "-a", .task_queue = "bench"});
        t.start.push_back(elapsed_us(at));
        at = steady::now();
        run.signal("go", 1);
        t.signal.push_back(elapsed_us(at));

        auto awaited = caller.start_workflow(waiting, 2, {.id = id + "-b", .task_queue = "bench"});
        auto result = std::async(std::launch::async, [&] { return awaited.get(); });
        // Long enough for the caller to be waiting before the run closes.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        owner.get_handle<int>(id + "-b").signal("go", 1);
        at = steady::now();
        if (result.get() != 2 || run.get() != 1) throw std::runtime_error("standby_calls: a wrong result");
        t.result.push_back(elapsed_us(at));
    }
    return t;
}

boost::json::object p50s(call_times t) {
    return {{"start_p50_us", summarize(std::move(t.start)).p50},
            {"signal_p50_us", summarize(std::move(t.signal)).p50},
            {"result_after_close_p50_us", summarize(std::move(t.result)).p50}};
}

}   // namespace

void run_standby_calls(const settings& s) {
    const std::size_t count = s.size(200, 5);
    const std::string path = fresh_database(s, "standby_calls");
    {
        perdure::engine owner(engine_options_for(s, path));
        owner.namespaces().ensure("bench");
        owner.nexus_endpoints().ensure({.name = "own", .target_namespace = "bench", .target_task_queue = "own-nexus"});
        owner.nexus_endpoints().ensure({.name = "beside", .target_namespace = "bench", .target_task_queue = "beside"});
        owner.add_worker("bench", "bench")
            .register_workflow(waiting)
            .register_workflow(one_activity_workflow)
            .register_workflow(one_operation_workflow)
            .register_workflow(timers_workflow)
            .register_activity(echo_activity);
        owner.add_worker("bench", "own-nexus").register_nexus_service(perdure::nexus::service("echo").add(echo_op));
        owner.start();
        perdure::engine beside(engine_options_for(s, path));   // stands by: the owner is live
        beside.add_worker("bench", "beside")
            .register_workflow(timers_workflow)
            .register_activity(echo_activity)
            .register_nexus_service(perdure::nexus::service("echo").add(echo_op));
        beside.start();
        const auto own = time_calls(owner.client_for("bench"), owner.client_for("bench"), count, "own-");
        const auto via = time_calls(beside.client_for("bench"), owner.client_for("bench"), count, "via-");
        boost::json::object line{{"scenario", "standby_calls"}, {"calls", count}};
        for (auto& [k, v] : p50s(via)) line[k] = v;
        for (auto& [k, v] : p50s(own)) line[std::string("owner_") + std::string(k)] = v;
        const auto runs = [&](const auto& def, const std::string& where) {
            return summarize(time_runs(owner.client_for("bench"), def, count, where)).p50;
        };
        line["activity_beside_p50_us"] = runs(one_activity_workflow, "beside");
        line["owner_activity_p50_us"] = runs(one_activity_workflow, "bench");
        line["nexus_beside_p50_us"] = runs(one_operation_workflow, "beside");
        line["owner_nexus_p50_us"] = runs(one_operation_workflow, "own");
        const auto per_step = [&](const std::string& queue) {
            return summarize(time_runs(owner.client_for("bench"), timers_workflow, count, queue, queue)).p50 /
                   timer_steps;
        };
        line["workflow_step_beside_p50_us"] = per_step("beside");
        line["owner_workflow_step_p50_us"] = per_step("bench");
        line["durability"] = to_string(s.durability);
        emit(line);
    }
    remove_database(s, path);
}

}   // namespace perdure::bench
