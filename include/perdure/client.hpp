// Starting and reaching workflows from outside: start, get, describe, list, history, cancel,
// terminate. Calls that change state return after the change is committed; a blocking call
// made on the engine's own strand throws instead of deadlocking.
#pragma once

#include <perdure/definitions.hpp>
#include <perdure/history.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>
#include <perdure/pending_work.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace perdure {

namespace detail {
class engine_core;
struct core_access;

/// What a start reports: the run it made (or attached to) and the head of that run's chain.
struct started_run {
    std::string workflow_id, run_id, first_execution_run_id;
};
}   // namespace detail

enum class workflow_status { running, completed, failed, canceled, terminated, continued_as_new, timed_out };
const char* to_string(workflow_status) noexcept;

struct workflow_execution_info {
    std::string ns{}, workflow_id{}, run_id{}, type{}, task_queue{};
    workflow_status status{};
    std::chrono::system_clock::time_point start_time{}, close_time{};
    std::int64_t history_length{};
    boost::json::object memo{};
    std::string task_failure{};   ///< the last workflow task failure, while it is retrying or blocked
    /// Its custom search attributes as last committed (at start, then by upserts); an attribute
    /// removed from the namespace no longer shows.
    perdure::search_attributes search_attributes{};

    // What a running workflow waits for (describe() only; list() leaves these empty).
    std::vector<pending_activity_info> pending_activities{};
    std::vector<pending_child_info> pending_children{};
    std::vector<pending_nexus_operation_info> pending_nexus_operations{};
    std::vector<pending_callback_info> callbacks{};   ///< completions owed to Nexus callers
    std::optional<pending_workflow_task_info> pending_workflow_task{};
};

/// A page of client::list(query).
struct workflow_page {
    std::vector<workflow_execution_info> executions{};
    /// Give it to the next list() call with the same query for the next page; empty after the
    /// last page. Opaque; it stays valid while runs are added or closed.
    std::string next_page_token{};
};

/// One group of client::count_groups: the runs in one status.
struct workflow_count_group {
    workflow_status status{};
    std::int64_t count{};
    bool operator==(const workflow_count_group&) const = default;
};

/// What client::count_groups answers, as Temporal's CountWorkflowExecutions does for
/// GROUP BY ExecutionStatus: the total, and one group per status that has runs.
struct workflow_counts {
    std::int64_t count{};
    std::vector<workflow_count_group> groups{};   ///< in workflow_status order
    bool operator==(const workflow_counts&) const = default;
};

template <class R>
class workflow_handle;

class client {
public:
    /// Starts a workflow; returns after WorkflowExecutionStarted is committed. Throws
    /// workflow_already_started (per the id policies), not_found (namespace, or a type the
    /// task queue's worker does not register), invalid_argument (options), payload_error.
    template <class R, class I>
    workflow_handle<R> start_workflow(const workflow_def<R, I>& def, std::type_identity_t<I> input,
                                      start_workflow_options options) {
        auto id = start_(def.name(), detail::to_payload(input), std::move(options));
        return workflow_handle<R>(*this, std::move(id));
    }
    template <class R>
    workflow_handle<R> start_workflow(const workflow_def<R, void>& def, start_workflow_options options) {
        auto id = start_(def.name(), boost::json::value{}, std::move(options));
        return workflow_handle<R>(*this, std::move(id));
    }
    /// Signals the workflow if it is running, or starts it with the signal recorded right after
    /// its start, in one commit. With id_conflict_policy::terminate_existing a running run is
    /// terminated and the new one gets the signal, as on Temporal.
    template <class R, class I, class S>
    workflow_handle<R> signal_with_start(const workflow_def<R, I>& def, std::type_identity_t<I> input,
                                         std::string_view signal, const S& signal_arg, start_workflow_options options) {
        auto id = signal_with_start_(def.name(), detail::to_payload(input), signal, detail::to_payload(signal_arg),
                                     std::move(options));
        return workflow_handle<R>(*this, std::move(id));
    }

    template <class R, class S>
    workflow_handle<R> signal_with_start(const workflow_def<R, void>& def, std::string_view signal, const S& signal_arg,
                                         start_workflow_options options) {
        auto id = signal_with_start_(def.name(), boost::json::value{}, signal, detail::to_payload(signal_arg),
                                     std::move(options));
        return workflow_handle<R>(*this, std::move(id));
    }

    /// Starts a workflow by type name.
    template <class R = boost::json::value, class I = boost::json::value>
    workflow_handle<R> start_workflow(std::string_view type, const I& input, start_workflow_options options) {
        auto id = start_(type, detail::to_payload(input), std::move(options));
        return workflow_handle<R>(*this, std::move(id));
    }

    /// A handle to a workflow. Without a run id it follows the workflow id: after
    /// continue-as-new, get() and describe() reach the latest run.
    template <class R = boost::json::value>
    workflow_handle<R> get_handle(std::string_view workflow_id, std::string_view run_id = {}) {
        return workflow_handle<R>(*this, std::string(workflow_id), std::string(run_id));
    }

    /// Runs of this namespace, newest first; `after` is the last run id of the previous page.
    std::vector<workflow_execution_info> list(std::optional<workflow_status> status = {}, std::size_t limit = 1000,
                                              std::string_view after = {});
    /// `list({}, limit)`: empty braces could mean either overload; they mean every status.
    std::vector<workflow_execution_info> list(std::nullptr_t, std::size_t limit = 1000, std::string_view after = {}) {
        return list(std::optional<workflow_status>{}, limit, after);
    }

    /// Runs of this namespace that match a visibility query (Temporal's list filter, see
    /// doc/visibility.md: "CustomerId = 'c42' AND ExecutionStatus = 'Running' ORDER BY
    /// StartTime DESC"; empty: every run), in the query's order, open runs first by default.
    /// `page_size` 0 means 100; at most 1000 are returned. Sees committed runs only. Throws
    /// invalid_argument for a query that does not parse or type-check (naming the column), and
    /// for a page token that is damaged or was given for another query.
    workflow_page list(std::string_view query, std::size_t page_size = 100, std::string_view page_token = {});
    /// How many runs of this namespace match a visibility query (empty: all). A query ending in
    /// GROUP BY ExecutionStatus counts them all. Throws invalid_argument as list(query) does.
    std::int64_t count(std::string_view query = {});
    /// The runs matching a query counted per status, as Temporal answers GROUP BY
    /// ExecutionStatus; the query may end with that clause or not (it is the only grouping).
    workflow_counts count_groups(std::string_view query);

    /// Deletes a run, as Temporal's DeleteWorkflowExecution: its history, its visibility record
    /// and everything else stored for it. Without a run id, the workflow id's latest run. A
    /// running run is first terminated (WorkflowExecutionTerminated, reason "Delete workflow
    /// execution"; its parent, children and Nexus callers learn of it as of any terminate), so
    /// whoever waits on it gets terminated_error. Returns once the deletion is committed;
    /// afterwards describe, list, history and get() of that run throw not_found. Throws
    /// not_found when no such run (or namespace) exists.
    void delete_workflow(std::string_view workflow_id, std::string_view run_id = {});

    const std::string& ns() const noexcept { return ns_; }

private:
    friend struct detail::core_access;
    client(std::shared_ptr<detail::engine_core> core, std::string ns) : core_(std::move(core)), ns_(std::move(ns)) {}
    detail::started_run start_(std::string_view type, boost::json::value input, start_workflow_options options);
    detail::started_run signal_with_start_(std::string_view type, boost::json::value input, std::string_view signal,
                                           boost::json::value arg, start_workflow_options options);
    std::shared_ptr<detail::engine_core> core_;
    std::string ns_;
};

namespace detail {

/// The untyped part of a workflow handle.
class workflow_handle_base {
public:
    /// Addresses one run, or with an empty run id the workflow id's latest run.
    workflow_handle_base(perdure::client c, std::string workflow_id, std::string run_id)
        : client_(std::move(c)), workflow_id_(std::move(workflow_id)), run_id_(std::move(run_id)) {}
    /// What a start returns. As with a Temporal SDK's handle, run_id() is the started run, but
    /// the handle follows its chain: signals, queries, updates, describe() and history() reach
    /// the workflow id's latest run (the chain's after continue-as-new or a retry, and a new
    /// chain's once the id is started again, as a Temporal SDK addresses them with no run id);
    /// cancel() and terminate() only while that run belongs to the chain (Temporal's
    /// first_execution_run_id check); get() gives the chain's final result.
    workflow_handle_base(perdure::client c, started_run s)
        : client_(std::move(c)),
          workflow_id_(std::move(s.workflow_id)),
          run_id_(std::move(s.run_id)),
          first_execution_run_id_(std::move(s.first_execution_run_id)) {}

    const std::string& workflow_id() const noexcept { return workflow_id_; }
    /// The run this handle was made for ("" when it follows the workflow id).
    const std::string& run_id() const noexcept { return run_id_; }
    /// The head of the chain a started handle follows ("" for a handle from get_handle).
    const std::string& first_execution_run_id() const noexcept { return first_execution_run_id_; }
    /// The run id that calls other than get() address: "" (the latest run) when following a chain.
    std::string addressed_run() const { return first_execution_run_id_.empty() ? run_id_ : std::string(); }

    /// Requests cancellation (WorkflowExecutionCancelRequested); returns once recorded.
    void cancel();
    /// Ends the run at once (WorkflowExecutionTerminated); returns once recorded.
    void terminate(std::string reason = {});
    workflow_execution_info describe();
    /// The run's events in order.
    std::vector<history_event> history();
    /// Blocks until the run (or its continuation) closes; gives the result as JSON.
    boost::json::value get_json();

    /// Sends a signal; returns once WorkflowExecutionSignaled is committed.
    template <class A = boost::json::value>
    void signal(std::string_view name, const A& arg = {}) {
        signal_json(name, detail::to_payload(arg));
    }
    /// Asks a query handler; nothing is recorded. Throws query_failed_error when the handler
    /// throws or no handler has that name (the message lists the known ones).
    template <class Q, class A = boost::json::value>
    Q query(std::string_view name, const A& arg = {}) {
        return detail::from_payload<Q>(query_json(name, detail::to_payload(arg)));
    }
    /// Sends an update and waits for its result. A validator's rejection throws
    /// update_rejected_error (nothing is recorded); a handler's failure throws that failure.
    /// A retried update id returns the first outcome.
    template <class U, class A = boost::json::value>
    U update(std::string_view name, const A& arg = {}, std::string update_id = {}) {
        return detail::from_payload<U>(update_json(name, detail::to_payload(arg), std::move(update_id)));
    }

    void signal_json(std::string_view name, boost::json::value arg);
    boost::json::value query_json(std::string_view name, boost::json::value arg);
    boost::json::value update_json(std::string_view name, boost::json::value arg, std::string update_id);

    const perdure::client& client() const noexcept { return client_; }

protected:
    perdure::client client_;
    std::string workflow_id_, run_id_, first_execution_run_id_;
};

}   // namespace detail

template <class R>
class workflow_handle : public detail::workflow_handle_base {
public:
    using result_type = R;
    workflow_handle(perdure::client c, std::string workflow_id, std::string run_id)
        : workflow_handle_base(std::move(c), std::move(workflow_id), std::move(run_id)) {}
    workflow_handle(perdure::client c, detail::started_run s) : workflow_handle_base(std::move(c), std::move(s)) {}

    /// Blocks until closed. A failed, canceled, terminated or timed-out run throws
    /// workflow_failed_error whose cause() says which.
    R get() { return detail::from_payload<R>(get_json()); }
    /// The awaitable form; defined in perdure/asio.hpp.
    template <int = 0>
    auto async_get();
};

}   // namespace perdure
