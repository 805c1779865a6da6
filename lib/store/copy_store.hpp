// Copying a store into another, the way from a SQLite file to PostgreSQL (or back): every
// namespace with its search attributes, every endpoint, every run of a namespace that exists
// with its history, and the work open runs are owed (tasks, deadlines). Keys and ids are kept,
// so the copy reads as the original and an engine opened on it carries on where the original's
// engine stopped.
#pragma once

#include <perdure/engine_options.hpp>

#include <cstdint>

namespace perdure::detail {

struct copy_counts {
    std::int64_t namespaces = 0, endpoints = 0, runs = 0, open_runs = 0, events = 0, tasks = 0, deadlines = 0;
};

/// Copies the store `from.database` names into the store `to.database` names, which is created
/// when missing and must hold nothing yet. The source is opened for maintenance, so no engine
/// may run on it meanwhile (database_locked otherwise); a destination that holds data is refused
/// with failed_precondition. The copy is durable when this returns; on an error the destination
/// may hold part of it: delete it and copy again.
copy_counts copy_store(const engine_options& from, const engine_options& to);

}   // namespace perdure::detail
