// What a Nexus caller records when an attempt does not succeed, as Temporal and nexus-rpc
// define it: a handler's exception as a failure, which failures are retried (and count
// against the breaker), the timeouts, and the NOT_FOUND refusals of the attempt decision.
#pragma once

#include "nexus/attempt_decision.hpp"

#include <perdure/failure.hpp>
#include <perdure/nexus.hpp>

#include <exception>
#include <string>
#include <string_view>

namespace perdure::detail {

/// A handler error as history records it; `retryable` sets its retry behavior explicitly.
failure handler_failure(nexus::handler_error_type type, std::string message, bool retryable);

/// What a handler's exception means for the caller, as Temporal's SDK translates it: handler
/// and operation errors as they are; an application error as INTERNAL, retryable unless it
/// says otherwise, caused by it; anything else as a retryable INTERNAL.
failure failure_of_handler_exception(std::exception_ptr);

/// What a failed attempt means for the operation.
enum class handler_verdict {
    retry,    ///< a retryable handler error: back off and attempt again (the destination is down)
    fail,     ///< NexusOperationFailed
    cancel,   ///< NexusOperationCanceled (an operation error saying canceled)
};
handler_verdict judge_handler_failure(const failure&);

/// The cause of NexusOperationTimedOut.
failure operation_timeout(timeout_type);

/// The non-retryable NOT_FOUND an attempt decision refuses with.
failure refusal_failure(attempt_decision::refusal why, std::string_view service, std::string_view operation,
                        std::string_view task_queue);

}   // namespace perdure::detail
