// The error category, the exception classes' accessors, and the mapping between exceptions
// and failure records.
#include <perdure/error.hpp>
#include <perdure/nexus.hpp>
#include <perdure/payload.hpp>

#include <cmath>

namespace perdure {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "perdure"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::not_found: return "not found";
        case errc::already_exists: return "already exists";
        case errc::invalid_argument: return "invalid argument";
        case errc::failed_precondition: return "failed precondition";
        case errc::database_locked: return "database locked";
        case errc::storage_error: return "storage error";
        case errc::payload_error: return "payload error";
        case errc::failure: return "failure";
        case errc::nondeterminism: return "nondeterminism";
        case errc::query_failed: return "query failed";
        case errc::engine_stopped: return "engine stopped";
        }
        return "unknown perdure error";
    }
};

const boost::json::object& info(const failure& f) { return f.info; }

std::string info_string(const failure& f, const char* key) {
    if (const auto* v = info(f).if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return {};
}

std::int64_t info_int(const failure& f, const char* key) {
    if (const auto* v = info(f).if_contains(key); v && v->is_int64()) return v->get_int64();
    return 0;
}

failure make_failure(std::string message, failure_kind kind, boost::json::object info = {}) {
    failure f;
    f.message = std::move(message);
    f.kind = kind;
    f.info = std::move(info);
    return f;
}

}   // namespace

const boost::system::error_category& error_category() noexcept {
    static const category c;
    return c;
}

boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

error::error(errc code, std::string message)
    : boost::system::system_error(make_error_code(code)), message_(std::move(message)) {}

failure_error::failure_error(perdure::failure f) : error(errc::failure, f.message), failure_(std::move(f)) {}

std::exception_ptr failure_error::cause() const { return failure_.cause ? make_exception(*failure_.cause) : nullptr; }

application_error::application_error(std::string message, std::string type, bool non_retryable,
                                     boost::json::value details)
    : failure_error(make_failure(std::move(message), failure_kind::application,
                                 {{"type", type}, {"non_retryable", non_retryable}, {"details", std::move(details)}})) {
}

std::string application_error::type() const { return info_string(failure(), "type"); }
bool application_error::non_retryable() const {
    const auto* v = failure().info.if_contains("non_retryable");
    return v && v->is_bool() && v->get_bool();
}
boost::json::value application_error::details() const {
    const auto* v = failure().info.if_contains("details");
    return v ? *v : boost::json::value{};
}

canceled_error::canceled_error(std::string message, boost::json::value details)
    : failure_error(make_failure(std::move(message), failure_kind::canceled, {{"details", std::move(details)}})) {}

terminated_error::terminated_error(std::string message)
    : failure_error(make_failure(std::move(message), failure_kind::terminated)) {}

timeout_error::timeout_error(std::string message, perdure::timeout_type type)
    : failure_error(make_failure(std::move(message), failure_kind::timeout, {{"timeout_type", to_string(type)}})) {}

perdure::timeout_type timeout_error::timeout_type() const {
    const auto s = info_string(failure(), "timeout_type");
    for (auto t : {timeout_type::start_to_close, timeout_type::schedule_to_start, timeout_type::schedule_to_close,
                   timeout_type::heartbeat})
        if (s == to_string(t)) return t;
    return timeout_type::unspecified;
}

std::string activity_error::activity_type() const { return info_string(failure(), "activity_type"); }
std::string activity_error::activity_id() const { return info_string(failure(), "activity_id"); }
std::int64_t activity_error::scheduled_event_id() const { return info_int(failure(), "scheduled_event_id"); }
perdure::retry_state activity_error::retry_state() const {
    const auto s = info_string(failure(), "retry_state");
    for (int i = 0; i <= static_cast<int>(retry_state::cancel_requested); ++i)
        if (s == to_string(static_cast<perdure::retry_state>(i))) return static_cast<perdure::retry_state>(i);
    return retry_state::unspecified;
}

std::string child_workflow_error::workflow_id() const { return info_string(failure(), "workflow_id"); }
std::string child_workflow_error::workflow_type() const { return info_string(failure(), "workflow_type"); }

std::string nexus_operation_failure::endpoint() const { return info_string(failure(), "endpoint"); }
std::string nexus_operation_failure::service() const { return info_string(failure(), "service"); }
std::string nexus_operation_failure::operation() const { return info_string(failure(), "operation"); }
std::string nexus_operation_failure::operation_token() const { return info_string(failure(), "operation_token"); }
std::int64_t nexus_operation_failure::scheduled_event_id() const { return info_int(failure(), "scheduled_event_id"); }

std::exception_ptr make_exception(const failure& f) {
    switch (f.kind) {
    case failure_kind::application:
    case failure_kind::server: return std::make_exception_ptr(application_error(f));
    case failure_kind::nexus_handler: return std::make_exception_ptr(nexus::handler_error(f));
    case failure_kind::timeout: return std::make_exception_ptr(timeout_error(f));
    case failure_kind::canceled: return std::make_exception_ptr(canceled_error(f));
    case failure_kind::terminated: return std::make_exception_ptr(terminated_error(f));
    case failure_kind::activity: return std::make_exception_ptr(activity_error(f));
    case failure_kind::child_workflow: return std::make_exception_ptr(child_workflow_error(f));
    case failure_kind::nexus_operation: return std::make_exception_ptr(nexus_operation_failure(f));
    }
    return std::make_exception_ptr(failure_error(f));
}

failure failure_from_exception(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const failure_error& fe) {
        return fe.failure();
    } catch (const std::exception& ex) {
        return make_failure(ex.what(), failure_kind::application,
                            {{"type", detail::demangle(typeid(ex))}, {"non_retryable", false}});
    } catch (...) {
        return make_failure("an exception that is not a std::exception", failure_kind::application,
                            {{"type", "unknown"}, {"non_retryable", false}});
    }
}

const char* to_string(timeout_type t) noexcept {
    switch (t) {
    case timeout_type::start_to_close: return "START_TO_CLOSE";
    case timeout_type::schedule_to_start: return "SCHEDULE_TO_START";
    case timeout_type::schedule_to_close: return "SCHEDULE_TO_CLOSE";
    case timeout_type::heartbeat: return "HEARTBEAT";
    case timeout_type::unspecified: break;
    }
    return "UNSPECIFIED";
}

const char* to_string(retry_state s) noexcept {
    switch (s) {
    case retry_state::in_progress: return "IN_PROGRESS";
    case retry_state::non_retryable_failure: return "NON_RETRYABLE_FAILURE";
    case retry_state::timeout: return "TIMEOUT";
    case retry_state::maximum_attempts_reached: return "MAXIMUM_ATTEMPTS_REACHED";
    case retry_state::retry_policy_not_set: return "RETRY_POLICY_NOT_SET";
    case retry_state::internal_server_error: return "INTERNAL_SERVER_ERROR";
    case retry_state::cancel_requested: return "CANCEL_REQUESTED";
    case retry_state::unspecified: break;
    }
    return "UNSPECIFIED";
}

namespace detail {

std::optional<std::string> non_finite_number_at(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::double_:
        if (!std::isfinite(v.get_double())) return std::string();
        return std::nullopt;
    case boost::json::kind::array: {
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i)
            if (auto at = non_finite_number_at(a[i])) return "[" + std::to_string(i) + "]" + *at;
        return std::nullopt;
    }
    case boost::json::kind::object:
        for (const auto& [key, member] : v.get_object())
            if (auto at = non_finite_number_at(member)) return "." + std::string(key) + *at;
        return std::nullopt;
    default: return std::nullopt;
    }
}

void throw_payload_error(const std::type_info& type, std::string_view path, std::string_view problem) {
    std::string msg = "payload does not convert to " + demangle(type);
    if (!path.empty()) msg += " at field '" + std::string(path.substr(path.starts_with('.') ? 1 : 0)) + "'";
    msg += ": ";
    msg += problem;
    msg += " (check that the sender and the receiver use the same payload type)";
    throw payload_error(std::move(msg));
}

}   // namespace detail
}   // namespace perdure
