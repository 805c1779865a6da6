// Temporal Nexus between namespaces of one process: endpoints (persisted routing records),
// services of sync and workflow-run operations on the handler side, the errors handlers
// return, and the options callers give. The caller side is perdure/nexus_client.hpp.
#pragma once

#include <perdure/client.hpp>
#include <perdure/definitions.hpp>
#include <perdure/detail/callable_traits.hpp>
#include <perdure/error.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
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
}

namespace nexus {

// ---------------------------------------------------------------- endpoints

struct endpoint_spec {
    std::string name{}, target_namespace{}, target_task_queue{}, description{};
    /// Operations started through the endpoint per second, from all callers together (bursts of
    /// up to a second's worth); starts over it wait their turn. 0: no limit.
    double max_operations_per_second = 0;
    bool operator==(const endpoint_spec&) const = default;
};

struct endpoint {
    std::string id{};                                   ///< generated; operations hold it
    std::int64_t version{};                             ///< incremented on every update
    endpoint_spec spec{};
    std::chrono::system_clock::time_point created{}, last_modified{};
};

struct endpoint_update {
    std::optional<std::string> name{}, target_namespace{}, target_task_queue{}, description{};
    std::optional<std::int64_t> expected_version{};     ///< optimistic concurrency
    std::optional<double> max_operations_per_second{};
};

struct endpoint_health {
    std::string breaker{};                              ///< "closed", "open", "half-open"
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
    explicit endpoint_registry(std::shared_ptr<detail::engine_core> core) : core_(std::move(core)) {}
    std::shared_ptr<detail::engine_core> core_;
};

/// A Nexus link, as the spec serializes it.
struct link {
    std::string url{}, type{};
    bool operator==(const link&) const = default;
};

// ---------------------------------------------------------------- errors

enum class handler_error_type {
    bad_request, unauthenticated, unauthorized, not_found, request_timeout, conflict, resource_exhausted,
    internal, not_implemented, unavailable, upstream_timeout
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

// ---------------------------------------------------------------- handlers

/// What a handler is told about the operation it serves.
struct operation_context {
    std::string service{}, operation{}, request_id{};
    std::map<std::string, std::string> header{};        ///< keys lower-cased
    std::vector<link> links{};                           ///< links from the caller
    std::string ns{};                                    ///< the handler namespace
    /// Links the handler returns to the caller (Nexus's AddHandlerLinks), each with a url and a
    /// type: recorded on the caller's NexusOperationCompleted of a sync operation, or after the
    /// link to the handler workflow on NexusOperationStarted of a workflow-run operation.
    std::vector<link> handler_links{};
    /// A client of the handler namespace.
    perdure::client client() const;

private:
    friend struct perdure::detail::core_access;
    std::shared_ptr<perdure::detail::engine_core> engine_{};
};

/// A typed reference to an operation, for contract headers shared by callers and handlers.
template <class I, class O>
struct operation_ref {
    std::string name{};
};

namespace detail {
/// The operation's input as I. Input that does not convert is the caller's mistake, answered
/// as Temporal's SDK answers it: a BAD_REQUEST handler error, never retried.
template <class I>
I decode_input(const boost::json::value& input) {
    try {
        return perdure::detail::from_payload<I>(input);
    } catch (const payload_error& e) {
        throw handler_error(handler_error_type::bad_request, std::string("invalid input: ") + e.what());
    }
}

struct operation_definition {
    std::string name;
    /// Sync operations: runs the handler (on the Nexus handler pool).
    std::function<boost::json::value(operation_context&, const boost::json::value&)> sync{};
    /// Workflow-run operations: the workflow type and how to start it.
    std::string workflow_type{};
    std::function<start_workflow_options(operation_context&, const boost::json::value&)> start_options{};
    /// Test doubles only: run `sync` as an asynchronous operation that completes this long
    /// (in workflow time) after it started.
    std::optional<std::chrono::milliseconds> mock_delay{};
};
}  // namespace detail

/// An operation whose handler returns the result directly: O(operation_context&, I).
template <class I, class O>
class sync_operation {
public:
    template <class F>
    sync_operation(std::string name, F&& handler) : name_(std::move(name)), fn_(wrap(std::forward<F>(handler))) {}
    template <class F>
    sync_operation(const operation_ref<I, O>& ref, F&& handler) : sync_operation(ref.name, std::forward<F>(handler)) {}

    const std::string& name() const noexcept { return name_; }
    operator operation_ref<I, O>() const { return {name_}; }
    detail::operation_definition definition() const { return {name_, fn_, {}, {}, {}}; }

private:
    template <class F>
    static auto wrap(F&& handler) {
        return [h = std::decay_t<F>(std::forward<F>(handler))](operation_context& ctx,
                                                               const boost::json::value& input) -> boost::json::value {
            if constexpr (std::is_void_v<O>) {
                h(ctx, detail::decode_input<I>(input));
                return {};
            } else {
                return perdure::detail::to_payload<O>(h(ctx, detail::decode_input<I>(input)));
            }
        };
    }
    std::string name_;
    std::function<boost::json::value(operation_context&, const boost::json::value&)> fn_;
};

template <class F>
sync_operation(std::string, F) -> sync_operation<
    std::remove_cvref_t<std::tuple_element_t<1, typename perdure::detail::callable_traits<F>::args>>,
    typename perdure::detail::callable_traits<F>::result>;

/// An operation that starts a workflow in the handler namespace and completes when that
/// workflow closes (completed, failed, canceled; terminated and timed out count as failed).
/// get_options: start_workflow_options(operation_context&, const I&); give the workflow an id
/// derived from the input or the request id, so retried starts find the same run. It runs on
/// the Nexus handler pool, as sync handlers do, so it may block (and make blocking client calls).
template <class I, class O>
class workflow_run_operation {
public:
    template <class F>
    workflow_run_operation(std::string name, const workflow_def<O, I>& wf, F&& get_options)
        : name_(std::move(name)), workflow_type_(wf.name()),
          options_([g = std::decay_t<F>(std::forward<F>(get_options))](operation_context& ctx,
                                                                      const boost::json::value& input) {
              return g(ctx, detail::decode_input<I>(input));
          }) {}
    template <class F>
    workflow_run_operation(const operation_ref<I, O>& ref, const workflow_def<O, I>& wf, F&& get_options)
        : workflow_run_operation(ref.name, wf, std::forward<F>(get_options)) {}

    const std::string& name() const noexcept { return name_; }
    operator operation_ref<I, O>() const { return {name_}; }
    detail::operation_definition definition() const { return {name_, {}, workflow_type_, options_, {}}; }

private:
    std::string name_, workflow_type_;
    std::function<start_workflow_options(operation_context&, const boost::json::value&)> options_;
};

template <class O, class I, class F>
workflow_run_operation(std::string, const workflow_def<O, I>&, F) -> workflow_run_operation<I, O>;
template <class O, class I, class F>
workflow_run_operation(const operation_ref<I, O>&, const workflow_def<O, I>&, F) -> workflow_run_operation<I, O>;

/// A named set of operations, registered on a worker of the target namespace and task queue.
class service {
public:
    explicit service(std::string name);
    /// Adds an operation; throws already_exists for a second operation of the same name.
    template <class Op>
    service& add(const Op& operation) {
        add_definition(operation.definition());
        return *this;
    }
    const std::string& name() const noexcept { return name_; }
    const std::vector<detail::operation_definition>& operations() const noexcept { return operations_; }

private:
    void add_definition(detail::operation_definition d);
    std::string name_;
    std::vector<detail::operation_definition> operations_;
};

// ---------------------------------------------------------------- caller options

struct operation_options {
    std::chrono::milliseconds schedule_to_close_timeout{0};   ///< 0: the caller's run timeout, if any
    std::chrono::milliseconds schedule_to_start_timeout{0};
    std::chrono::milliseconds start_to_close_timeout{0};      ///< async operations only
    cancellation_type cancellation = cancellation_type::wait_completed;
    std::map<std::string, std::string> header{};
    std::string summary{};
};

}  // namespace nexus
}  // namespace perdure
