// Must not compile: a workflow awaiting an asio::awaitable would break deterministic replay.
#include <perdure/perdure.hpp>

#include <boost/asio/awaitable.hpp>

boost::asio::awaitable<void> asio_work() { co_return; }

perdure::workflow<int> wf(perdure::workflow_context&) {
    co_await asio_work();
    co_return 1;
}
