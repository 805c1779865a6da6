// hello: one workflow that runs one activity and sleeps on a durable timer, recorded in SQLite.
// Run it twice: the second run starts a new workflow (the first one completed) and prints both
// runs' histories side by side in the database.
#include <perdure/perdure.hpp>

#include <iostream>

using namespace std::chrono_literals;

struct greeting {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(greeting, (), (name))

std::string compose(perdure::activity_context&, greeting g) { return "Hello, " + g.name + "!"; }
const perdure::activity_def compose_greeting{"ComposeGreeting", &compose};

perdure::workflow<std::string> greet(perdure::workflow_context& ctx, greeting g) {
    std::string text = co_await ctx.execute_activity(compose_greeting, g, {.start_to_close_timeout = 10s});
    co_await ctx.sleep(1s);   // a durable timer: it survives a restart
    co_return text;
}
const perdure::workflow_def greet_workflow{"Greet", &greet};

int main(int argc, char** argv) {
    perdure::engine engine({.database = argc > 1 ? argv[1] : "hello.db"});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "hello").register_workflow(greet_workflow).register_activity(compose_greeting);
    engine.start();

    auto run = engine.client_for("default").start_workflow(greet_workflow, greeting{"perdure"},
                                                           {.id = "hello-1", .task_queue = "hello"});
    std::cout << run.get() << "\n";
    for (const auto& e : run.history()) std::cout << "  " << e.event_id << " " << e.event_type << "\n";
}
