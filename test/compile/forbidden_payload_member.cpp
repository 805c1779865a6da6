// Must not compile: an activity result that is described, but holds a type Boost.JSON cannot
// convert, inside a container. The check looks through members and containers.
#include <perdure/perdure.hpp>

struct money {   // not described
    long cents = 0;
};
struct receipt {
    std::string id;
    std::vector<money> charges;
};
BOOST_DESCRIBE_STRUCT(receipt, (), (id, charges))

receipt charge(perdure::activity_context&, std::string card) { return {card, {}}; }
const perdure::activity_def charge_card{"ChargeCard", &charge};
