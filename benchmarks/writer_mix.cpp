// Rebuilds the engine's writes for the throughput shape with the attribute texts the engine
// records (lib/runtime start.cpp, runs.cpp, activities.cpp), so their sizes match.
#include "writer_mix.hpp"

#include "runtime/core.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace perdure::bench {
namespace {

using namespace perdure::detail;

insert_event row(std::int64_t run_key, std::int64_t id, event_type type, std::int64_t time_us,
                 boost::json::object attrs) {
    return {run_key, event{id, type, time_us, std::move(attrs)}};
}

boost::json::object scheduled_attrs(int activity, std::int64_t input, std::int64_t wtc_id) {
    return {{"activity_id", std::to_string(activity)},
            {"activity_type", {{"name", "Step"}}},
            {"task_queue", {{"name", "bench"}}},
            {"input", input},
            {"schedule_to_close_timeout", "0s"},
            {"schedule_to_start_timeout", "0s"},
            {"start_to_close_timeout", "10s"},
            {"heartbeat_timeout", "0s"},
            {"retry_policy",
             {{"initial_interval", "1s"},
              {"backoff_coefficient", 2.0},
              {"maximum_interval", "100s"},
              {"maximum_attempts", 0},
              {"non_retryable_error_types", boost::json::array{}}}},
            {"workflow_task_completed_event_id", wtc_id}};
}

}   // namespace

void start_writes(std::vector<write_op>& ops, std::int64_t key, std::int64_t now_us) {
    const std::string run_id = new_uuid(), request_id = new_uuid();
    const std::int64_t input = key;
    ops.emplace_back(row(key, 1, event_type::workflow_execution_started, now_us,
                         {{"workflow_type", {{"name", "Throughput"}}},
                          {"task_queue", {{"name", "bench"}}},
                          {"input", input},
                          {"workflow_execution_timeout", "0s"},
                          {"workflow_run_timeout", "0s"},
                          {"attempt", 1},
                          {"first_execution_run_id", run_id},
                          {"original_execution_run_id", run_id},
                          {"request_id", request_id},
                          {"identity", "perdure"}}));
    run_identity e;
    e.run_key = key;
    e.ns_id = 1;
    e.workflow_id = "tp-" + std::to_string(key);
    e.run_id = run_id;
    e.workflow_type = "Throughput";
    e.task_queue = "bench";
    e.start_time_us = now_us;
    e.request_id = request_id;
    e.first_run_id = run_id;
    ops.emplace_back(insert_execution{std::move(e)});
    ops.emplace_back(row(key, 2, event_type::workflow_task_completed, now_us, {}));
    ops.emplace_back(row(key, 3, event_type::activity_task_scheduled, now_us, scheduled_attrs(1, input, 2)));
    ops.emplace_back(upsert_task{{key, 3, task_kind::activity, 1, now_us, ""}});
}

void step_writes(std::vector<write_op>& ops, std::int64_t key, int activity, bool last, std::int64_t now_us) {
    const std::int64_t scheduled = 3 + 4 * (activity - 1);
    const std::int64_t result = key + activity;
    ops.emplace_back(row(key, scheduled + 1, event_type::activity_task_started, now_us,
                         {{"scheduled_event_id", scheduled}, {"attempt", 1}, {"identity", "perdure"}}));
    ops.emplace_back(row(key, scheduled + 2, event_type::activity_task_completed, now_us,
                         {{"result", result}, {"scheduled_event_id", scheduled}, {"started_event_id", scheduled + 1}}));
    ops.emplace_back(delete_task{key, scheduled});
    ops.emplace_back(row(key, scheduled + 3, event_type::workflow_task_completed, now_us, {}));
    if (!last) {
        ops.emplace_back(row(key, scheduled + 4, event_type::activity_task_scheduled, now_us,
                             scheduled_attrs(activity + 1, result, scheduled + 3)));
        ops.emplace_back(upsert_task{{key, scheduled + 4, task_kind::activity, 1, now_us, ""}});
    } else {
        ops.emplace_back(row(key, scheduled + 4, event_type::workflow_execution_completed, now_us,
                             {{"result", result}, {"workflow_task_completed_event_id", scheduled + 3}}));
        ops.emplace_back(close_execution{key, run_status::completed, now_us});
        ops.emplace_back(clear_run_work{key});
    }
}

std::vector<write_op> throughput_writes(std::int64_t first_run_key, std::size_t workflows, int activities,
                                        std::int64_t now_us) {
    std::vector<write_op> ops;
    ops.reserve(workflows * static_cast<std::size_t>(writes_per_workflow(activities)));
    const auto run_key = [&](std::size_t w) { return first_run_key + static_cast<std::int64_t>(w); };
    for (std::size_t w = 0; w < workflows; ++w) start_writes(ops, run_key(w), now_us);
    for (int a = 1; a <= activities; ++a)
        for (std::size_t w = 0; w < workflows; ++w) step_writes(ops, run_key(w), a, a == activities, now_us);
    return ops;
}

}   // namespace perdure::bench
