// Group commit on PostgreSQL with the epoch fence, reconnect and retry. A batch is one round
// trip: BEGIN, the fence, every statement of its units and COMMIT in one pipeline.
// A batch is retried whole after a lost connection: the writer's progress row, written in the
// batch's own transaction, tells whether a COMMIT whose answer was lost went through, so no
// batch is applied twice, and the fence is checked again in the retried transaction.
#include "store/postgres/pg_writer.hpp"

#include "store/clock_us.hpp"
#include "store/postgres/pg_errors.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/shards.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

constexpr std::size_t max_ops_per_batch = 20'000;
constexpr int max_attempts = 10;
constexpr auto renewal_tick = std::chrono::seconds(1);
constexpr std::size_t max_cached_runs = 1'000'000;

/// Bytes on disk of perdure's tables with their indexes and TOAST, including what the
/// transaction that asks has written (files grow as pages are added, before any commit).
constexpr const char* size_sql =
    "SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'perdure' AND c.relkind = 'r'";

bool retryable(const pg::failure& f) {
    return f.connection_lost || f.sqlstate == "40001" || f.sqlstate == "40P01";   // serialization, deadlock
}

/// A batch that only claims or answers inbox commands need not wait for the server's flush:
/// - what a claim leads to (the command's change) is committed after it and waits for the
///   flush, which takes the claim's WAL with it;
/// - an answer reports a change whose commit was flushed before it was sent (or a query, which
///   changed nothing); a sender that reads it early reads the truth.
/// A server that crashes and loses one loses everything after it too, and the progress check on
/// reconnecting stops the writer: the next owner answers a command left claimed as abandoned.
bool flush_can_wait(const std::vector<write_queue::unit>& batch) {
    for (const auto& u : batch)
        for (const auto& op : u.ops)
            if (!std::holds_alternative<claim_inbox>(op) && !std::holds_alternative<finish_inbox>(op)) return false;
    return true;
}

}   // namespace

pg_writer::pg_writer(pg_writer_config config, held_leases held, std::unique_ptr<pg::connection> conn,
                     commit_callbacks callbacks)
    : config_(std::move(config)), held_(std::move(held)), conn_(std::move(conn)), cb_(std::move(callbacks)) {
    set_up(*conn_);
    thread_ = std::thread([this] { run(); });
}

pg_writer::~pg_writer() { stop(); }

std::uint64_t pg_writer::append(std::vector<write_op>&& ops) { return queue_.push(std::move(ops)); }

void pg_writer::stop() {
    queue_.request_stop();
    if (thread_.joinable()) thread_.join();
    if (conn_ && conn_->ok() && lost_.empty()) {
        try {
            release_leases(*conn_, held_);
        } catch (const pg::failure&) {
            // The leases expire on their own.
        }
    }
    conn_.reset();
}

std::uint64_t pg_writer::batches() const { return queue_.batches(); }

std::chrono::microseconds pg_writer::committing_time() const { return queue_.committing_time(); }

void pg_writer::run() {
    for (;;) {
        std::vector<write_queue::unit> batch;
        const auto next = queue_.wait(renewal_tick, batch, max_ops_per_batch);
        if (next == write_queue::next::stop) break;
        if (next == write_queue::next::batch) {
            if (!queue_.failed()) commit(batch);
            continue;
        }
        // Idle: keep the leases alive.
        if (queue_.failed() || !lost_.empty()) continue;
        try {
            renew_if_due(connected());
        } catch (const pg::failure&) {
            conn_.reset();   // tried again at the next tick or batch
        }
    }
}

void pg_writer::set_up(pg::connection& c) const {
    // The writer's statements find rows by key, so one plan fits every value. Left to choose,
    // the server planned the fence's query (shard_id = ANY(array)) again on every execution:
    // about 100 us of a step's 600.
    c.run("SET plan_cache_mode = force_generic_plan");
    if (!config_.synchronous) c.run("SET synchronous_commit = off");
}

pg::connection& pg_writer::connected() {
    if (!conn_ || !conn_->ok()) {
        conn_.reset();
        conn_ = pg::connect_with_backoff(config_.uri, "perdure writer", config_.reconnect_patience);
        set_up(*conn_);
        hold_liveness(*conn_, held_.owner);   // the old session's lock went with it
        progress_unchecked_ = true;
    }
    return *conn_;
}

void pg_writer::renew_if_due(pg::connection& c) {
    const auto now = clock_us(config_.clock);
    if (now < held_.expires_us - config_.lease_us * 2 / 3) return;
    if (!renew_leases(c, held_, now, config_.lease_us)) {
        lost_ = "another engine took over its shards after this engine's lease lapsed";
        return;
    }
    sweep_inbox_if_due(c, now);
}

void pg_writer::sweep_inbox_if_due(pg::connection& c, std::int64_t now) {
    if (!sweep_.due(now)) return;
    try {
        if (sweep_.below() > 0)
            c.exec(
                "DELETE FROM inbox WHERE id < $1::bigint AND state <> 'running' AND (state <> 'pending' OR expires < "
                "$2::bigint)",
                pg::params(sweep_.below(), now));
        sweep_.done(now, c.exec("SELECT COALESCE(max(id), 0) + 1 FROM inbox").int64(0, 0));
    } catch (const pg::failure& f) {
        if (f.connection_lost) throw;   // the batch or tick that renewed reconnects
    }
}

std::vector<std::int64_t> pg_writer::shards_of(pg::connection& c, const std::vector<write_queue::unit>& batch) {
    if (shard_of_run_.size() > max_cached_runs) shard_of_run_.clear();
    bool all = false;
    std::vector<std::int64_t> shards, unknown;
    for (const auto& u : batch)
        for (const auto& op : u.ops)
            if (const auto* e = std::get_if<insert_execution>(&op))
                shard_of_run_[e->run->run_key] = shard_of(e->run->ns_id, e->run->workflow_id, config_.shard_count);
    for (const auto& u : batch)
        for (const auto& op : u.ops) {
            if (writes_cluster_rows(op)) all = true;
            const auto key = run_key_of(op);
            if (!key) continue;
            if (const auto it = shard_of_run_.find(*key); it != shard_of_run_.end())
                shards.push_back(it->second);
            else
                unknown.push_back(*key);
        }
    if (!unknown.empty() && !all) {
        std::sort(unknown.begin(), unknown.end());
        unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
        auto r =
            c.exec("SELECT run_key, shard_id FROM executions WHERE run_key = ANY($1::bigint[])", pg::params(unknown));
        for (int i = 0; i < r.rows(); ++i) {
            shard_of_run_[r.int64(i, 0)] = r.int64(i, 1);
            shards.push_back(r.int64(i, 1));
        }
        // A run with no execution row belongs to no known shard: only holding them all is safe.
        all = r.rows() != static_cast<int>(unknown.size());
    }
    if (all) {
        shards.resize(static_cast<std::size_t>(config_.shard_count));
        for (std::size_t i = 0; i < shards.size(); ++i) shards[i] = static_cast<std::int64_t>(i);
        return shards;
    }
    std::sort(shards.begin(), shards.end());
    shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
    return shards;
}

std::uint64_t pg_writer::stored_progress(pg::connection& c) {
    auto r = c.exec("SELECT last_unit FROM writer_progress WHERE owner = $1", pg::params(held_.owner));
    return r.rows() == 1 ? static_cast<std::uint64_t>(r.int64(0, 0)) : 0;
}

void pg_writer::fail(std::uint64_t first, commit_failure failure) {
    queue_.fail();
    if (cb_.failed) cb_.failed(first, std::move(failure));
}

std::string pg_writer::send(pg::connection& c, const std::vector<write_queue::unit>& batch, std::int64_t& size) {
    const auto shards = shards_of(c, batch);   // before BEGIN: a run's shard never changes
    std::vector<pg::statement> statements{{"BEGIN", {}}, fence_statement(held_, shards)};
    if (config_.synchronous && flush_can_wait(batch)) statements.push_back({"SET LOCAL synchronous_commit = off", {}});
    // The batch's events go into the history in one statement, where its first one was. Nothing
    // before it in the batch reads the history, and nothing after it could be harmed by finding
    // a later event already there: no op reads a run's history but its close, which follows all
    // of that run's events, and a deletion only ever takes a closed run's.
    std::vector<const insert_event*> events;
    std::size_t events_at = 0;
    for (const auto& u : batch)
        for (const auto& op : u.ops) {
            if (const auto* e = std::get_if<insert_event>(&op)) {
                if (events.empty()) {
                    events_at = statements.size();
                    statements.emplace_back();
                }
                events.push_back(e);
            } else {
                pg_statements(op, config_.shard_count, statements);
            }
        }
    if (!events.empty()) statements[events_at] = pg_history_rows(events);
    statements.push_back(
        {"INSERT INTO writer_progress(owner, last_unit) VALUES ($1, $2::bigint) "
         "ON CONFLICT (owner) DO UPDATE SET last_unit = EXCLUDED.last_unit",
         pg::params(held_.owner, static_cast<std::int64_t>(batch.back().seq))});
    if (config_.max_bytes == 0)
        statements.push_back({"COMMIT", {}});
    else   // with a cap, the size after the batch decides between COMMIT and rollback
        statements.push_back({size_sql, {}, [&size](const pg::result& r) { size = r.int64(0, 0); }});
    try {
        c.exec_all(statements);
    } catch (const pg::failure& f) {
        auto refusal = fence_refusal(f);
        if (!refusal) throw;
        return std::move(*refusal);
    }
    return {};
}

void pg_writer::commit(std::vector<write_queue::unit>& batch) {
    const std::uint64_t first = batch.front().seq, last = batch.back().seq;
    const auto began = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        bool connecting = true;   // connected() already waited out its patience: no more tries
        try {
            auto& c = connected();
            connecting = false;
            if (progress_unchecked_) {
                const auto progress = stored_progress(c);
                const auto acknowledged = queue_.committed();
                progress_unchecked_ = false;
                // An engine that took the shards over deleted this writer's progress row: no data
                // was lost then, the shards were.
                if (progress < acknowledged && lost_.empty() && !still_holds(c, held_))
                    lost_ = "another engine took over its shards while its connection was down";
                if (progress < acknowledged && lost_.empty()) {
                    fail(first, {commit_failure::kind::storage,
                                 "database " + config_.name + ": the server lost units " +
                                     std::to_string(progress + 1) + " to " + std::to_string(acknowledged) +
                                     ", which it had reported committed (it crashed, or was restored from a backup, "
                                     "before flushing commits made without waiting for the flush); this engine "
                                     "stops: reopen the database to recover what the server kept"});
                    return;
                }
                if (progress >= last) break;   // the COMMIT whose answer was lost went through
            }
            if (lost_.empty()) renew_if_due(c);
            std::string moved = lost_;
            if (moved.empty()) {
                pg::transaction tx(c, pg::begun_in_pipeline);
                std::int64_t size = 0;
                moved = send(c, batch, size);
                if (moved.empty()) {
                    if (config_.max_bytes == 0) {
                        tx.committed();
                        break;
                    }
                    if (static_cast<std::uint64_t>(size) <= config_.max_bytes) {
                        tx.commit();
                        break;
                    }
                    fail(first,
                         {commit_failure::kind::storage,
                          "database " + config_.name + ": committing a batch: perdure's tables would reach " +
                              std::to_string(size) + " bytes, over engine_options::max_database_bytes (" +
                              std::to_string(config_.max_bytes) + "); nothing from unit " + std::to_string(first) +
                              " on was written; raise the cap or let retention free space, then reopen the "
                              "database"});
                    return;   // tx rolls the batch back
                }
            }
            lost_ = moved;
            fail(first, {commit_failure::kind::ownership_lost,
                         "database " + config_.name + ": another engine owns this engine's data now (" + moved +
                             "); nothing from unit " + std::to_string(first) + " on was written"});
            return;
        } catch (const pg::failure& f) {
            if (retryable(f) && !connecting && attempt < max_attempts) {
                if (f.connection_lost) conn_.reset();
                continue;
            }
            auto message = pg_message(f, config_.name, "committing a batch", config_.opened_as);
            if (f.connection_lost)
                message += " (units from " + std::to_string(first) +
                           " on were not acknowledged; the engine stops, and a reopen recovers what committed)";
            fail(first, {commit_failure::kind::storage, std::move(message)});
            return;
        }
    }
    queue_.committed_through(last, std::chrono::steady_clock::now() - began);
    if (cb_.committed) cb_.committed(last);
}

}   // namespace perdure::detail
