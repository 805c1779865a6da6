// Must not compile: std::suspend_always inside a workflow.
#include <perdure/perdure.hpp>

perdure::workflow<int> wf(perdure::workflow_context&) {
    co_await std::suspend_always{};
    co_return 1;
}
