// One small state machine per command: it owns the future the workflow awaits, learns the
// event id its command was recorded under, and resolves the future from inbound events.
#pragma once

#include "machines/machine_host.hpp"

#include <perdure/future.hpp>

#include <cstddef>
#include <memory>

namespace perdure::detail {

struct event;

class machine : public cancel_target {
public:
    virtual ~machine() = default;
    /// Its command was recorded as `e` (live: just appended; replay: matched).
    virtual void recorded(const event& e) = 0;
    /// An inbound event addressed to it (by the event id it was indexed under).
    virtual void apply(const event& e) = 0;
    /// Completes an inbound event for it before it is recorded (ids only the workflow knows).
    virtual void annotate(event&) const {}
    /// Cancellation of the whole run reached it.
    virtual void cancel_for_run() { request_cancel(); }

    const std::shared_ptr<future_state>& future() const noexcept { return future_; }

    /// Its place in its host's list of machines, which the host keeps.
    std::size_t slot = 0;

protected:
    std::shared_ptr<future_state> future_;
};

}   // namespace perdure::detail
