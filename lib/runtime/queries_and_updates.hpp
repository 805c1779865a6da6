// Queries and updates: the messages a client sends a run and waits to hear answered. A query is
// answered from the run's live instance, once its pending events are committed, or from a closed
// run's history replayed, and is never recorded; an update is validated by the live instance,
// then accepted and recorded (or rejected, recording nothing), and its waiters hear its outcome
// once its completion commits; an update id already known gets the first outcome. The per-run
// queues are the run's (`waiting_clients`); what is done with them is this part's. Strand only.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/run_state.hpp"
#include "store/inbox_command.hpp"
#include "store/rows.hpp"
#include "support/unique_function.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace perdure::detail {

/// A run as the store keeps it, for a query on a run that is no longer in memory.
struct stored_run {
    execution_row row;
    std::vector<event> history;
};
/// Called on the strand with a stored run, nullopt when there is none, or the read's error.
using stored_run_reader = unique_function<void(std::exception_ptr, std::optional<stored_run>)>;

/// What queries and updates need of the engine around them, and nothing more.
class queries_and_updates_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// The id of a namespace; throws not_found naming the known ones.
    virtual std::int64_t namespace_id(std::string_view name) const = 0;
    virtual run_state* find_open_run(std::int64_t ns_id, std::string_view workflow_id) = 0;
    /// The run's next activation serves its messages (serve()) once its instance is live.
    virtual void request_activation(run_state& r) = 0;
    virtual std::uint64_t commit(write_unit&& unit) = 0;
    /// Reads off the strand the run `run_id` (the latest run of the workflow id when empty) and its
    /// history; nullopt when the namespace has no such run of that workflow id.
    virtual void read_stored_run(std::int64_t ns_id, std::string workflow_id, std::string run_id,
                                 stored_run_reader then) = 0;
    /// A fresh instance of a stored run's workflow to replay its history into (counted as a
    /// replay); null when no worker registers its type on its task queue.
    virtual std::unique_ptr<workflow_instance> replay_instance(const execution_row& row) = 0;
    /// No worker here serves the task queue, and engines beside may (a shared store): a query
    /// of a run on it goes to them.
    virtual bool served_elsewhere(std::int64_t ns_id, const std::string& task_queue) const = 0;

protected:
    ~queries_and_updates_host() = default;
};

class queries_and_updates {
public:
    queries_and_updates(queries_and_updates_host& host, std::size_t max_payload_bytes) noexcept
        : host_(host), max_payload_bytes_(max_payload_bytes) {}

    // ---- from clients (the engine's entry points, once on the strand) ----
    /// A running run queues the query until its instance is live; any other run is rebuilt
    /// from its stored history and asked there.
    void query(std::string ns, std::string workflow_id, std::string run_id, std::string name, boost::json::value arg,
               message_callback cb);
    /// Queued until a running run's instance is live, which validates it. An empty `update_id`
    /// gets a new one. A closed run answers an update id its history completed with that
    /// outcome, as Temporal does, so that a retried request sees the first one's; it refuses
    /// any other.
    void update(std::string ns, std::string workflow_id, std::string run_id, std::string name, boost::json::value arg,
                std::string update_id, message_callback cb);

    // ---- from the run's lifecycle ----
    /// The run's instance is live, between activations: its queued queries are answered (each
    /// once what it may reflect is committed) and its updates validated in order, an accepted
    /// one pending for the next activation to record.
    void serve(run_state& r);
    /// Every queued query fails with query_failed_error(why) (the run cannot answer: its task
    /// fails, no worker runs it, it closed).
    void fail_queries(run_state& r, const std::string& why);
    /// Every queued update and every waiter of an accepted one fails with failed_precondition(why).
    void fail_updates(run_state& r, const std::string& why);
    /// The run closed (`closed` says which), as Temporal's server aborts its updates: one not yet
    /// accepted is not_found, an accepted one ends with the failure AcceptedUpdateCompletedWorkflow.
    void abort_updates(run_state& r, const std::string& closed);
    /// The same with `e` (the run moved to another engine: a storage_error).
    void fail_queries(run_state& r, std::exception_ptr e);
    void fail_updates(run_state& r, std::exception_ptr e);
    /// Both: every query and update waiting on the run hears `e`.
    void fail_messages(run_state& r, std::exception_ptr e) {
        fail_queries(r, e);
        fail_updates(r, e);
    }
    /// WorkflowExecutionUpdateCompleted is being recorded in `unit`: its waiters hear its
    /// outcome once the unit commits (or the commit's error).
    void update_completed(run_state& r, const event& completed, write_unit& unit);

    // ---- queries and updates of runs whose workflow another engine runs (remote_messages.cpp) ----
    /// How long a query offered to another engine waits for its answer.
    static constexpr std::chrono::seconds elsewhere_patience{30};
    /// The run's queued queries are offered, in one unit after what the run queued before them
    /// (so their answers reflect it), to the engine whose worker runs the run's workflow. A
    /// closed run's are too, when no worker here serves its queue.
    void ask_elsewhere(run_state& r);
    /// That engine answered: the query's caller hears it; false when nobody waits for it.
    bool answered_elsewhere(const workflow_query_answer_command& answer);
    /// Queries offered before `now - elsewhere_patience` fail, their offers withdrawn (the
    /// engine sweeps them as it polls its inbox).
    void give_up_overdue(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    /// Every query offered elsewhere fails with `e` (the engine stops, or the data moved).
    void fail_asked(const std::exception_ptr& e);
    /// The run's queued updates go with its workflow task to the engine that runs it, their
    /// callers waiting for the outcome; true when one is new there (the task is offered again,
    /// carrying it). An update id already offered or accepted waits for the first's outcome.
    bool send_updates_elsewhere(run_state& r);
    /// The updates the run's offered workflow task carries, as the offer's details
    /// ({"updates": [{id, name, arg}]}; empty when none).
    std::string offered_updates_details(const run_state& r) const;
    /// What the engine that ran the task did with its updates ([{id, result: "accepted" |
    /// "rejected" | "known", message, outcome}]): a rejection or a known outcome is answered,
    /// and the accepted ones are returned as WorkflowExecutionUpdateAccepted at `time_us`, to
    /// record before the task's commands. An update it did not mention stays offered.
    std::vector<inbound> settle_updates_elsewhere(run_state& r, const boost::json::array& reported,
                                                  std::int64_t time_us);

private:
    void answer_queries(run_state& r);
    void process_updates(run_state& r);
    void query_stored_run(std::int64_t ns_id, std::string workflow_id, std::string run_id, std::string name,
                          boost::json::value arg, message_callback cb);
    void update_stored_run(std::int64_t ns_id, const std::string& ns, std::string workflow_id, std::string run_id,
                           std::string update_id, message_callback cb);
    /// Offers each query of `run` to the engine whose worker registers its type.
    void offer_elsewhere(const run_identity& run, std::vector<waiting_clients::query_request> queries);
    /// The caller of query `id` offered elsewhere (of run `run_key`, when not 0), no longer
    /// waited for; empty when there is none.
    message_callback take_asked(const std::string& id, std::int64_t run_key = 0);
    /// Fails the queries `r` offered elsewhere with `e`.
    void fail_asked(const run_state& r, const std::exception_ptr& e);

    queries_and_updates_host& host_;
    std::size_t max_payload_bytes_;
    /// A query offered to another engine, by its id.
    struct asked_query {
        std::int64_t run_key = 0, seq = 0;
        std::chrono::steady_clock::time_point asked_at;
        message_callback cb;
        std::string why_unanswered;   ///< the error's text if it is not answered in time
    };
    std::unordered_map<std::string, asked_query> asked_;
    std::int64_t next_asked_seq_ = -1;   ///< the offers' seqs: negative, unique
};

/// WorkflowExecutionUpdateAccepted of update `id`, as Temporal records it, to be recorded
/// before the activation that runs its handler.
event update_accepted_event(const std::string& id, const std::string& name, boost::json::value arg,
                            std::int64_t time_us);
/// What the callers of an update its validator rejected with `why` hear.
std::exception_ptr update_rejection(const std::string& name, const std::string& why);
/// Answers `cb` with a completed update's recorded outcome ({"success": v} or {"failure": f}).
void answer_outcome(message_callback& cb, const boost::json::object& outcome);

/// Replays `history` into `inst` (a fresh instance of its workflow) and answers the query from
/// the state it reaches: a closed run's as it closed, a running run's once its unprocessed
/// events are applied at `now_us` (what the next workflow task will see). Throws
/// query_failed_error.
boost::json::value answer_by_replay(workflow_instance& inst, const std::vector<event>& history, const std::string& name,
                                    const boost::json::value& arg, std::int64_t now_us);

/// The payload serialized, once its size is checked against `limit` (an event stores this
/// text); invalid_argument naming `what` otherwise. Signals use it too.
std::string checked_payload(const boost::json::value& v, std::size_t limit, const char* what);
/// What a message to a run that is not running hears; signals use it too.
std::string not_running(const std::string& workflow_id, const std::string& run_id, const std::string& ns);

}   // namespace perdure::detail
