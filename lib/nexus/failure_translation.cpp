// Nexus failure translation.
#include "nexus/failure_translation.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

failure handler_failure(nexus::handler_error_type type, std::string message, bool retryable) {
    return nexus::handler_error(type, std::move(message),
                                retryable ? nexus::retry_behavior::retryable : nexus::retry_behavior::non_retryable)
        .failure();
}

failure failure_of_handler_exception(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const nexus::handler_error& h) {
        return h.failure();
    } catch (const nexus::operation_error& o) {
        return o.failure();
    } catch (const application_error& a) {
        auto f = handler_failure(nexus::handler_error_type::internal, a.what(), !a.non_retryable());
        f.cause = std::make_shared<const failure>(a.failure());
        return f;
    } catch (const std::exception& ex) {
        return handler_failure(nexus::handler_error_type::internal, ex.what(), true);
    } catch (...) {
        return handler_failure(nexus::handler_error_type::internal, "the handler threw a non-standard exception", true);
    }
}

handler_verdict judge_handler_failure(const failure& f) {
    if (f.kind == failure_kind::nexus_handler && nexus::handler_error(f).retryable()) return handler_verdict::retry;
    return f.kind == failure_kind::canceled ? handler_verdict::cancel : handler_verdict::fail;
}

failure operation_timeout(timeout_type t) {
    failure f;
    f.message = "operation timed out";
    f.kind = failure_kind::timeout;
    f.info = {{"timeout_type", to_string(t)}};
    return f;
}

failure refusal_failure(attempt_decision::refusal why, std::string_view service, std::string_view operation,
                        std::string_view task_queue) {
    if (why == attempt_decision::refusal::operation_not_found)
        return handler_failure(nexus::handler_error_type::not_found,
                               "no operation " + std::string(operation) + " in service " + std::string(service) +
                                   " on task queue " + std::string(task_queue),
                               false);
    return handler_failure(nexus::handler_error_type::not_found, "endpoint not registered", false);
}

}   // namespace perdure::detail
