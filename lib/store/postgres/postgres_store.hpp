// The PostgreSQL store: a database (postgresql://...) behind the store interface. It checks or
// makes the schema, takes every shard's lease (one engine owns the data, as with SQLite, until
// the runtime learns to own shards one by one) or, when a live engine holds them, stands by to
// take them over, and runs the writer and reader threads, each on a connection of its own.
// Every libpq failure leaves as a perdure::error naming the database.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_reads.hpp"
#include "store/postgres/pg_writer.hpp"
#include "store/store.hpp"
#include "support/job_thread.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace perdure::detail {

/// What open_store leaves at its defaults; tests set them.
struct pg_store_config {
    int shard_count = 16;                                   ///< for a new database only
    std::chrono::milliseconds lease{30'000};                ///< a lease lasts this long unless renewed
    std::chrono::milliseconds reconnect_patience{30'000};   ///< a lost connection is retried this long
    std::string owner;                                      ///< this engine's name in the leases ("" : host:pid:random)
};

class postgres_store final : public store {
public:
    /// Opens `options.database` (a postgresql:// URI) as `mode` says; see open_store. Lease
    /// times come from `options.clock`.
    postgres_store(const engine_options& options, open_mode mode, commit_callbacks callbacks,
                   pg_store_config config = {});
    ~postgres_store() override;

    std::uint64_t append(std::vector<write_op>&& ops) override;
    void hold_batch() noexcept override {
        if (writer_) writer_->queue().hold();
    }
    void release_batch() noexcept override {
        if (writer_) writer_->queue().release();
    }
    [[nodiscard]] bool post_read(unique_function<void(store_reads&)> job) override;
    store_reads& reads() override { return *own_reads_; }
    /// A connection of its own inside one REPEATABLE READ, READ ONLY transaction.
    std::unique_ptr<store_reads> snapshot() override;
    std::int64_t submit_command(const inbox_command& command, std::int64_t now_us, std::int64_t expires_us) override;
    std::optional<inbox_status> command_status(std::int64_t id) override;
    bool withdraw_command(std::int64_t id) override;
    bool shares_tasks() const noexcept override { return true; }
    /// On the inbox session: one UPDATE ... FOR UPDATE SKIP LOCKED, returning each attempt with
    /// its schedule event and its run's ids.
    std::vector<claimed_task> claim_tasks(task_kind kind, std::int64_t ns_id, const std::string& task_queue,
                                          const std::vector<std::string>& types, const std::string& claimer,
                                          std::chrono::milliseconds claim_ttl, std::size_t limit) override;
    /// Blocks of 1,024 keys from the sequence perdure.run_key_blocks.
    key_block reserve_run_keys() override;
    void reserve_keys_above(std::int64_t largest_key) override;
    /// The highest epoch among the shards this store took at open (0 for a reader).
    std::uint64_t owner_epoch() const noexcept override { return epoch_.load(); }
    bool standing_by() const noexcept override { return standing_by_.load(); }
    /// Takes every shard once their owner is gone (acquire_all_shards), then starts the writer.
    bool take_ownership() override;
    std::string holder() const override { return standby_ ? standby_->holder : std::string{}; }
    /// Stops the writer (fenced, or handing the data over) and stands by under a new owner name
    /// (its liveness lock taken on a new connection), so that take_ownership() can take the
    /// shards again later.
    bool step_back() override;
    /// LISTENs on a connection of its own (pg_listener), to the channels of its role.
    bool listen(boost::asio::io_context& io, std::function<void(store_notice)> heard) override;
    void hear_closes(bool on) override;
    bool in_memory() const noexcept override { return false; }
    /// The URI with its password hidden.
    const std::string& name() const noexcept override { return name_; }
    bool created() const noexcept override { return created_; }
    std::uint64_t batches() const override {
        const auto* w = counted_writer_.load();
        return w ? w->batches() : 0;
    }
    std::chrono::microseconds committing_time() const override {
        const auto* w = counted_writer_.load();
        return w ? w->committing_time() : std::chrono::microseconds(0);
    }
    void stop_writes() override;
    void close() override;

    /// The shard count fixed when the database was created.
    int shard_count() const noexcept { return shard_count_; }

private:
    /// Whether this store's role acts on notices of `what`, and the channels that carry those.
    bool acts_on(store_notice::kind what) const;
    std::vector<std::string> channels() const;
    /// Runs `f` on the inbox session, turning a libpq failure into the sender's error.
    template <class F>
    auto as_sender(F&& f) -> decltype(f(std::declval<pg::connection&>()));

    std::string uri_;
    std::string name_;
    open_mode mode_;
    bool created_ = false;
    int shard_count_ = 0;
    std::atomic<std::uint64_t> epoch_{0};
    /// What a store standing by keeps to take the shards over later: its connection (holding
    /// its liveness lock) and its name in the leases.
    struct standby {
        std::unique_ptr<pg::connection> conn;   // null after it broke: the next try reconnects
        std::string owner;
        std::string server_started;   // at the open (server_start): a restart since is seen by its change
        std::string holder{};         // who held the data at the last try to take it
    };
    /// The name this store's next ownership goes by: config.owner (after a step back, followed
    /// by how many there were), or a fresh host:pid:random.
    std::string owner_name() const;
    /// Starts a writer on `conn` for the shards in `held`.
    void start_writer(held_leases held, std::unique_ptr<pg::connection> conn);
    std::string configured_owner_;
    int stepped_back_ = 0;
    pg_writer_config writer_config_;   // each writer's, copied
    commit_callbacks callbacks_;
    std::unique_ptr<standby> standby_;
    std::atomic<bool> standing_by_{false};
    std::atomic<bool> hears_closes_{false};      // hear_closes(): read on the listener's strand
    std::unique_ptr<pg::session> own_session_;   // the owner's thread's reads
    std::unique_ptr<pg_reads> own_reads_;
    std::unique_ptr<pg::session> inbox_session_;   // the sender's side of the inbox
    std::unique_ptr<pg::session> reader_session_;
    std::unique_ptr<pg_reads> reader_reads_;
    std::unique_ptr<job_thread<store_reads>> reader_;
    std::unique_ptr<pg_writer> writer_;   // none for a reader
    /// The writer, for the statistics any thread may ask for while take_ownership() sets it.
    std::atomic<const pg_writer*> counted_writer_{nullptr};
    std::unique_ptr<pg_listener> listener_;
};

}   // namespace perdure::detail
