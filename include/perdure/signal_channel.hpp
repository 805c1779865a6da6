// Signals as workflow code reads them: a named channel; signals that arrive before anyone
// reads are buffered, in the order they were recorded.
#pragma once

#include <perdure/future.hpp>
#include <perdure/payload.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>

namespace perdure {

namespace detail {
class workflow_instance;
std::shared_ptr<future_state> channel_receive(workflow_instance&, const std::string& name);
std::optional<boost::json::value> channel_try_receive(workflow_instance&, const std::string& name);
}   // namespace detail

template <class T>
class signal_channel {
public:
    signal_channel(detail::workflow_instance& inst, std::string name) : inst_(&inst), name_(std::move(name)) {}

    /// The next signal: a buffered one at once, or the next to arrive.
    future<T> receive() { return future<T>(detail::channel_receive(*inst_, name_)); }
    /// The next buffered signal, if any; never waits.
    std::optional<T> try_receive() {
        auto v = detail::channel_try_receive(*inst_, name_);
        if (!v) return std::nullopt;
        return detail::from_payload<T>(*v);
    }
    const std::string& name() const noexcept { return name_; }

private:
    detail::workflow_instance* inst_;
    std::string name_;
};

}   // namespace perdure
