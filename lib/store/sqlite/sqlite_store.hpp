// The SQLite store: one file (or an in-memory database) behind the store interface. It owns the
// file lock, the writer and reader threads and a connection for the owner's thread, and turns
// every SQLite failure into the perdure::error that says what to do.
#pragma once

#include "store/sqlite/database.hpp"
#include "store/sqlite/reader.hpp"
#include "store/sqlite/writer.hpp"
#include "store/store.hpp"

#include <memory>
#include <string>
#include <utility>

namespace perdure::detail {

/// The reads of the store interface on one SQLite connection (the caller's thread only).
class sqlite_reads : public store_reads {
public:
    /// `db` names the file, and its open mode the remedy, in error messages; both must outlive this object.
    sqlite_reads(sql::connection& c, const database& db) noexcept : c_(c), db_(db) {}

    std::vector<namespace_row> namespaces() override;
    std::int64_t max_namespace_id() override;
    std::vector<std::int64_t> runs_of_deleted_namespaces(std::size_t limit) override;
    std::vector<endpoint_row> endpoints() override;
    std::int64_t max_run_key() override;
    void open_runs(const std::function<void(open_run_row)>& each) override;
    std::vector<event> history(std::int64_t run_key, std::int64_t first_event_id) override;
    std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) override;
    std::optional<event> last_event(std::int64_t run_key) override;
    std::int64_t history_length(std::int64_t run_key) override;
    std::vector<task_row> tasks() override;
    std::vector<deadline_row> deadlines() override;
    std::int64_t min_task_seq() override;
    std::optional<execution_row> find_run(std::string_view run_id) override;
    std::optional<execution_row> find_run(std::int64_t run_key) override;
    std::optional<execution_row> find_latest_run(std::int64_t ns_id, std::string_view workflow_id) override;
    std::vector<execution_row> list_runs(std::int64_t ns_id, std::optional<run_status>, std::size_t limit,
                                         std::int64_t before_run_key) override;
    std::int64_t count_open_runs(std::int64_t ns_id) override;
    run_page query_runs(std::int64_t ns_id, const visibility_query& q, const std::vector<sort_value>& after,
                        std::size_t limit) override;
    std::vector<std::pair<int, std::int64_t>> count_runs(std::int64_t ns_id, const visibility_query& q,
                                                         bool by_status) override;
    std::vector<std::int64_t> expired_runs(std::int64_t ns_id, std::int64_t before_us, std::size_t limit) override;
    std::vector<pending_command> pending_commands(std::int64_t now_us, std::size_t limit) override;
    std::vector<std::int64_t> abandoned_commands() override;

private:
    template <class F>
    auto guarded(const char* doing, F&& f) -> decltype(f());

    sql::connection& c_;
    const database& db_;
};

class sqlite_store final : public store {
public:
    /// Opens the file, taking its lock unless `mode` is reader; see open_store.
    sqlite_store(const engine_options& options, open_mode mode, commit_callbacks callbacks);
    ~sqlite_store() override;

    std::uint64_t append(std::vector<write_op>&& ops) override;
    void hold_batch() noexcept override {
        if (writer_) writer_->queue().hold();
    }
    void release_batch() noexcept override {
        if (writer_) writer_->queue().release();
    }
    [[nodiscard]] bool post_read(unique_function<void(store_reads&)> job) override;
    store_reads& reads() override { return *own_reads_; }
    /// A read-only connection of its own inside one read transaction.
    std::unique_ptr<store_reads> snapshot() override;
    std::int64_t submit_command(const inbox_command& command, std::int64_t now_us, std::int64_t expires_us) override;
    std::optional<inbox_status> command_status(std::int64_t id) override;
    bool withdraw_command(std::int64_t id) override;
    /// The flock is held for the store's life: one block, every key above the largest stored.
    key_block reserve_run_keys() override;
    void reserve_keys_above(std::int64_t) override {}
    /// The flock is held for the store's life, so the epoch is fixed and no batch checks it.
    std::uint64_t owner_epoch() const noexcept override { return mode_ == open_mode::reader ? 0 : 1; }
    bool in_memory() const noexcept override { return in_memory_; }
    const std::string& name() const noexcept override { return name_; }
    bool created() const noexcept override { return db_ && db_->created(); }
    std::uint64_t batches() const override { return writer_ ? writer_->batches() : 0; }
    std::chrono::microseconds committing_time() const override {
        return writer_ ? writer_->committing_time() : std::chrono::microseconds(0);
    }
    void stop_writes() override;
    void close() override;

private:
    /// Runs `f` on the inbox connection, turning a SQLite failure into the sender's error.
    template <class F>
    auto as_sender(F&& f) -> decltype(f(std::declval<sql::connection&>()));

    open_mode mode_;
    std::string name_;
    std::unique_ptr<database> db_;
    bool in_memory_ = false;
    std::unique_ptr<sql::connection> own_conn_;   // the owner's thread's reads
    std::unique_ptr<sqlite_reads> own_reads_;
    // The sender's side of the inbox: a writable connection, made on first use. No owner lock is
    // needed, since SQLite's own locking orders these one-row writes with the owner's batches.
    std::unique_ptr<sql::connection> inbox_conn_;
    std::unique_ptr<writer> writer_;   // none for a reader
    std::unique_ptr<reader> reader_;
    std::int64_t next_run_key_ = 0;   // above every key handed out (0: none yet)
};

}   // namespace perdure::detail
