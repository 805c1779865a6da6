// Write operations as PostgreSQL statements, which the writer sends in its transaction.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/rows.hpp"

#include <optional>
#include <vector>

namespace perdure::detail {

/// Appends to `out` the statements that apply `op` as the SQLite store would (same rows, same
/// replace-on-conflict semantics). A new run is stored with its shard (shard_of its namespace
/// and workflow id, of `shard_count`).
void pg_statements(const write_op& op, int shard_count, std::vector<pg::statement>& out);

/// One statement that inserts every event of `events` into the history, in place of one INSERT
/// each: the server's work per statement, not per row, is most of what a small row costs it.
pg::statement pg_history_rows(const std::vector<const insert_event*>& events);

/// The run an op writes to, or nullopt for rows of the whole database (namespaces, endpoints,
/// the inbox) and for ops that write nothing here (incremental_vacuum).
std::optional<std::int64_t> run_key_of(const write_op& op) noexcept;

/// True for ops that write rows of the whole database rather than of one run.
bool writes_cluster_rows(const write_op& op) noexcept;

}   // namespace perdure::detail
