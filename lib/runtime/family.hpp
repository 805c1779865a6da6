// The family of runs: a parent and its children (their start, their outcome, the parent's close
// policy), signals and cancel requests to external workflows, and the next run of a chain
// (continue-as-new, a workflow retry). Every message to another run is an outbox row committed
// with the event that caused it. Strand only.
#pragma once

#include "history/event.hpp"
#include "machines/command.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/outbox.hpp"
#include "runtime/run_state.hpp"
#include "support/unique_function.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace perdure::detail {

/// What the family needs of the engine around it, and nothing more.
class family_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// The run, while the engine tracks it.
    virtual run_state* find_run(std::int64_t run_key) = 0;
    virtual run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) = 0;
    virtual std::string namespace_name(std::int64_t ns_id) const = 0;
    /// A new run with its WorkflowExecutionStarted pending (its rows go into `unit`).
    virtual run_state& create_run(run_spec spec, write_unit& unit) = 0;
    /// Records a new run's start in `unit`, with its first activation when a worker can run it.
    virtual void begin_run(run_state& r, write_unit& unit) = 0;
    virtual void terminate_run(run_state& r, const std::string& reason, write_unit& unit) = 0;
    /// The attributes of a run's WorkflowExecutionStarted: what a retry repeats.
    virtual boost::json::object started_attributes(const run_state& r) = 0;
    /// A WorkflowExecutionSignaled for a run, with who waits to hear that it was recorded;
    /// `arg_json`, when not empty, is `arg` already serialized.
    virtual inbound signal_event(std::string name, boost::json::value arg, std::string arg_json,
                                 unique_function<void(std::exception_ptr)> on_recorded) = 0;

protected:
    ~family_host() = default;
};

class run_family {
public:
    run_family(family_host& host, outbox_rows& outbox) noexcept : host_(host), outbox_(outbox) {}

    /// An open run found at startup: if it is a child, its parent's close policy reaches it.
    void add_open(const run_state& r);
    /// Completes a closing command before it is recorded: a continuation's new run id, a
    /// failure's retry decision (and the next run's id and backoff when it retries).
    void prepare_close(const run_state& r, command& c) const;
    /// StartChildWorkflowExecutionInitiated is being recorded in `unit`: the child's start, and
    /// the parent hears it started (or that a run of its workflow id is already running).
    void start_child(run_state& parent, const event& initiated, write_unit& unit);
    /// A signal or cancel request of an external workflow is being recorded in `unit`: the
    /// message to the target, and the sender hears whether it reached one.
    void reach_external(run_state& r, const event& initiated, write_unit& unit);
    /// A run closed in `unit`: its parent hears the outcome, its open children its close policy.
    void run_closed(run_state& r, const event& close, write_unit& unit);
    /// Another engine owns the runs now.
    void forget_all() { children_.clear(); }
    /// The next run of a chain (`close` is ContinuedAsNew, or a failure or timeout that retries),
    /// started in `unit`; the signals the closing run never read are recorded again in it.
    void continue_run(run_state& r, const event& close, std::vector<std::pair<std::string, boost::json::value>> signals,
                      write_unit& unit);

private:
    void notify_parent(run_state& child, const event& close, write_unit& unit);
    void apply_parent_close_policy(run_state& parent, write_unit& unit);

    family_host& host_;
    outbox_rows& outbox_;
    std::unordered_map<std::int64_t, std::set<std::int64_t>> children_;   // parent run -> open children
};

}   // namespace perdure::detail
