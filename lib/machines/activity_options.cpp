// Activity timeout normalization as Temporal's validator does it.
#include "machines/activity_options.hpp"

#include "codec/duration.hpp"
#include "history/retry_policy.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {
using ms = std::chrono::milliseconds;

ms cap(ms v, ms limit) { return limit.count() > 0 && (v.count() == 0 || v > limit) ? limit : v; }

ms read(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_string())
        if (auto d = parse_duration(v->get_string())) return *d;
    return ms{0};
}
}   // namespace

std::optional<std::string> activity_schedule_attrs(std::string_view type, std::string_view activity_id,
                                                   boost::json::value input, const activity_options& o,
                                                   std::string_view workflow_task_queue, ms run_timeout,
                                                   boost::json::object& out) {
    const std::string what = "activity " + std::string(type) + ": ";
    if (type.empty()) return "an activity type name must not be empty";
    // Temporal's limit on ids and names (MaxIDLengthLimit).
    if (type.size() > 1000) return "an activity type name is limited to 1000 bytes";
    if (o.task_queue.size() > 1000) return what + "activity_options::task_queue is limited to 1000 bytes";
    if (o.schedule_to_close_timeout.count() < 0 || o.schedule_to_start_timeout.count() < 0 ||
        o.start_to_close_timeout.count() < 0 || o.heartbeat_timeout.count() < 0)
        return what + "timeouts must not be negative";
    if (o.schedule_to_close_timeout.count() == 0 && o.start_to_close_timeout.count() == 0)
        return what + "set start_to_close_timeout or schedule_to_close_timeout in activity_options";
    auto policy = with_defaults(o.retry.value_or(retry_policy{}));
    if (o.retry)
        if (auto err = validate(*o.retry)) return what + *err;

    ms s2c = o.schedule_to_close_timeout, s2s = o.schedule_to_start_timeout, stc = o.start_to_close_timeout;
    if (s2c.count() > 0) {
        s2s = s2s.count() > 0 ? std::min(s2s, s2c) : s2c;
        stc = stc.count() > 0 ? std::min(stc, s2c) : s2c;
    } else {
        s2c = run_timeout;
        s2s = s2s.count() > 0 ? cap(s2s, run_timeout) : run_timeout;
    }
    s2c = cap(s2c, run_timeout);
    s2s = cap(s2s, run_timeout);
    stc = cap(stc, run_timeout);
    ms hb = o.heartbeat_timeout.count() > 0 ? std::min(o.heartbeat_timeout, stc) : ms{0};

    out = {{"activity_id", activity_id},
           {"activity_type", {{"name", type}}},
           {"task_queue", {{"name", o.task_queue.empty() ? workflow_task_queue : std::string_view(o.task_queue)}}},
           {"input", std::move(input)},
           {"schedule_to_close_timeout", format_duration(s2c)},
           {"schedule_to_start_timeout", format_duration(s2s)},
           {"start_to_close_timeout", format_duration(stc)},
           {"heartbeat_timeout", format_duration(hb)},
           {"retry_policy", to_json(policy)}};
    return std::nullopt;
}

activity_timeouts activity_timeouts_from(const boost::json::object& a) {
    return {read(a, "schedule_to_close_timeout"), read(a, "schedule_to_start_timeout"),
            read(a, "start_to_close_timeout"), read(a, "heartbeat_timeout")};
}

}   // namespace perdure::detail
