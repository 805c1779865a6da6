// What a command machine needs from the workflow instance that owns it: futures to create and
// settle, commands to add or drop, and the index from event ids to machines. The instance
// implements it; unit tests drive each machine against a fake host on data.
#pragma once

#include "machines/command.hpp"

#include <perdure/future.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <exception>
#include <memory>

namespace perdure::detail {

class machine;

class machine_host {
public:
    /// A pending future that `cancel` is asked to cancel (when given).
    virtual std::shared_ptr<future_state> make_future(cancel_target* cancel = nullptr) = 0;
    /// Settles a future once; later calls are ignored. Waiters resume later, never inline.
    virtual void resolve(future_state&, boost::json::value) = 0;
    virtual void reject(future_state&, std::exception_ptr) = 0;
    /// Appends a command to the current activation; `owner` learns the event it became.
    virtual void add_command(command_kind, boost::json::object attrs, machine* owner) = 0;
    /// Drops `owner`'s command of this activation (cancelled before it was recorded).
    virtual void drop_command(const machine* owner) = 0;
    /// Inbound events that name `event_id` (scheduled, initiated or started) go to `m`.
    virtual void index_event(std::int64_t event_id, machine* m) = 0;
    virtual void unindex_event(std::int64_t event_id) = 0;
    /// The machine is finished; the host frees it after the activation.
    virtual void retire(machine* m) = 0;

protected:
    ~machine_host() = default;
};

}   // namespace perdure::detail
