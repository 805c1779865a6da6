// The SQLite store's reads: every query the engine, the client and the CLI make, on a given
// connection.
#pragma once

#include "history/event.hpp"
#include "store/rows.hpp"
#include "store/sqlite/sqlite.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace perdure::detail {

/// The namespaces that exist (not deleted).
std::vector<namespace_row> load_namespaces(sql::connection&);
/// The highest namespace id ever given, deleted ones included (ids are never reused).
std::int64_t max_namespace_id(sql::connection&);
/// Runs left in deleted namespaces, to be deleted in the background.
std::vector<std::int64_t> runs_of_deleted_namespaces(sql::connection&, std::size_t limit);
std::vector<endpoint_row> load_endpoints(sql::connection&);
std::int64_t max_run_key(sql::connection&);

/// Every run still open, with its last event (to see whether it awaits an activation).
void load_open_runs(sql::connection&, const std::function<void(open_run_row)>& each);

/// A run's events in order, from `first_event_id`. Throws storage_error on a malformed row.
std::vector<event> load_history(sql::connection&, std::int64_t run_key, std::int64_t first_event_id = 1);
std::optional<event> load_event(sql::connection&, std::int64_t run_key, std::int64_t event_id);
std::optional<event> load_last_event(sql::connection&, std::int64_t run_key);
std::int64_t history_length(sql::connection&, std::int64_t run_key);

std::vector<task_row> load_tasks(sql::connection&);
std::vector<deadline_row> load_deadlines(sql::connection&);
/// The lowest seq in the tasks table (outbox rows use negative ones).
std::int64_t min_task_seq(sql::connection&);

std::optional<execution_row> find_run(sql::connection&, std::string_view run_id);
std::optional<execution_row> find_run(sql::connection&, std::int64_t run_key);
/// The newest run of a workflow id in a namespace.
std::optional<execution_row> find_latest_run(sql::connection&, std::int64_t ns_id, std::string_view workflow_id);
/// Runs of a namespace (all existing namespaces when ns_id is 0), newest first, optionally by status,
/// starting below `before_run_key` (0: from the newest).
std::vector<execution_row> list_runs(sql::connection&, std::int64_t ns_id, std::optional<run_status>, std::size_t limit,
                                     std::int64_t before_run_key);
std::int64_t count_open_runs(sql::connection&, std::int64_t ns_id);
/// Closed runs of a namespace that closed before `before_us`, oldest first.
std::vector<std::int64_t> expired_runs(sql::connection&, std::int64_t ns_id, std::int64_t before_us, std::size_t limit);

}   // namespace perdure::detail
