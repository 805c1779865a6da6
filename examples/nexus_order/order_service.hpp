// The order service's contract: the one header both the caller's and the handler's code
// include, so callers never depend on handler code.
#pragma once

#include <perdure/perdure.hpp>

struct order_input {
    std::string id;
};
BOOST_DESCRIBE_STRUCT(order_input, (), (id))

struct order_output {
    std::string status;
};
BOOST_DESCRIBE_STRUCT(order_output, (), (status))

struct order_service {
    static constexpr std::string_view name = "order-service";
    static inline const perdure::nexus::operation_ref<order_input, order_output> echo{"echo"};
    static inline const perdure::nexus::operation_ref<order_input, order_output> process_order{"process-order"};
};
