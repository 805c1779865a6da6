// Must compile: the places where a member function is named like a perdure type. Outside a
// class the two never meet; inside a class that inherits such a member (a Boost.Test fixture
// derived from test_environment), the unqualified name is the member, so the type is spelled
// perdure::client, as API.md's headers spell it themselves.
#include <perdure/perdure.hpp>
#include <perdure/testing.hpp>

#include <string>

namespace {

const perdure::workflow_def chatty{"Chatty", +[](perdure::workflow_context& ctx) -> perdure::workflow<std::string> {
                                       perdure::signal_channel<std::string> messages =
                                           ctx.signal_channel<std::string>("message");
                                       perdure::nexus_client billing = ctx.nexus_client("billing-endpoint", "billing");
                                       (void)billing;
                                       co_return co_await messages.receive();
                                   }};

std::string handle(perdure::nexus::operation_context& ctx, std::string input) {
    perdure::client handler_ns = ctx.client();
    (void)handler_ns;
    return input;
}

struct fixture : perdure::testing::test_environment {
    void run() {
        perdure::engine& e = engine();
        e.add_worker("default", "q").register_workflow(chatty);
        perdure::client c = client();
        auto handle = c.start_workflow(chatty, {.id = "c", .task_queue = "q"});
        const perdure::client& same = handle.client();
        (void)same;
    }
};

}   // namespace

void use() {
    fixture f;
    f.run();
    perdure::nexus::sync_operation echo{"echo", &handle};
    (void)echo;
}
