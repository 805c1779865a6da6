// Calling Nexus operations from workflow code: ctx.nexus_client(endpoint, service) gives a
// client whose execute_operation awaits the result, and whose start_operation also gives the
// operation token once the operation has started.
#pragma once

#include <perdure/future.hpp>
#include <perdure/nexus/operation_options.hpp>
#include <perdure/nexus/operation_ref.hpp>
#include <perdure/nexus/service.hpp>
#include <perdure/payload.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace perdure {

namespace detail {
class workflow_instance;
struct nexus_futures {
    std::shared_ptr<future_state> started, result;
};
nexus_futures schedule_nexus(workflow_instance&, const std::string& endpoint, const std::string& service,
                             const std::string& operation, boost::json::value input, const nexus::operation_options&);
}   // namespace detail

/// A Nexus operation in flight.
template <class O>
class nexus_operation {
public:
    explicit nexus_operation(detail::nexus_futures f) : f_(std::move(f)) {}
    /// The operation token once NexusOperationStarted is recorded; "" when it completed
    /// synchronously (then together with the result).
    future<std::string> started() const { return future<std::string>(f_.started); }
    future<O> result() const { return future<O>(f_.result); }
    /// Cancels as the operation's cancellation type says.
    void request_cancel() { result().request_cancel(); }

private:
    detail::nexus_futures f_;
};

class nexus_client {
public:
    nexus_client(detail::workflow_instance& inst, std::string endpoint, std::string service)
        : inst_(&inst), endpoint_(std::move(endpoint)), service_(std::move(service)) {}

    template <class I, class O>
    nexus_operation<O> start_operation(const nexus::operation_ref<I, O>& op, std::type_identity_t<I> input,
                                       nexus::operation_options options = {}) {
        return nexus_operation<O>(
            detail::schedule_nexus(*inst_, endpoint_, service_, op.name, detail::to_payload(input), options));
    }
    template <class I, class O>
    nexus_operation<O> start_operation(const nexus::sync_operation<I, O>& op, std::type_identity_t<I> input,
                                       nexus::operation_options options = {}) {
        return start_operation(nexus::operation_ref<I, O>(op), std::move(input), std::move(options));
    }
    template <class I, class O>
    nexus_operation<O> start_operation(const nexus::workflow_run_operation<I, O>& op, std::type_identity_t<I> input,
                                       nexus::operation_options options = {}) {
        return start_operation(nexus::operation_ref<I, O>(op), std::move(input), std::move(options));
    }
    /// By operation name, with any payload.
    template <class O = boost::json::value, class A = boost::json::value>
    nexus_operation<O> start_operation(std::string_view operation, const A& input,
                                       nexus::operation_options options = {}) {
        return nexus_operation<O>(detail::schedule_nexus(*inst_, endpoint_, service_, std::string(operation),
                                                         detail::to_payload(input), options));
    }

    /// Schedules the operation and gives its result (or throws nexus_operation_failure).
    template <class I, class O>
    future<O> execute_operation(const nexus::operation_ref<I, O>& op, std::type_identity_t<I> input,
                                nexus::operation_options options = {}) {
        return start_operation(op, std::move(input), std::move(options)).result();
    }
    template <class I, class O>
    future<O> execute_operation(const nexus::sync_operation<I, O>& op, std::type_identity_t<I> input,
                                nexus::operation_options options = {}) {
        return start_operation(op, std::move(input), std::move(options)).result();
    }
    template <class I, class O>
    future<O> execute_operation(const nexus::workflow_run_operation<I, O>& op, std::type_identity_t<I> input,
                                nexus::operation_options options = {}) {
        return start_operation(op, std::move(input), std::move(options)).result();
    }
    template <class O = boost::json::value, class A = boost::json::value>
    future<O> execute_operation(std::string_view operation, const A& input, nexus::operation_options options = {}) {
        return start_operation<O>(operation, input, std::move(options)).result();
    }

    const std::string& endpoint() const noexcept { return endpoint_; }
    const std::string& service() const noexcept { return service_; }

private:
    detail::workflow_instance* inst_;
    std::string endpoint_, service_;
};

}   // namespace perdure
