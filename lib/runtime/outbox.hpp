// The outbox: messages between runs and the cancel requests of activities and Nexus operations,
// as tasks rows committed with the event that caused them. A message to a run is dispatched
// from memory once its unit commits (or is queued, when the target runs here and records it in
// the next unit); a crash in between dispatches it again from its row at recovery. A cancel
// request's row stays until the cancel has done its work. Strand only.
#pragma once

#include "history/event.hpp"
#include "runtime/activity_task.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/run_state.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace perdure::detail {

/// What the outbox needs of the engine around it, and nothing more.
class outbox_host {
public:
    virtual std::int64_t now_us() const = 0;
    virtual std::uint64_t commit(write_unit&& unit) = 0;
    /// The run, while the engine tracks it.
    virtual run_state* find_run(std::int64_t run_key) = 0;
    /// An event for a run: recorded in its next activation.
    virtual void deliver(run_state& r, inbound in) = 0;

protected:
    ~outbox_host() = default;
};

/// The rows the dispatchers add to a unit: messages to runs and cancel requests.
class outbox_rows {
public:
    /// A message to another run: an outbox row in `unit`, delivered once it is queued. The
    /// member named `payload` (a result, an input), when present, is serialized once for both
    /// the row and the event the target records.
    virtual void send(std::int64_t target_run_key, event_type type, boost::json::object attrs, write_unit& unit,
                      const char* payload = nullptr) = 0;
    /// The outbox row of an activity's ("activity") or a Nexus operation's ("nexus") cancel
    /// request, in `unit`, kept until forget_cancel_request.
    virtual void record_cancel_request(run_state& r, const char* target, std::int64_t scheduled_event_id,
                                       std::int64_t requested_event_id, write_unit& unit) = 0;
    /// Adds the deletion of a target's cancel request row, if it has one, to `ops`.
    virtual void forget_cancel_request(const task_key& target, std::vector<write_op>& ops) = 0;

protected:
    ~outbox_rows() = default;
};

/// A cancel request as its row recorded it.
struct cancel_request {
    std::string target;   ///< "activity" or "nexus"
    std::int64_t scheduled_event_id = 0, requested_event_id = 0;
};

class outbox final : public outbox_rows {
public:
    explicit outbox(outbox_host& host) noexcept : host_(host) {}

    /// New rows take seqs below every stored one (a task's own rows use the positive seqs of
    /// its scheduled event).
    void continue_seqs_below(std::int64_t min_task_seq);

    void send(std::int64_t target_run_key, event_type type, boost::json::object attrs, write_unit& unit,
              const char* payload = nullptr) override;
    void record_cancel_request(run_state& r, const char* target, std::int64_t scheduled_event_id,
                               std::int64_t requested_event_id, write_unit& unit) override;
    void forget_cancel_request(const task_key& target, std::vector<write_op>& ops) override;
    /// The run closed: its cancel request rows go with its other work (clear_run_work).
    void drop_run(std::int64_t run_key);
    /// Another engine owns the runs now.
    void forget_all() { cancel_rows_.clear(); }

    // ---- recovery ----
    /// The cancel requests rows hold for runs the engine tracks, by the activity or operation
    /// each addresses; their rows are known again, so they can be forgotten.
    std::map<task_key, cancel_request> recover_cancel_requests(const std::vector<task_row>& tasks);
    /// A message whose row outlived a crash: dispatched again.
    void redeliver(const task_row& row);

private:
    /// A message as it travels from memory: its event, and its payload's text when it has one.
    struct message {
        event_type type{};
        boost::json::object attrs;
        const char* payload = nullptr;
        std::string payload_json{};
    };
    void dispatch(std::int64_t target, std::int64_t seq, message m);

    outbox_host& host_;
    std::int64_t next_seq_ = -1;                     // outbox rows use negative seqs
    std::map<task_key, std::int64_t> cancel_rows_;   // target -> the seq of its cancel request's row
};

}   // namespace perdure::detail
