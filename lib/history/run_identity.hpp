// Who a run is and what it was started with: built once when the run starts, held by the engine
// while the run is open, written by the store and given back typed when the engine reopens.
// It sits in history/ because both runtime/ and store/ need it and neither may include the other.
#pragma once

#include "codec/uuid.hpp"
#include "history/typed_attributes.hpp"
#include "support/boxed.hpp"

#include <perdure/options.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perdure::detail {

/// A child's link to the run that started it.
struct parent_link {
    std::int64_t run_key = 0;              ///< 0: the run has no parent
    std::int64_t initiated_event_id = 0;   ///< the parent's StartChildWorkflowExecutionInitiated
    parent_close_policy close_policy = parent_close_policy::terminate;

    bool operator==(const parent_link&) const = default;
};

/// A handler run's promise to tell a caller how the operation ended.
struct nexus_callback {
    std::int64_t caller_run_key = 0, scheduled_event_id = 0;
    std::string request_id, endpoint, service, operation, token;

    bool operator==(const nexus_callback&) const = default;
};

struct run_identity {
    std::int64_t run_key = 0, ns_id = 0;
    std::string workflow_id;
    compact_id run_id;   ///< generated, so 16 bytes rather than a string and its heap block
    std::string workflow_type, task_queue;
    std::int64_t start_time_us = 0;
    /// The chain's first run when it is another run (continued or retried); empty for the first
    /// run of a chain. Read it through first_run_id_or_own().
    boxed<std::string> first_run_id;
    compact_id request_id;                    ///< of the start that created it (retried starts dedupe on it)
    std::int64_t execution_deadline_us = 0;   ///< absolute, carried over continue-as-new and retries; 0: none
    std::int64_t run_timeout_ms = 0;          ///< 0: none
    boxed_optional<retry_policy> retry{};     ///< the workflow's own retry policy
    int attempt = 1;
    boxed<boost::json::object> memo{};
    parent_link parent{};
    /// Callers of Nexus operations this run serves, told when it closes. A run attached to by
    /// another caller gains one; a continued or retried run carries them on.
    boxed<std::vector<nexus_callback>> callbacks{};
    /// The parent's ids (empty without a parent), and the ids of the run at the top of its tree
    /// of parents, for visibility queries: empty when that is the run itself (read them through
    /// the _or_own() accessors).
    boxed<std::string> parent_workflow_id, parent_run_id, root_workflow_id, root_run_id;
    /// Its search attributes as they stand (given at start, changed by upserts).
    boxed<typed_attributes> search_attributes{};

    std::string first_run_id_or_own() const { return first_run_id->empty() ? run_id.str() : *first_run_id; }
    const std::string& root_workflow_id_or_own() const noexcept {
        return root_workflow_id->empty() ? workflow_id : *root_workflow_id;
    }
    std::string root_run_id_or_own() const { return root_run_id->empty() ? run_id.str() : *root_run_id; }
    /// Empties the ids that name the run itself, as a new run leaves them: most runs are the
    /// first of their chain and their own root, and a parked run should not pay three copies of
    /// its own ids.
    void forget_own_ids() noexcept {
        if (run_id == *first_run_id) first_run_id = std::string();
        if (*root_workflow_id == workflow_id && run_id == *root_run_id)
            root_workflow_id = std::string(), root_run_id = std::string();
    }

    bool operator==(const run_identity&) const = default;
};

}   // namespace perdure::detail
