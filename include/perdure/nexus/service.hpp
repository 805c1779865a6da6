// The handler's side of Nexus: a service of sync and workflow-run operations, registered on a
// worker of the endpoint's target namespace and task queue, and what each handler is told about
// the operation it serves.
#pragma once

#include <perdure/client.hpp>
#include <perdure/definitions.hpp>
#include <perdure/detail/callable_traits.hpp>
#include <perdure/error.hpp>
#include <perdure/nexus/errors.hpp>
#include <perdure/nexus/operation_ref.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace perdure {

namespace detail {
class engine_core;
struct core_access;
}   // namespace detail

namespace nexus {

/// A Nexus link, as the spec serializes it.
struct link {
    std::string url{}, type{};
    bool operator==(const link&) const = default;
};

/// What a handler is told about the operation it serves.
struct operation_context {
    std::string service{}, operation{}, request_id{};
    std::map<std::string, std::string> header{};   ///< keys lower-cased
    std::vector<link> links{};                     ///< links from the caller
    std::string ns{};                              ///< the handler namespace
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

/// An operation as the engine runs it, with its types erased.
struct operation_definition {
    std::string name;
    /// Sync operations: runs the handler (on the Nexus handler pool).
    std::function<boost::json::value(operation_context&, const boost::json::value&)> sync{};
    /// Workflow-run operations: the workflow type and how to start it.
    std::string workflow_type{};
    std::function<start_workflow_options(operation_context&, const boost::json::value&)> start_options{};
};
}   // namespace detail

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
    detail::operation_definition definition() const { return {name_, fn_, {}, {}}; }

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
sync_operation(std::string, F)
    -> sync_operation<std::remove_cvref_t<std::tuple_element_t<1, typename perdure::detail::callable_traits<F>::args>>,
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
        : name_(std::move(name)),
          workflow_type_(wf.name()),
          options_([g = std::decay_t<F>(std::forward<F>(get_options))](operation_context& ctx,
                                                                       const boost::json::value& input) {
              return g(ctx, detail::decode_input<I>(input));
          }) {}
    template <class F>
    workflow_run_operation(const operation_ref<I, O>& ref, const workflow_def<O, I>& wf, F&& get_options)
        : workflow_run_operation(ref.name, wf, std::forward<F>(get_options)) {}

    const std::string& name() const noexcept { return name_; }
    operator operation_ref<I, O>() const { return {name_}; }
    detail::operation_definition definition() const { return {name_, {}, workflow_type_, options_}; }

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

}   // namespace nexus
}   // namespace perdure
