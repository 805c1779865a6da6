// Reading stored rows back into values, for both stores: an event from its columns and a run
// from the executions columns, so SQLite and PostgreSQL give back the very same values.
#pragma once

#include "history/event.hpp"
#include "store/rows.hpp"
#include "store/run_columns.hpp"

#include <cstdint>
#include <string>
#include <string_view>

/// The executions columns in the order stored_execution reads them.
#define PERDURE_EXECUTION_COLUMNS                                                                                  \
    "run_key, ns_id, workflow_id, run_id, workflow_type, task_queue, status, start_time, close_time, request_id, " \
    "first_run_id, execution_deadline, memo, task_failure, parent, options, callbacks, parent_workflow_id, "       \
    "parent_run_id, root_workflow_id, root_run_id, search_attributes"

/// How many columns PERDURE_EXECUTION_COLUMNS names.
#define PERDURE_EXECUTION_COLUMN_COUNT 22

namespace perdure::detail {

/// An event from its stored columns. Throws storage_error for a type this build does not know
/// or attributes that are not a JSON object.
event stored_event(std::int64_t run_key, std::int64_t event_id, std::int64_t type, std::int64_t time_us,
                   std::string_view attrs);

/// A run from PERDURE_EXECUTION_COLUMNS starting at column `o` of `row` (anything with
/// int64(col) and text(col)).
template <class Row>
execution_row stored_execution(const Row& row, int o = 0) {
    execution_row r;
    r.run_key = row.int64(o + 0);
    r.ns_id = row.int64(o + 1);
    r.workflow_id = row.text(o + 2);
    r.run_id = row.text(o + 3);
    r.workflow_type = row.text(o + 4);
    r.task_queue = row.text(o + 5);
    r.status = static_cast<run_status>(row.int64(o + 6));
    r.start_time_us = row.int64(o + 7);
    r.close_time_us = row.int64(o + 8);
    r.request_id = row.text(o + 9);
    r.first_run_id = std::string(row.text(o + 10));
    r.execution_deadline_us = row.int64(o + 11);
    read_memo_column(row.text(o + 12), r);
    r.task_failure = row.text(o + 13);
    read_parent_column(row.text(o + 14), r);
    read_options_column(row.text(o + 15), r);
    read_callbacks_column(row.text(o + 16), r);
    r.parent_workflow_id = std::string(row.text(o + 17));
    r.parent_run_id = std::string(row.text(o + 18));
    r.root_workflow_id = std::string(row.text(o + 19));
    r.root_run_id = std::string(row.text(o + 20));
    read_search_attributes_column(row.text(o + 21), r);
    return r;
}

}   // namespace perdure::detail
