// The store as the engine sees it: batches of writes in, rows and histories out, and who owns
// the data. No SQL type crosses this interface and every failure is a perdure::error, so a
// store shared by several engines (PostgreSQL, ownership by lease) can sit behind it too.
#pragma once

#include "history/event.hpp"
#include "store/rows.hpp"
#include "support/unique_function.hpp"
#include "visibility/query.hpp"

#include <perdure/engine_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}   // namespace boost::asio

namespace perdure::detail {

/// Every read the engine, the client and the CLI make. Each call sees committed data only and
/// throws a perdure::error (storage_error and friends, naming the store and what to do).
class store_reads {
public:
    virtual ~store_reads() = default;

    /// The namespaces that exist (not deleted).
    virtual std::vector<namespace_row> namespaces() = 0;
    /// The highest namespace id ever given, deleted ones included (ids are never reused).
    virtual std::int64_t max_namespace_id() = 0;
    /// Runs left in deleted namespaces, to be deleted in the background.
    virtual std::vector<std::int64_t> runs_of_deleted_namespaces(std::size_t limit) = 0;
    virtual std::vector<endpoint_row> endpoints() = 0;
    virtual std::int64_t max_run_key() = 0;
    /// Every run still open, with its last event, in run key order: one at a time, since a
    /// database may hold more than its reader should keep in memory at once.
    virtual void open_runs(const std::function<void(open_run_row)>& each) = 0;

    /// A run's events in order, from `first_event_id`.
    virtual std::vector<event> history(std::int64_t run_key, std::int64_t first_event_id = 1) = 0;
    virtual std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) = 0;
    virtual std::optional<event> last_event(std::int64_t run_key) = 0;
    virtual std::int64_t history_length(std::int64_t run_key) = 0;

    /// The outbox: work owed to activities, Nexus operations and other runs.
    virtual std::vector<task_row> tasks() = 0;
    /// Every pending deadline (timers, timeouts, backoffs).
    virtual std::vector<deadline_row> deadlines() = 0;
    /// The lowest seq among tasks (outbox rows use negative ones).
    virtual std::int64_t min_task_seq() = 0;

    virtual std::optional<execution_row> find_run(std::string_view run_id) = 0;
    virtual std::optional<execution_row> find_run(std::int64_t run_key) = 0;
    /// The newest run of a workflow id in a namespace.
    virtual std::optional<execution_row> find_latest_run(std::int64_t ns_id, std::string_view workflow_id) = 0;
    /// Runs of a namespace (all existing namespaces when ns_id is 0), newest first, optionally by
    /// status, starting below `before_run_key` (0: from the newest).
    virtual std::vector<execution_row> list_runs(std::int64_t ns_id, std::optional<run_status>, std::size_t limit,
                                                 std::int64_t before_run_key) = 0;
    virtual std::int64_t count_open_runs(std::int64_t ns_id) = 0;
    /// Up to `limit` runs of a namespace matching a visibility query, in its order, after the run
    /// whose sort keys are `after` (empty: from the first). Throws invalid_argument when `after`
    /// does not have the query's number of sort keys.
    virtual run_page query_runs(std::int64_t ns_id, const visibility_query& q, const std::vector<sort_value>& after,
                                std::size_t limit) = 0;
    /// How many runs of a namespace match a visibility query: {-1, total}, or with `by_status`
    /// one {run_status number, count} per status that has runs.
    virtual std::vector<std::pair<int, std::int64_t>> count_runs(std::int64_t ns_id, const visibility_query& q,
                                                                 bool by_status) = 0;
    /// Closed runs of a namespace that closed before `before_us`, oldest first.
    virtual std::vector<std::int64_t> expired_runs(std::int64_t ns_id, std::int64_t before_us, std::size_t limit) = 0;

    /// Pending inbox commands that have not expired, oldest first. A command whose stored form
    /// cannot be read comes with the reason, for the owner to answer with.
    virtual std::vector<pending_command> pending_commands(std::int64_t now_us, std::size_t limit) = 0;
    /// Commands an owner claimed and never answered: it stopped (or lost the data) while it
    /// applied them. Read by the next owner at its start, which answers them.
    virtual std::vector<std::int64_t> abandoned_commands() = 0;
};

/// How a store is opened.
enum class open_mode {
    owner,         ///< an engine: take ownership, create the store if missing, migrate it
    maintenance,   ///< the CLI with no engine running: take ownership, never create or migrate
    reader,        ///< beside a running engine: no ownership, reads only
    create,        ///< the CLI's create commands: take ownership, create a missing store, never migrate
};

/// Why a batch did not commit. Nothing from its first unit on will ever commit.
struct commit_failure {
    enum class kind {
        storage,          ///< the store refused the batch (disk full, corruption, I/O)
        ownership_lost,   ///< another engine owns the data now (its epoch is newer than ours)
    };
    kind reason = kind::storage;
    std::string message;   ///< what went wrong and what to do, naming the store
};

/// Commit reports, called on the store's writer thread.
struct commit_callbacks {
    /// Units up to and including `last_unit` are committed.
    std::function<void(std::uint64_t last_unit)> committed;
    /// A batch failed; called once, after which the store commits nothing more.
    std::function<void(std::uint64_t first_unit, commit_failure)> failed;
};

/// What another engine said through a shared store, heard as it committed: a command left in
/// the inbox, a command answered, a run closed, namespaces, search attributes or endpoints
/// changed, an activity attempt offered on a task queue. `missed` comes first and again after
/// each reconnection, when anything may have happened unheard.
struct store_notice {
    enum class kind : std::uint8_t { inbox, answered, closed, registry, tasks, missed };
    kind what = kind::missed;
    /// The command's id (answered), the run's key (closed), the offer's namespace id (tasks).
    std::int64_t id = 0;
};

/// An open store: one owner appending units of writes in order, a reader thread, and reads for
/// the owner's own thread.
///
/// Ownership and fencing: only the owner writes. Ownership has an epoch, raised each time it
/// moves to another engine. The store stamps every unit with the epoch it held at `append` and
/// checks it inside the batch's transaction, so a batch from an engine that lost ownership (a
/// process paused past its lease) never commits: it fails with `ownership_lost`. A SQLite store
/// is owned by the process holding its file lock for the store's whole life, so its epoch never
/// changes and the check costs nothing; a shared store (PostgreSQL) holds a lease row it renews.
class store {
public:
    virtual ~store() = default;

    /// Queues one unit of writes, applied in order in one transaction with the rest of its batch
    /// (everything queued while the previous batch committed); returns its sequence number.
    /// `commit_callbacks::committed` reports it once durable.
    virtual std::uint64_t append(std::vector<write_op>&& ops) = 0;
    /// Keeps the writer from starting a batch until as many release_batch() calls, so that the
    /// units about to be appended commit with those already appended. A reader store ignores it.
    virtual void hold_batch() noexcept = 0;
    virtual void release_batch() noexcept = 0;
    /// Runs `job` on the store's reader thread, in order with other jobs. Jobs catch their own
    /// errors and report them to whoever waits. False once the store closed: the job never
    /// runs, and whoever waits for it must be told by the caller. (The engine's own reads are
    /// posted only while it runs: each path checks `engine_core::unavailable()` first, which
    /// answers from the start of shutdown, and the parts that read by themselves, the claim
    /// rounds and the owner link, are stopped before the store closes.)
    [[nodiscard]] virtual bool post_read(unique_function<void(store_reads&)> job) = 0;
    /// Synchronous reads for one thread at a time (the engine's strand); they see what is
    /// committed, not what is queued.
    virtual store_reads& reads() = 0;
    /// Reads for the calling thread that all see one committed state until the object is
    /// destroyed, whatever the owner commits meanwhile (SQLite: one read transaction; PostgreSQL:
    /// a REPEATABLE READ transaction), so a run, its history and its namespace agree. Any mode.
    virtual std::unique_ptr<store_reads> snapshot() = 0;

    // The inbox from the side of a process that does not own the store (the CLI beside a running
    // engine). A store opened as a reader may call these: a command is a request to the owner,
    // which claims, applies and answers it in its own batches. One thread at a time.

    /// Leaves `command` for the owner; after `expires_us` (wall time) the owner never applies it.
    /// Returns its id.
    virtual std::int64_t submit_command(const inbox_command& command, std::int64_t now_us, std::int64_t expires_us) = 0;
    /// Where a command stands; nullopt once it is gone from the inbox.
    virtual std::optional<inbox_status> command_status(std::int64_t id) = 0;
    /// Withdraws a command the owner has not claimed. True: it will never run. False: the owner
    /// claimed it first, so it runs (or ran) and will be answered.
    virtual bool withdraw_command(std::int64_t id) = 0;

    /// Keys for new runs: none of them stored, nor given to another engine sharing the store. The
    /// owner's thread asks once its previous block is used up. SQLite (one owner at a time):
    /// every key above the largest stored one, in one block. PostgreSQL: blocks of 1,024 from
    /// a sequence, a round trip each, never handed out twice (a crash included), so engines
    /// sharing the database never give two runs one key. A reader store has none to give
    /// (failed_precondition).
    virtual key_block reserve_run_keys() = 0;
    /// Keys reserved from now on lie above `largest_key`: rows were written with keys of their
    /// own (a copy of another store). SQLite's reservations already start above every stored key.
    virtual void reserve_keys_above(std::int64_t largest_key) = 0;

    /// The ownership epoch this store holds (constant for SQLite; 0 when opened as a reader or
    /// while standing by).
    virtual std::uint64_t owner_epoch() const noexcept = 0;
    /// True while an `owner` open of a shared store (PostgreSQL) waits for another live engine's
    /// ownership: the store reads and sends inbox commands, and writes nothing (`append` throws)
    /// until take_ownership() succeeds. A SQLite file is refused instead (database_locked).
    virtual bool standing_by() const noexcept { return false; }
    /// While standing by, tries once to take the data over: true when the owner's leases lapsed
    /// or its process died, and this store now owns the data and writes. Throws storage_error
    /// when the server cannot be reached (the next try reconnects). One thread at a time.
    virtual bool take_ownership() { return !standing_by(); }
    /// While standing by: the owner name of the engine that held the data when take_ownership()
    /// last found it held (empty before that). On the thread that calls take_ownership().
    virtual std::string holder() const { return {}; }
    /// After a batch failed with `ownership_lost`, or to hand the data over: stops the writer,
    /// which commits what is queued and gives up the leases it still holds, and stands by again,
    /// as an open beside a live owner does, under a new name in the leases (the old writer's
    /// progress is not its successor's). False when the store has no ownership to give back
    /// (SQLite, a reader, a standby). On the thread that calls take_ownership().
    virtual bool step_back() { return false; }
    /// Calls `heard` on `io` (the engine's loop, which must run until close) for the notices
    /// this store's role acts on, from now until close, and returns true: while it owns the
    /// data, commands left in the inbox; while it stands by (or as a reader), registry changes,
    /// offered tasks and, when asked for (hear_closes), closed runs; answers and `missed` always. A store that cannot tell (SQLite, whose
    /// senders are only polled for) returns false and never calls it. Once only.
    virtual bool listen(boost::asio::io_context& io, std::function<void(store_notice)> heard) {
        (void)io;
        (void)heard;
        return false;
    }
    /// Whether a store that is not the owner hears closed runs (off at open): an engine turns it
    /// on while it waits for results, so that one waiting for none is not told of every close the
    /// owner makes. A change is announced with `missed` once it is in place: a run that closed
    /// before it was not heard, and must be read again.
    virtual void hear_closes(bool on) { (void)on; }
    // The shared task table (PostgreSQL): an activity attempt whose task queue the owner serves
    // no worker for is offered (offer_task, in the batch that makes it due) to every engine
    // sharing the store; one serving that queue claims it here, then reports to the owner
    // through the inbox, which records the attempt's start and outcome as if it ran there.

    /// True when engines sharing this store run each other's activities and Nexus handlers (PostgreSQL).
    virtual bool shares_tasks() const noexcept { return false; }
    /// Claims up to `limit` offered attempts of `kind` on namespace `ns_id`'s `task_queue` whose
    /// type (activity type, Nexus service) is one of `types`, oldest offer first. An activity
    /// attempt is claimed for `claim_ttl`, or its offer's shorter `claim_ms`: one whose start the
    /// owner has not recorded by then may be claimed again. A Nexus attempt's claim removes its
    /// offer: the owner's request timeout retries an attempt whose claimer never answers.
    /// `claimer` names this engine. A store that does not share tasks has none. One thread at a
    /// time (as the inbox's sender calls).
    virtual std::vector<claimed_task> claim_tasks(task_kind kind, std::int64_t ns_id, const std::string& task_queue,
                                                  const std::vector<std::string>& types, const std::string& claimer,
                                                  std::chrono::milliseconds claim_ttl, std::size_t limit) {
        (void)kind, (void)ns_id, (void)task_queue, (void)types, (void)claimer, (void)claim_ttl, (void)limit;
        return {};
    }
    /// True when no other process can reach the data (an in-memory store: nobody leaves
    /// commands in its inbox).
    virtual bool in_memory() const noexcept = 0;
    /// Where the data lives, for messages.
    virtual const std::string& name() const noexcept = 0;
    /// True when this open made a new, empty store (only `owner` and `create` opens make one).
    virtual bool created() const noexcept = 0;
    /// Batches committed so far (statistics for tests and benchmarks).
    virtual std::uint64_t batches() const = 0;
    /// The time those batches took to commit, each from its writer taking it to its commit's
    /// end (the step's part spent in the database, for benchmarks).
    virtual std::chrono::microseconds committing_time() const = 0;

    /// Commits everything queued, then stops writing; reads keep working.
    virtual void stop_writes() = 0;
    /// Finishes queued reads and gives up ownership. The store is unusable afterwards.
    virtual void close() = 0;
};

/// Opens the store `options.database` names (a SQLite file, ":memory:", or a postgresql:// URI) with
/// the options' durability and size cap. Throws database_locked when another engine owns it,
/// and storage_error / failed_precondition / invalid_argument / not_found with a message that
/// says what to do when it cannot be used. A reader store has no writer: `append` throws.
std::unique_ptr<store> open_store(const engine_options& options, open_mode mode, commit_callbacks callbacks = {});

}   // namespace perdure::detail
