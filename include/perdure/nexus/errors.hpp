// The errors of Nexus operations, as nexus-rpc defines them: a handler throws them, and a caller
// finds them as the cause() of the nexus_operation_failure its workflow code receives.
#pragma once

#include <perdure/error.hpp>
#include <perdure/failure.hpp>

#include <string>

namespace perdure::nexus {

enum class handler_error_type {
    bad_request,
    unauthenticated,
    unauthorized,
    not_found,
    request_timeout,
    conflict,
    resource_exhausted,
    internal,
    not_implemented,
    unavailable,
    upstream_timeout
};
enum class retry_behavior { unspecified, retryable, non_retryable };
const char* to_string(handler_error_type) noexcept;

/// A handler's error: retried when its type is retryable (request_timeout, resource_exhausted,
/// internal, unavailable, upstream_timeout) unless the behavior overrides it.
class handler_error : public failure_error {
public:
    handler_error(handler_error_type type, std::string message, retry_behavior behavior = retry_behavior::unspecified);
    explicit handler_error(perdure::failure f) : failure_error(std::move(f)) {}
    handler_error_type type() const;
    retry_behavior behavior() const;
    bool retryable() const;
};

enum class operation_state { running, succeeded, failed, canceled };

/// The operation ended unsuccessfully (failed or canceled); never retried.
class operation_error : public failure_error {
public:
    operation_error(operation_state state, std::string message);
    explicit operation_error(perdure::failure f) : failure_error(std::move(f)) {}
    operation_state state() const;
};

}   // namespace perdure::nexus
