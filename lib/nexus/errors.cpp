// Handler and operation errors, in Temporal's failure encoding.
#include <perdure/nexus.hpp>

#include <array>
#include <utility>

namespace perdure::nexus {
namespace {

constexpr std::array<std::pair<handler_error_type, const char*>, 11> type_names = {{
    {handler_error_type::bad_request, "BAD_REQUEST"},
    {handler_error_type::unauthenticated, "UNAUTHENTICATED"},
    {handler_error_type::unauthorized, "UNAUTHORIZED"},
    {handler_error_type::not_found, "NOT_FOUND"},
    {handler_error_type::request_timeout, "REQUEST_TIMEOUT"},
    {handler_error_type::conflict, "CONFLICT"},
    {handler_error_type::resource_exhausted, "RESOURCE_EXHAUSTED"},
    {handler_error_type::internal, "INTERNAL"},
    {handler_error_type::not_implemented, "NOT_IMPLEMENTED"},
    {handler_error_type::unavailable, "UNAVAILABLE"},
    {handler_error_type::upstream_timeout, "UPSTREAM_TIMEOUT"},
}};

const char* behavior_name(retry_behavior b) {
    switch (b) {
    case retry_behavior::retryable: return "RETRYABLE";
    case retry_behavior::non_retryable: return "NON_RETRYABLE";
    case retry_behavior::unspecified: break;
    }
    return "UNSPECIFIED";
}

std::string info_text(const failure& f, const char* key) {
    if (const auto* v = f.info.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return {};
}

failure handler_failure(handler_error_type type, std::string message, retry_behavior b) {
    failure f;
    f.message = std::move(message);
    f.kind = failure_kind::nexus_handler;
    f.info = {{"type", to_string(type)}, {"retry_behavior", behavior_name(b)}};
    return f;
}

failure operation_failure(operation_state state, std::string message) {
    failure f;
    f.message = std::move(message);
    if (state == operation_state::canceled) {
        f.kind = failure_kind::canceled;
        f.info = {{"details", nullptr}};
    } else {
        f.kind = failure_kind::application;
        f.info = {{"type", "OperationError"}, {"non_retryable", true}};
    }
    return f;
}

}   // namespace

const char* to_string(handler_error_type t) noexcept {
    for (const auto& [type, name] : type_names)
        if (type == t) return name;
    return "INTERNAL";
}

handler_error::handler_error(handler_error_type type, std::string message, retry_behavior behavior)
    : failure_error(handler_failure(type, std::move(message), behavior)) {}

handler_error_type handler_error::type() const {
    const auto name = info_text(failure(), "type");
    for (const auto& [type, n] : type_names)
        if (name == n) return type;
    return handler_error_type::internal;
}

retry_behavior handler_error::behavior() const {
    const auto b = info_text(failure(), "retry_behavior");
    if (b == "RETRYABLE") return retry_behavior::retryable;
    if (b == "NON_RETRYABLE") return retry_behavior::non_retryable;
    return retry_behavior::unspecified;
}

bool handler_error::retryable() const {
    if (const auto b = behavior(); b != retry_behavior::unspecified) return b == retry_behavior::retryable;
    switch (type()) {   // an unknown or missing type reads as internal, so retryable
    case handler_error_type::request_timeout:
    case handler_error_type::resource_exhausted:
    case handler_error_type::internal:
    case handler_error_type::unavailable:
    case handler_error_type::upstream_timeout: return true;
    default: return false;
    }
}

operation_error::operation_error(operation_state state, std::string message)
    : failure_error(operation_failure(state, std::move(message))) {}

operation_state operation_error::state() const {
    return failure().kind == failure_kind::canceled ? operation_state::canceled : operation_state::failed;
}

service::service(std::string name) : name_(std::move(name)) {
    if (name_.empty()) throw invalid_argument("a Nexus service name must not be empty");
    if (name_.starts_with("__temporal_"))
        throw invalid_argument("Nexus service names must not start with __temporal_ (reserved): " + name_);
}

void service::add_definition(detail::operation_definition d) {
    if (d.name.empty()) throw invalid_argument("a Nexus operation name must not be empty (service " + name_ + ")");
    for (const auto& o : operations_)
        if (o.name == d.name) throw already_exists("service " + name_ + " already has an operation named " + d.name);
    operations_.push_back(std::move(d));
}

}   // namespace perdure::nexus
