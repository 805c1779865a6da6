// fan_out: a parent workflow splits a text into chunks, counts the words of each chunk in a
// child workflow, and adds the results up with perdure::all.
#include <perdure/perdure.hpp>

#include <iostream>
#include <iterator>
#include <sstream>

using namespace std::chrono_literals;

int count(perdure::activity_context&, std::string text) {
    std::istringstream in(text);
    return static_cast<int>(
        std::distance(std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()));
}
const perdure::activity_def count_words{"CountWords", &count};

perdure::workflow<int> count_chunk(perdure::workflow_context& ctx, std::string chunk) {
    co_return co_await ctx.execute_activity(count_words, chunk, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def chunk_workflow{"CountChunk", &count_chunk};

perdure::workflow<int> count_text(perdure::workflow_context& ctx, std::vector<std::string> chunks) {
    std::vector<perdure::future<int>> children;
    for (std::size_t i = 0; i < chunks.size(); ++i)
        children.push_back(ctx.execute_child_workflow(chunk_workflow, chunks[i],
                                                      {.id = ctx.info().workflow_id + "-chunk-" + std::to_string(i)}));
    int total = 0;
    for (int n : co_await perdure::all(children)) total += n;
    co_return total;
}
const perdure::workflow_def text_workflow{"CountText", &count_text};

int main(int argc, char** argv) {
    perdure::engine engine({.database = argc > 1 ? argv[1] : "fan_out.db"});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "words")
        .register_workflow(text_workflow)
        .register_workflow(chunk_workflow)
        .register_activity(count_words);
    engine.start();

    const std::vector<std::string> chunks = {"durable execution", "survives a crash at any point",
                                             "and replays each workflow to the same state"};
    auto run =
        engine.client_for("default").start_workflow(text_workflow, chunks, {.id = "words", .task_queue = "words"});
    const int total = run.get();
    std::cout << "words: " << total << "\n";
    for (const auto& info : engine.client_for("default").list())
        std::cout << "  " << info.workflow_id << " " << perdure::to_string(info.status) << "\n";
    return total == 16 ? 0 : 1;
}
