// What a caller gives with each Nexus operation it schedules (Temporal's NexusOperationOptions).
#pragma once

#include <perdure/options.hpp>

#include <chrono>
#include <map>
#include <string>

namespace perdure::nexus {

struct operation_options {
    std::chrono::milliseconds schedule_to_close_timeout{0};   ///< 0: the caller's run timeout, if any
    std::chrono::milliseconds schedule_to_start_timeout{0};
    std::chrono::milliseconds start_to_close_timeout{0};   ///< async operations only
    cancellation_type cancellation = cancellation_type::wait_completed;
    std::map<std::string, std::string> header{};
    std::string summary{};
};

}   // namespace perdure::nexus
