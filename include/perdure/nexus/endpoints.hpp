// Nexus endpoints, the operator's side: persisted routing records from an endpoint name to a
// target namespace and task queue, managed through engine::nexus_endpoints() (or the CLI's
// `perdure operator nexus endpoint`), and the health of each caller's circuit breaker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perdure {

class engine;
namespace detail {
class engine_core;
struct core_access;
}   // namespace detail

namespace nexus {

struct endpoint_spec {
    std::string name{}, target_namespace{}, target_task_queue{}, description{};
    /// Operations started through the endpoint per second, from all callers together (bursts of
    /// up to a second's worth); starts over it wait their turn. 0: no limit.
    double max_operations_per_second = 0;
    bool operator==(const endpoint_spec&) const = default;
};

struct endpoint {
    std::string id{};         ///< generated; operations hold it
    std::int64_t version{};   ///< incremented on every update
    endpoint_spec spec{};
    std::chrono::system_clock::time_point created{}, last_modified{};
};

struct endpoint_update {
    std::optional<std::string> name{}, target_namespace{}, target_task_queue{}, description{};
    std::optional<std::int64_t> expected_version{};   ///< optimistic concurrency
    std::optional<double> max_operations_per_second{};
};

struct endpoint_health {
    std::string breaker{};   ///< "closed", "open", "half-open"
    int consecutive_failures{};
    std::int64_t in_flight{};
    std::chrono::system_clock::time_point reopens_at{};
};

class endpoint_registry {
public:
    /// Throws already_exists, invalid_argument (name rules: ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$, at
    /// most 200), not_found (target namespace). Returns after it is committed.
    endpoint create(endpoint_spec spec);
    /// Creates it, or returns it if identical; throws already_exists if it differs.
    endpoint ensure(endpoint_spec spec);
    std::vector<endpoint> list();
    /// Throws not_found.
    endpoint describe(std::string_view name);
    /// Replaces the given fields; throws failed_precondition on a version mismatch, not_found.
    /// New operations route to the new target at once.
    endpoint update(std::string_view name, endpoint_update change);
    /// Throws not_found. Operations that have not started fail NOT_FOUND on their next attempt.
    void remove(std::string_view name);
    /// The circuit breaker of (caller namespace, endpoint); every caller namespace when empty.
    endpoint_health health(std::string_view name, std::string_view caller_ns = {});

private:
    friend class perdure::engine;
    friend struct perdure::detail::core_access;
    explicit endpoint_registry(std::shared_ptr<perdure::detail::engine_core> core) : core_(std::move(core)) {}
    std::shared_ptr<perdure::detail::engine_core> core_;
};

}   // namespace nexus
}   // namespace perdure
