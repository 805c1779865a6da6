// The executions table's JSON columns of a run_identity, both ways.
#include "store/run_columns.hpp"

#include "codec/json_parse.hpp"
#include "history/retry_policy.hpp"

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

/// The column's JSON, or null when it is not JSON.
boost::json::value parsed(std::string_view text) {
    boost::system::error_code ec;
    auto v = detail::parse_json(text, ec);
    return ec ? boost::json::value() : v;
}

std::int64_t int_at(const boost::json::object& o, const char* key, std::int64_t otherwise = 0) {
    if (const auto* v = o.if_contains(key); v && v->is_int64()) return v->get_int64();
    return otherwise;
}

std::string string_at(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return {};
}

}   // namespace

std::string memo_column(const boost::json::object& memo) { return boost::json::serialize(memo); }

std::string parent_column(const run_identity& id) {
    if (!id.parent.run_key) return {};
    return boost::json::serialize(
        boost::json::object{{"run_key", id.parent.run_key},
                            {"initiated_event_id", id.parent.initiated_event_id},
                            {"parent_close_policy", static_cast<int>(id.parent.close_policy)}});
}

std::string options_column(const run_identity& id) {
    boost::json::object o{{"attempt", id.attempt}, {"run_timeout_ms", id.run_timeout_ms}};
    if (id.retry) o["retry_policy"] = to_json(with_defaults(*id.retry));
    return boost::json::serialize(o);
}

std::string callbacks_column(const std::vector<nexus_callback>& callbacks) {
    boost::json::array all;
    for (const auto& cb : callbacks)
        all.push_back({{"caller_run_key", cb.caller_run_key},
                       {"scheduled_event_id", cb.scheduled_event_id},
                       {"request_id", cb.request_id},
                       {"endpoint", cb.endpoint},
                       {"service", cb.service},
                       {"operation", cb.operation},
                       {"token", cb.token}});
    return boost::json::serialize(all);
}

std::string search_attributes_column(const typed_attributes& attrs) { return boost::json::serialize(to_json(attrs)); }

void read_search_attributes_column(std::string_view text, run_identity& into) {
    into.search_attributes = typed_attributes_from_json(parsed(text));
}

void read_memo_column(std::string_view text, run_identity& into) {
    if (auto v = parsed(text); v.is_object()) into.memo = std::move(v.get_object());
}

void read_parent_column(std::string_view text, run_identity& into) {
    if (text.empty()) return;
    const auto v = parsed(text);
    if (!v.is_object()) return;
    const auto& p = v.get_object();
    into.parent = {int_at(p, "run_key"), int_at(p, "initiated_event_id"),
                   static_cast<parent_close_policy>(int_at(p, "parent_close_policy"))};
}

void read_options_column(std::string_view text, run_identity& into) {
    const auto v = parsed(text);
    if (!v.is_object()) return;
    const auto& o = v.get_object();
    into.attempt = static_cast<int>(int_at(o, "attempt", into.attempt));
    into.run_timeout_ms = int_at(o, "run_timeout_ms", into.run_timeout_ms);
    if (const auto* p = o.if_contains("retry_policy")) into.retry = retry_policy_from_json(*p);
}

void read_callbacks_column(std::string_view text, run_identity& into) {
    const auto v = parsed(text);
    if (!v.is_array()) return;
    for (const auto& item : v.get_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.get_object();
        into.callbacks.edit().push_back({int_at(o, "caller_run_key"), int_at(o, "scheduled_event_id"),
                                         string_at(o, "request_id"), string_at(o, "endpoint"), string_at(o, "service"),
                                         string_at(o, "operation"), string_at(o, "token")});
    }
}

}   // namespace perdure::detail
