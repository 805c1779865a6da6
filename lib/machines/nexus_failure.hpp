// The failure a Nexus caller records and sees for an unsuccessful operation: Temporal's
// NexusOperationFailureInfo (endpoint, service, operation, token, scheduled event) wrapping the
// cause. Pure, so the caller's machine builds the same record from history in replay.
#pragma once

#include <perdure/failure.hpp>

#include <cstdint>
#include <string>

namespace perdure::detail {

failure wrap_nexus_failure(const std::string& endpoint, const std::string& service, const std::string& operation,
                           const std::string& token, std::int64_t scheduled_event_id, failure cause);

}   // namespace perdure::detail
