// Must not compile: a workflow input Boost.JSON cannot convert (neither described nor given
// tag_invoke overloads). The build must say what to do, in a few lines.
#include <perdure/perdure.hpp>

struct order {
    std::string id;
    int quantity = 0;
};

perdure::workflow<int> place(perdure::workflow_context&, order o) { co_return o.quantity; }
const perdure::workflow_def place_order{"PlaceOrder", &place};
