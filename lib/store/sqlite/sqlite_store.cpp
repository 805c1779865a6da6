// The SQLite store: the interface's reads over the query functions, and the database, writer and
// reader wired together. SQLite failures stop here and leave as perdure errors.
#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/inbox.hpp"
#include "store/sqlite/inbox_queue.hpp"
#include "store/sqlite/queries.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <limits>
#include <utility>

namespace perdure::detail {

template <class F>
auto sqlite_reads::guarded(const char* doing, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const sql::sqlite_failure& failure) {
        throw_storage(failure, db_, doing);
    }
}

std::vector<namespace_row> sqlite_reads::namespaces() {
    return guarded("loading the namespaces", [&] { return load_namespaces(c_); });
}

std::int64_t sqlite_reads::max_namespace_id() {
    return guarded("loading the namespaces", [&] { return detail::max_namespace_id(c_); });
}

std::vector<std::int64_t> sqlite_reads::runs_of_deleted_namespaces(std::size_t limit) {
    return guarded("finding runs of deleted namespaces", [&] { return detail::runs_of_deleted_namespaces(c_, limit); });
}

std::vector<endpoint_row> sqlite_reads::endpoints() {
    return guarded("loading the Nexus endpoints", [&] { return load_endpoints(c_); });
}

std::int64_t sqlite_reads::max_run_key() {
    return guarded("loading the engine state", [&] { return detail::max_run_key(c_); });
}

void sqlite_reads::open_runs(const std::function<void(open_run_row)>& each) {
    guarded("loading the open runs", [&] { load_open_runs(c_, each); });
}

std::vector<event> sqlite_reads::history(std::int64_t run_key, std::int64_t first_event_id) {
    return guarded("loading a workflow history", [&] { return load_history(c_, run_key, first_event_id); });
}

std::optional<event> sqlite_reads::event_at(std::int64_t run_key, std::int64_t event_id) {
    return guarded("loading an event", [&] { return load_event(c_, run_key, event_id); });
}

std::optional<event> sqlite_reads::last_event(std::int64_t run_key) {
    return guarded("loading an event", [&] { return load_last_event(c_, run_key); });
}

std::int64_t sqlite_reads::history_length(std::int64_t run_key) {
    return guarded("reading", [&] { return detail::history_length(c_, run_key); });
}

std::vector<task_row> sqlite_reads::tasks() {
    return guarded("recovering pending work", [&] { return load_tasks(c_); });
}

std::vector<deadline_row> sqlite_reads::deadlines() {
    return guarded("recovering pending work", [&] { return load_deadlines(c_); });
}

std::int64_t sqlite_reads::min_task_seq() {
    return guarded("loading the engine state", [&] { return detail::min_task_seq(c_); });
}

std::optional<execution_row> sqlite_reads::find_run(std::string_view run_id) {
    return guarded("reading", [&] { return detail::find_run(c_, run_id); });
}

std::optional<execution_row> sqlite_reads::find_run(std::int64_t run_key) {
    return guarded("reading", [&] { return detail::find_run(c_, run_key); });
}

std::optional<execution_row> sqlite_reads::find_latest_run(std::int64_t ns_id, std::string_view workflow_id) {
    return guarded("reading", [&] { return detail::find_latest_run(c_, ns_id, workflow_id); });
}

std::vector<execution_row> sqlite_reads::list_runs(std::int64_t ns_id, std::optional<run_status> status,
                                                   std::size_t limit, std::int64_t before_run_key) {
    return guarded("reading", [&] { return detail::list_runs(c_, ns_id, status, limit, before_run_key); });
}

std::int64_t sqlite_reads::count_open_runs(std::int64_t ns_id) {
    return guarded("reading", [&] { return detail::count_open_runs(c_, ns_id); });
}

std::vector<std::int64_t> sqlite_reads::expired_runs(std::int64_t ns_id, std::int64_t before_us, std::size_t limit) {
    return guarded("finding expired runs", [&] { return detail::expired_runs(c_, ns_id, before_us, limit); });
}

std::vector<pending_command> sqlite_reads::pending_commands(std::int64_t now_us, std::size_t limit) {
    return guarded("reading the inbox", [&] { return detail::pending_commands(c_, now_us, limit); });
}

std::vector<std::int64_t> sqlite_reads::abandoned_commands() {
    return guarded("reading the inbox", [&] { return detail::abandoned_commands(c_); });
}

// ---------------------------------------------------------------- the store

namespace {

/// Reads on a connection of their own, inside one read transaction held for their whole life.
class sqlite_snapshot final : public sqlite_reads {
public:
    sqlite_snapshot(std::unique_ptr<sql::connection> c, const database& db)
        : sqlite_reads(*c, db), conn_(std::move(c)), tx_(*conn_, false) {}

private:
    std::unique_ptr<sql::connection> conn_;
    sql::transaction tx_;   // deferred: SQLite fixes the snapshot at the first read
};

database::mode database_mode(open_mode m) {
    switch (m) {
    case open_mode::owner: return database::mode::owner;
    case open_mode::maintenance: return database::mode::maintenance;
    case open_mode::reader: return database::mode::reader;
    case open_mode::create: return database::mode::create;
    }
    return database::mode::reader;
}

}   // namespace

sqlite_store::sqlite_store(const engine_options& options, open_mode mode, commit_callbacks callbacks)
    : mode_(mode),
      name_(options.database),
      db_(std::make_unique<database>(options.database, options.durability, database_mode(mode))),
      in_memory_(db_->in_memory()) {
    db_->set_max_bytes(options.max_database_bytes);
    try {
        own_conn_ = db_->connect(!db_->in_memory());
        own_reads_ = std::make_unique<sqlite_reads>(*own_conn_, *db_);
        if (mode_ != open_mode::reader) {
            // SQLite's owner holds the file lock for good, so a failed batch is never a lost ownership.
            writer_ = std::make_unique<writer>(
                *db_, options.clock,
                writer::callbacks{std::move(callbacks.committed),
                                  [failed = std::move(callbacks.failed)](std::uint64_t first, std::string message) {
                                      if (failed) failed(first, {commit_failure::kind::storage, std::move(message)});
                                  }});
        }
        reader_ = std::make_unique<reader>(*db_);
    } catch (const sql::sqlite_failure& f) {
        throw_storage(f, *db_, "opening");
    }
}

sqlite_store::~sqlite_store() { close(); }

key_block sqlite_store::reserve_run_keys() {
    if (!writer_) throw failed_precondition("database " + name_ + " was opened for reading only");
    // Keys handed out may not be committed yet: the largest stored key only starts the count.
    next_run_key_ = std::max(next_run_key_, own_reads_->max_run_key() + 1);
    return {std::exchange(next_run_key_, std::numeric_limits<std::int64_t>::max()),
            std::numeric_limits<std::int64_t>::max()};
}

std::uint64_t sqlite_store::append(std::vector<write_op>&& ops) {
    if (!writer_) throw failed_precondition("database " + name_ + " was opened for reading only");
    return writer_->append(std::move(ops));
}

bool sqlite_store::post_read(unique_function<void(store_reads&)> job) {
    return reader_->post([this, job = std::move(job)](sql::connection& c) mutable {
        sqlite_reads r(c, *db_);
        job(r);
    });
}

std::unique_ptr<store_reads> sqlite_store::snapshot() {
    try {
        return std::make_unique<sqlite_snapshot>(db_->connect(!db_->in_memory()), *db_);
    } catch (const sql::sqlite_failure& f) {
        throw_storage(f, *db_, "opening for reading");
    }
}

template <class F>
auto sqlite_store::as_sender(F&& f) -> decltype(f(std::declval<sql::connection&>())) {
    try {
        if (!inbox_conn_) inbox_conn_ = db_->connect(false);
        return f(*inbox_conn_);
    } catch (const sql::sqlite_failure& failure) {
        throw_storage(failure, *db_, "leaving a command for the running engine");
    }
}

std::int64_t sqlite_store::submit_command(const inbox_command& command, std::int64_t now_us, std::int64_t expires_us) {
    return as_sender([&](sql::connection& c) { return insert_command(c, now_us, expires_us, command); });
}

std::optional<inbox_status> sqlite_store::command_status(std::int64_t id) {
    return as_sender([&](sql::connection& c) { return read_command(c, id); });
}

bool sqlite_store::withdraw_command(std::int64_t id) {
    return as_sender([&](sql::connection& c) { return detail::withdraw_command(c, id); });
}

void sqlite_store::stop_writes() {
    if (writer_) writer_->stop();
}

void sqlite_store::close() {
    stop_writes();
    if (reader_) reader_->stop();
    own_reads_.reset();
    own_conn_.reset();
    inbox_conn_.reset();
    writer_.reset();
    db_.reset();   // drops the file lock (the reader stays, stopped: a read posted now is refused)
}

}   // namespace perdure::detail
