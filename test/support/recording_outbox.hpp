// An outbox that only records what a part adds to it: the messages it sends to runs and the
// cancel requests whose rows it keeps, for unit tests of the parts that use `outbox_rows`.
#pragma once

#include "runtime/outbox.hpp"

#include <cstdint>
#include <set>
#include <vector>

namespace perdure::test {

/// A message a part sent to a run through the outbox.
struct sent_message {
    std::int64_t target = 0;
    detail::event_type type{};
    boost::json::object attrs;
};

class recording_outbox final : public detail::outbox_rows {
public:
    void send(std::int64_t target, detail::event_type type, boost::json::object attrs, detail::write_unit&,
              const char* = nullptr) override {
        sent.push_back({target, type, std::move(attrs)});
    }
    void record_cancel_request(detail::run_state& r, const char*, std::int64_t scheduled_event_id, std::int64_t,
                               detail::write_unit&) override {
        cancel_rows.insert({r.run_key, scheduled_event_id});
    }
    void forget_cancel_request(const detail::task_key& key, std::vector<detail::write_op>&) override {
        cancel_rows.erase(key);
    }

    std::vector<sent_message> sent;
    std::set<detail::task_key> cancel_rows;   ///< the activities and operations with a cancel request row
};

}   // namespace perdure::test
