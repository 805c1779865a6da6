// The engine: one SQLite file, one strand, workers, clients. Opening it creates or migrates
// the database and takes the single-owner lock; start() begins recovery and work.
#pragma once

#include <perdure/client.hpp>
#include <perdure/engine_options.hpp>
#include <perdure/namespaces.hpp>
#include <perdure/nexus/endpoints.hpp>
#include <perdure/worker.hpp>

#include <deque>
#include <memory>
#include <string_view>

namespace boost::asio {
class io_context;
}   // namespace boost::asio

namespace perdure {

namespace detail {
class engine_core;
struct core_access;
}   // namespace detail

class engine {
public:
    /// Opens the database on the engine's own thread. Runs nothing yet. Throws
    /// database_locked when another engine owns the file, and storage errors that say what to do.
    explicit engine(engine_options options = {});
    /// Opens the database and runs on the caller's io_context (through a strand).
    engine(boost::asio::io_context& io, engine_options options = {});
    /// Stops; nothing committed is lost.
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    /// Begins recovery and work. Call after registering workers.
    void start();
    namespace_registry& namespaces() noexcept { return namespaces_; }
    nexus::endpoint_registry& nexus_endpoints() noexcept { return endpoints_; }
    /// The worker for (namespace, task queue), created on first use. Throws not_found for an
    /// unknown namespace.
    worker& add_worker(std::string_view ns, std::string_view task_queue);
    /// A client of a namespace. Throws not_found for an unknown namespace.
    client client_for(std::string_view ns);
    /// Stops taking work, lets running activities see cancellation, drains in-flight commits.
    void shutdown();
    /// The engine's executor; defined in perdure/asio.hpp.
    template <int = 0>
    auto get_executor();

private:
    friend struct detail::core_access;
    std::shared_ptr<detail::engine_core> core_;
    namespace_registry namespaces_;
    nexus::endpoint_registry endpoints_;
    std::deque<worker> workers_;
};

}   // namespace perdure
