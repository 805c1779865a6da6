// A typed reference to a Nexus operation, for the contract header that callers and handlers
// both include, so a caller never depends on the handler's code (Temporal's typed service
// contracts, Go's nexus.OperationReference).
#pragma once

#include <string>

namespace perdure::nexus {

/// The operation's name, typed by its input I and output O:
///   struct order_service {
///       static constexpr std::string_view name = "order-service";
///       static inline const nexus::operation_ref<order, receipt> process_order{"process-order"};
///   };
template <class I, class O>
struct operation_ref {
    std::string name{};
};

}   // namespace perdure::nexus
