// Must compile: everything a workflow may await.
#include <perdure/perdure.hpp>

using namespace std::chrono_literals;

perdure::workflow<int> helper(perdure::workflow_context& ctx) {
    co_await ctx.sleep(1s);
    co_return 2;
}

perdure::workflow<int> wf(perdure::workflow_context& ctx) {
    auto timer = ctx.sleep(1s);
    co_await timer;
    const int two = co_await helper(ctx);
    auto [a, b] = co_await perdure::all(ctx.sleep(1s), ctx.side_effect([] { return 3; }));
    (void)a;
    const std::size_t first = co_await perdure::any(ctx.sleep(1s), ctx.sleep(2s));
    const bool ok = co_await ctx.wait_condition([] { return true; }, 1s);
    co_await ctx.spawn([&]() -> perdure::workflow<void> { co_await ctx.sleep(1s); });
    co_return two + b + static_cast<int>(first) + ok;
}

int main() {}
