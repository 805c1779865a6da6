// Client reads answered on the reader thread from committed state: describe, list, history.
#pragma once

#include "runtime/core.hpp"

#include <perdure/client.hpp>

namespace perdure::detail {

void describe_run(engine_core&, std::string ns, std::string workflow_id, std::string run_id,
                  callback<workflow_execution_info> cb);
void list_runs(engine_core&, std::string ns, std::optional<workflow_status> status, std::size_t limit,
               std::string after, callback<std::vector<workflow_execution_info>> cb);
/// A page of the runs matching a visibility query; see client::list(query).
void query_runs(engine_core&, std::string ns, std::string query, std::size_t page_size, std::string page_token,
                callback<workflow_page> cb);
/// The runs matching a visibility query counted, per status too when `by_status`.
void count_runs(engine_core&, std::string ns, std::string query, bool by_status, callback<workflow_counts> cb);
void read_history(engine_core&, std::string ns, std::string workflow_id, std::string run_id,
                  callback<std::vector<history_event>> cb);

/// The client-facing form of a stored event.
history_event to_history_event(const event&);

}   // namespace perdure::detail
