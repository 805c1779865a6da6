// Every error perdure throws: one error code enum with its category, an `error` base that
// carries a message saying what was wrong and what to do, and the failure exceptions that
// workflow code catches from co_await.
#pragma once

#include <perdure/failure.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <string>

namespace perdure {

/// The error codes of perdure::error::code().
enum class errc {
    not_found = 1,
    already_exists,
    invalid_argument,
    failed_precondition,
    database_locked,
    storage_error,
    payload_error,
    failure,          ///< a failure_error: an operation or a workflow failed
    nondeterminism,   ///< workflow code no longer matches its recorded history
    query_failed,
    engine_stopped,
};

const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(errc) noexcept;

}   // namespace perdure

template <>
struct boost::system::is_error_code_enum<perdure::errc> : std::true_type {};

namespace perdure {

/// Base of every exception perdure throws. what() is the whole message.
class error : public boost::system::system_error {
public:
    error(errc code, std::string message);
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

#define PERDURE_DECLARE_ERROR(name, base, code)                                      \
    class name : public base {                                                       \
    public:                                                                          \
        explicit name(std::string message) : base(errc::code, std::move(message)) {} \
                                                                                     \
    protected:                                                                       \
        name(errc c, std::string message) : base(c, std::move(message)) {}           \
    }

PERDURE_DECLARE_ERROR(not_found, error, not_found);                       ///< a named thing does not exist
PERDURE_DECLARE_ERROR(already_exists, error, already_exists);             ///< a name or id is taken
PERDURE_DECLARE_ERROR(invalid_argument, error, invalid_argument);         ///< a value breaks a documented rule
PERDURE_DECLARE_ERROR(failed_precondition, error, failed_precondition);   ///< the call is not allowed in this state
PERDURE_DECLARE_ERROR(database_locked, error, database_locked);           ///< another engine owns the database file
PERDURE_DECLARE_ERROR(storage_error, error, storage_error);   ///< SQLite failed; nothing uncommitted was acknowledged
PERDURE_DECLARE_ERROR(payload_error, error, payload_error);   ///< a payload does not convert (names type and field)
PERDURE_DECLARE_ERROR(nondeterminism_error, error,
                      nondeterminism);                            ///< names the history event and the code's command
PERDURE_DECLARE_ERROR(query_failed_error, error, query_failed);   ///< a query handler threw or the query is unknown
PERDURE_DECLARE_ERROR(engine_stopped, failed_precondition, engine_stopped);   ///< the engine was shut down

/// A workflow id is already in use (see id_reuse_policy / id_conflict_policy).
class workflow_already_started : public already_exists {
public:
    workflow_already_started(std::string message, std::string run_id)
        : already_exists(std::move(message)), run_id_(std::move(run_id)) {}
    /// The run that holds the workflow id.
    const std::string& run_id() const noexcept { return run_id_; }

private:
    std::string run_id_;
};

#undef PERDURE_DECLARE_ERROR

/// A recorded failure, thrown in workflow code by co_await and by workflow handles.
class failure_error : public error {
public:
    explicit failure_error(perdure::failure f);
    const perdure::failure& failure() const noexcept { return failure_; }
    /// The cause as its typed exception (application_error, timeout_error, ...), or null.
    std::exception_ptr cause() const;

private:
    perdure::failure failure_;
};

/// A failure raised by application code. Retried unless non_retryable or its type is listed
/// in retry_policy::non_retryable_error_types.
class application_error : public failure_error {
public:
    application_error(std::string message, std::string type = {}, bool non_retryable = false,
                      boost::json::value details = {});
    explicit application_error(perdure::failure f) : failure_error(std::move(f)) {}
    std::string type() const;
    bool non_retryable() const;
    boost::json::value details() const;
};

/// An operation or the workflow was canceled.
class canceled_error : public failure_error {
public:
    explicit canceled_error(std::string message = "canceled", boost::json::value details = {});
    explicit canceled_error(perdure::failure f) : failure_error(std::move(f)) {}
};

/// The workflow was terminated.
class terminated_error : public failure_error {
public:
    explicit terminated_error(std::string message = "terminated");
    explicit terminated_error(perdure::failure f) : failure_error(std::move(f)) {}
};

/// An operation ran out of time.
class timeout_error : public failure_error {
public:
    timeout_error(std::string message, perdure::timeout_type type);
    explicit timeout_error(perdure::failure f) : failure_error(std::move(f)) {}
    perdure::timeout_type timeout_type() const;
};

/// An activity failed; cause() says how (application_error, timeout_error, canceled_error).
class activity_error : public failure_error {
public:
    explicit activity_error(perdure::failure f) : failure_error(std::move(f)) {}
    std::string activity_type() const;
    std::string activity_id() const;
    std::int64_t scheduled_event_id() const;
    perdure::retry_state retry_state() const;
};

/// A child workflow did not complete; cause() says how.
class child_workflow_error : public failure_error {
public:
    explicit child_workflow_error(perdure::failure f) : failure_error(std::move(f)) {}
    std::string workflow_id() const;
    std::string workflow_type() const;
};

/// A Nexus operation did not complete; cause() is a handler_error, application_error
/// ("OperationError"), canceled_error or timeout_error.
class nexus_operation_failure : public failure_error {
public:
    explicit nexus_operation_failure(perdure::failure f) : failure_error(std::move(f)) {}
    std::string endpoint() const;
    std::string service() const;
    std::string operation() const;
    std::string operation_token() const;
    std::int64_t scheduled_event_id() const;
};

/// Thrown by workflow_handle::get for a run that failed, was canceled, terminated or timed out;
/// cause() says which.
class workflow_failed_error : public failure_error {
public:
    explicit workflow_failed_error(perdure::failure f) : failure_error(std::move(f)) {}
};

/// An update's validator rejected it; nothing was recorded.
class update_rejected_error : public failure_error {
public:
    explicit update_rejected_error(perdure::failure f) : failure_error(std::move(f)) {}
};

/// The typed exception for a failure record (application_error for kind application, ...).
std::exception_ptr make_exception(const failure&);

/// The failure record for an exception thrown by user code: a failure_error keeps its record;
/// any other std::exception becomes an application failure typed by its demangled class name
/// (tidied as detail::demangle spells it: std::ios_base::failure, not ...failure[abi:cxx11]).
failure failure_from_exception(std::exception_ptr);

}   // namespace perdure
