// The one door from the public classes to the engine core behind them. The public headers
// name engine_core only as a forward declaration and let this struct, which lives in lib/,
// reach it; users of perdure cannot.
#pragma once

#include <perdure/client.hpp>
#include <perdure/nexus.hpp>

#include <memory>
#include <string>

namespace perdure::detail {

struct core_access {
    /// The core behind an engine, client, registry or worker.
    template <class T>
    static const std::shared_ptr<engine_core>& core(const T& x) noexcept {
        return x.core_;
    }
    static perdure::client make_client(std::shared_ptr<engine_core> core, std::string ns) {
        return perdure::client(std::move(core), std::move(ns));
    }
    /// Lets a Nexus handler's context make clients of its namespace.
    static void attach(nexus::operation_context& ctx, std::shared_ptr<engine_core> core) {
        ctx.engine_ = std::move(core);
    }
};

}   // namespace perdure::detail
