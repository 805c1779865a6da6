// A durable timer: StartTimer -> TimerStarted -> TimerFired | TimerCanceled.
#pragma once

#include "machines/machine.hpp"

#include <chrono>
#include <memory>

namespace perdure::detail {

class timer_machine final : public machine {
public:
    timer_machine(machine_host& inst, std::int64_t seq, std::chrono::milliseconds duration);
    void recorded(const event& e) override;
    void apply(const event& e) override;
    void request_cancel() override;
    void annotate(event& e) const override;

private:
    enum class state { created, started, done };
    machine_host& inst_;
    std::int64_t seq_;
    std::int64_t started_event_id_ = 0;
    state state_ = state::created;
};

}   // namespace perdure::detail
