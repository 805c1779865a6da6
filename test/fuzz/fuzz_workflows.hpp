// The workflows the history fuzz target replays against, and that make_seed_histories runs to
// record its seed corpus: between them they use every command perdure has (activities with
// retries and cancellation, timers, signals, queries, updates with validators, conditions,
// spawned tasks, side effects, patches, child workflows, external signals and cancellations,
// Nexus operations, continue-as-new), so fuzzed histories reach every machine.
#pragma once

#include <perdure/nexus_client.hpp>
#include <perdure/perdure.hpp>

#include <boost/describe/class.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace perdure::fuzz {

using namespace std::chrono_literals;

struct order_input {
    std::string id;
    std::string item;
    int amount = 0;
};
BOOST_DESCRIBE_STRUCT(order_input, (), (id, item, amount))

inline const activity_def<std::string, std::string> reserve{
    "Reserve", [](activity_context&, std::string item) -> std::string {
        if (item == "sold-out") throw application_error("no stock of " + item, "OutOfStock", true);
        return "reserved " + item;
    }};
inline const activity_def<int, int> slow_count{"SlowCount", [](activity_context&, int n) { return n + 1; }};

/// A child: waits an hour, then reserves again.
inline workflow<std::string> ship(workflow_context& ctx, std::string item) {
    co_await ctx.sleep(1h);
    co_return co_await ctx.execute_activity(reserve, item, {.start_to_close_timeout = 30s});
}
inline const workflow_def ship_workflow{"FuzzShip", &ship};

/// Activities with retries, a child workflow and a Nexus operation awaited in two steps.
inline workflow<std::string> order(workflow_context& ctx, order_input in) {
    std::string log;
    try {
        log += co_await ctx.execute_activity(
            reserve, in.item,
            {.start_to_close_timeout = 30s, .retry = retry_policy{.initial_interval = 2s, .maximum_attempts = 3}});
    } catch (const activity_error& e) {
        log += "reserve failed: " + std::string(e.what());
    }
    try {
        log += "; " + co_await ctx.execute_child_workflow(ship_workflow, in.item, {.id = "ship-" + in.id});
    } catch (const child_workflow_error& e) {
        log += "; ship failed: " + std::string(e.what());
    }
    auto op =
        ctx.nexus_client("billing", "payments")
            .start_operation<std::string>("charge", in.amount, {.schedule_to_close_timeout = 1h, .summary = "charge"});
    const auto token = co_await op.started();
    try {
        log += "; " + co_await op.result() + " (token '" + token + "')";
    } catch (const nexus_operation_failure& e) {
        log += "; charge failed: " + std::string(e.what());
    }
    co_return log;
}
inline const workflow_def order_workflow{"FuzzOrder", &order};

/// Signals, queries, updates (validated), a condition with a timeout, a spawned task and a
/// timer raced against a signal.
inline workflow<int> approval(workflow_context& ctx, int target) {
    int total = 0;
    std::vector<std::string> notes;
    ctx.set_query_handler("total", [&] { return total; });
    ctx.set_update_handler(
        "add",
        [&](int n) -> workflow<int> {
            co_await ctx.sleep(1s);
            total += n;
            co_return total;
        },
        [](int n) {
            if (n < 0) throw std::invalid_argument("add needs a positive number");
        });
    auto reader = ctx.spawn([&]() -> workflow<void> {
        auto channel = ctx.signal_channel<std::string>("note");
        for (int i = 0; i < 3; ++i) notes.push_back(co_await channel.receive());
    });
    const bool reached = co_await ctx.wait_condition([&] { return total >= target; }, 24h);
    auto approve = ctx.signal_channel<bool>("approve").receive();
    auto deadline = ctx.sleep(1h);
    if (co_await any(approve, deadline) == 0 && co_await approve) total += 1000;
    if (!reached) total = -total;
    if (reader.ready()) co_await reader;
    co_return total + static_cast<int>(notes.size());
}
inline const workflow_def approval_workflow{"FuzzApproval", &approval};

/// Side effects, patches, cancellation of an activity, a timer and a Nexus operation, external
/// signals and cancellations, and continue-as-new for the first two generations.
inline workflow<std::string> housekeeping(workflow_context& ctx, int generation) {
    std::string log = ctx.patched("v2") ? "v2" : "v1";
    ctx.deprecate_patch("old-fix");
    const auto dice = co_await ctx.side_effect([&] { return static_cast<int>(ctx.random() % 6); });
    log += " dice " + std::to_string(dice);

    auto count = ctx.execute_activity(
        slow_count, dice, {.start_to_close_timeout = 1h, .cancellation = cancellation_type::wait_completed});
    auto tick = ctx.sleep(10min);
    if (co_await any(count, tick) == 1) {
        count.request_cancel();
        try {
            log += " counted " + std::to_string(co_await count);
        } catch (const failure_error&) {
            log += " count canceled";
        }
    } else {
        tick.request_cancel();
        log += " counted " + std::to_string(co_await count);
    }
    try {
        co_await ctx.signal_external_workflow("neighbour", "", "poke", std::string("hello"));
        co_await ctx.request_cancel_external_workflow("neighbour");
        log += " poked";
    } catch (const failure_error&) {
        log += " no neighbour";
    }
    auto op = ctx.nexus_client("billing", "payments")
                  .start_operation<std::string>("slow", generation, {.cancellation = cancellation_type::try_cancel});
    co_await ctx.sleep(1s);
    if (generation < 2) op.request_cancel();   // the last generation waits a day for it: time to cancel the run
    try {
        log += " " + co_await op.result();
    } catch (const failure_error&) {
        log += " slow canceled";
    }
    if (ctx.cancel_requested()) co_return log + " (cancel requested)";
    if (generation < 2) co_await ctx.continue_as_new(generation + 1);
    co_return log;
}
inline const workflow_def housekeeping_workflow{"FuzzHousekeeping", &housekeeping};

/// Waits for a signal, for the neighbour of housekeeping to poke and cancel.
inline workflow<std::string> neighbour(workflow_context& ctx) {
    co_return co_await ctx.signal_channel<std::string>("poke").receive();
}
inline const workflow_def neighbour_workflow{"FuzzNeighbour", &neighbour};

}   // namespace perdure::fuzz
