// The run identity the store tests write when only its key and workflow id matter: namespace 1,
// run id "run-<key>", type "order" on queue "q", started at 1 s.
#pragma once

#include "store/rows.hpp"

#include <string>

namespace perdure::test {

inline detail::run_identity sample_run(std::int64_t run_key, std::string workflow_id) {
    detail::run_identity r;
    r.run_key = run_key;
    r.ns_id = 1;
    r.workflow_id = std::move(workflow_id);
    r.run_id = "run-" + std::to_string(run_key);
    r.workflow_type = "order";
    r.task_queue = "q";
    r.start_time_us = 1'000'000;
    return r;
}

}   // namespace perdure::test
