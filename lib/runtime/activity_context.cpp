// activity_context: heartbeats (throttled; held details are sent when the interval ends) and
// cancellation.
#include "runtime/activity_task.hpp"

#include <perdure/activity_context.hpp>
#include <perdure/error.hpp>

namespace perdure {

activity_context::activity_context(activity_info info, std::shared_ptr<detail::activity_control> control)
    : info_(std::move(info)), control_(std::move(control)) {}

void activity_context::heartbeat(boost::json::value details) {
    if (!control_) return;
    if (control_->cancel.load()) throw canceled_error("activity cancellation was requested");
    const std::int64_t now = control_->now_us ? control_->now_us() : 0;
    control_->last_call_us.store(now);
    bool send = false;
    std::int64_t flush_at = 0;
    {
        std::lock_guard lk(control_->mutex);
        control_->latest = details;
        if (control_->last_sent_us == 0 || now - control_->last_sent_us >= control_->throttle_us) {
            control_->last_sent_us = now;
            control_->flush_pending = false;
            send = true;
        } else if (!control_->flush_pending) {
            // Held back: the latest details go when the throttle interval ends.
            control_->flush_pending = true;
            flush_at = control_->last_sent_us + control_->throttle_us;
        }
    }
    info_.heartbeat_details = details;
    if (send && control_->send) control_->send(std::move(details));
    if (flush_at && control_->flush_at) control_->flush_at(flush_at);
}

bool activity_context::cancel_requested() const noexcept { return control_ && control_->cancel.load(); }

}   // namespace perdure
