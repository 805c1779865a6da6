// Nexus operation failures, in Temporal's encoding.
#include "machines/nexus_failure.hpp"

namespace perdure::detail {

failure wrap_nexus_failure(const std::string& endpoint, const std::string& service, const std::string& operation,
                           const std::string& token, std::int64_t scheduled_event_id, failure cause) {
    failure f;
    f.message = "nexus operation completed unsuccessfully: " + cause.message;
    f.kind = failure_kind::nexus_operation;
    f.info = {{"scheduled_event_id", scheduled_event_id},
              {"endpoint", endpoint},
              {"service", service},
              {"operation", operation},
              {"operation_token", token}};
    f.cause = std::make_shared<const failure>(std::move(cause));
    return f;
}

}   // namespace perdure::detail
