// The type-erased form of an asio::awaitable activity (used by perdure/asio.hpp and the engine).
#pragma once

#include <perdure/activity_context.hpp>
#include <perdure/failure.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>

namespace perdure::detail {

struct async_activity_function {
    using done_fn = std::function<void(boost::json::value, std::optional<failure>)>;
    virtual ~async_activity_function() = default;
    /// Starts the activity on `ex`; calls `done` exactly once with its result or failure.
    virtual void start(boost::asio::any_io_executor ex, activity_context ctx, boost::json::value input,
                       done_fn done) const = 0;
};

}   // namespace perdure::detail
