// The PostgreSQL store wired together: schema, leases, writer, reader, snapshots and the
// sender's side of the inbox. libpq failures stop here and leave as perdure errors.
#include "store/postgres/postgres_store.hpp"

#include "store/clock_us.hpp"
#include "store/inbox_json.hpp"
#include "store/postgres/pg_errors.hpp"
#include "store/postgres/pg_schema.hpp"

#include <perdure/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <functional>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include <unistd.h>

namespace perdure::detail {
namespace {

/// Reads on a connection of their own, inside one REPEATABLE READ transaction held for their life.
class pg_snapshot final : public pg_reads {
public:
    pg_snapshot(std::unique_ptr<pg::session> s, const std::string& name, open_mode opened_as)
        : pg_reads(*s, name, opened_as),
          session_(std::move(s)),
          tx_(session_->get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {}

private:
    std::unique_ptr<pg::session> session_;
    pg::transaction tx_;
};

/// host:pid:random, unique among the engines sharing a database.
std::string default_owner() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::random_device rd;
    char nonce[17];
    std::snprintf(nonce, sizeof nonce, "%08x%08x", rd(), rd());
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + nonce;
}

/// Takes the shards. A process killed a moment ago may still hold its liveness lock while its
/// server session notices the closed socket, so a refusal is retried for a second before it
/// stands: a supervisor restarting a crashed engine gets in at once. For the CLI's opens
/// (`!engine`), a holder still running on this host is alive: its refusal stands at once, and
/// the CLI sends its command to it without waiting. An engine's open waits the second: a standby
/// takes over only once started, so an owner on its way out (shutting down) would leave the
/// calls an engine makes before start() with nobody to answer them.
held_leases acquire_from_dead_or_expired(pg::connection& c, const std::string& owner,
                                         const std::shared_ptr<perdure::clock>& clock, std::int64_t lease_us,
                                         const std::string& name, bool engine) {
    constexpr std::chrono::milliseconds patience{1000}, pause{50};
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        try {
            return acquire_all_shards(c, owner, clock_us(clock), lease_us, name);
        } catch (const shard_held& held) {
            if ((!engine && runs_on_this_host(held.holder)) || std::chrono::steady_clock::now() >= give_up) throw;
            std::this_thread::sleep_for(pause);
        }
    }
}

}   // namespace

postgres_store::postgres_store(const engine_options& options, open_mode mode, commit_callbacks callbacks,
                               pg_store_config config)
    : uri_(options.database), name_(pg::redacted(options.database)), mode_(mode) {
    const auto clock = options.clock ? options.clock : system_clock();
    const auto lease_us = std::chrono::duration_cast<std::chrono::microseconds>(config.lease).count();
    try {
        // The first connection makes or checks the schema, takes the leases and becomes the writer's.
        auto conn = std::make_unique<pg::connection>(uri_, "perdure writer");
        const auto schema = open_schema(*conn, mode, config.shard_count, clock_us(clock), name_);
        created_ = schema.created;
        shard_count_ = schema.shard_count;
        own_session_ = std::make_unique<pg::session>(uri_, "perdure", true);
        own_reads_ = std::make_unique<pg_reads>(*own_session_, name_, mode_);
        if (mode_ != open_mode::reader) {
            configured_owner_ = config.owner;
            const auto owner = owner_name();
            hold_liveness(*conn, owner);
            writer_config_ = {.uri = uri_,
                              .name = name_,
                              .opened_as = mode_,
                              .shard_count = shard_count_,
                              .lease_us = lease_us,
                              .reconnect_patience = config.reconnect_patience,
                              .clock = clock,
                              .synchronous = options.durability == durability::full,
                              .max_bytes = options.max_database_bytes};
            callbacks_ = std::move(callbacks);
            // An engine beside a live one stands by, and one told to stand by always does; the
            // CLI's opens need the data now.
            std::optional<held_leases> held;
            if (mode_ != open_mode::owner || !options.stand_by) try {
                    held =
                        acquire_from_dead_or_expired(*conn, owner, clock, lease_us, name_, mode_ == open_mode::owner);
                } catch (const database_locked&) {
                    if (mode_ != open_mode::owner) throw;
                }
            if (held) {
                start_writer(std::move(*held), std::move(conn));
            } else {
                auto started = server_start(*conn);
                standby_.reset(new standby{std::move(conn), owner, std::move(started)});
                standing_by_ = true;
            }
        }
        reader_session_ = std::make_unique<pg::session>(uri_, "perdure reader", true);
        reader_reads_ = std::make_unique<pg_reads>(*reader_session_, name_, mode_);
        reader_ = std::make_unique<job_thread<store_reads>>(*reader_reads_);
    } catch (const pg::failure& f) {
        throw_pg(f, name_, "opening", mode_);
    }
}

postgres_store::~postgres_store() { close(); }

std::string postgres_store::owner_name() const {
    if (configured_owner_.empty()) return default_owner();
    return stepped_back_ == 0 ? configured_owner_ : configured_owner_ + "." + std::to_string(stepped_back_);
}

void postgres_store::start_writer(held_leases held, std::unique_ptr<pg::connection> conn) {
    epoch_ = static_cast<std::uint64_t>(held.max_epoch());
    writer_ = std::make_unique<pg_writer>(writer_config_, std::move(held), std::move(conn), callbacks_);
    counted_writer_ = writer_.get();
}

bool postgres_store::take_ownership() {
    if (!standing_by_) return true;
    try {
        if (!standby_->conn) {
            standby_->conn = std::make_unique<pg::connection>(uri_, "perdure writer");
            hold_liveness(*standby_->conn, standby_->owner);
        }
        auto held = acquire_all_shards(*standby_->conn, standby_->owner, clock_us(writer_config_.clock),
                                       writer_config_.lease_us, name_, standby_->server_started);
        start_writer(std::move(held), std::move(standby_->conn));
    } catch (const shard_held& held) {
        standby_->holder = held.holder;
        return false;
    } catch (const database_locked&) {
        return false;
    } catch (const pg::failure& f) {
        standby_->conn.reset();   // its liveness lock may be gone with it: taken again on reconnect
        throw_pg(f, name_, "taking over from the engine that owned it", mode_);
    }
    standby_.reset();
    standing_by_ = false;
    if (listener_) listener_->listen_to(channels());
    return true;
}

bool postgres_store::step_back() {
    if (standing_by_ || !writer_ || mode_ != open_mode::owner) return false;
    // The writer commits what is queued and gives up the leases it still holds (a fenced one
    // holds none: they are another engine's), and its connection, with the old name's liveness
    // lock, goes with it.
    counted_writer_ = nullptr;
    writer_->stop();
    writer_.reset();
    epoch_ = 0;
    ++stepped_back_;
    auto next = std::make_unique<standby>(standby{nullptr, owner_name(), {}});
    try {
        next->conn = std::make_unique<pg::connection>(uri_, "perdure writer");
        hold_liveness(*next->conn, next->owner);
        next->server_started = server_start(*next->conn);
    } catch (const pg::failure&) {
        next->conn.reset();   // the server is away: take_ownership() connects again
    }
    standby_ = std::move(next);
    standing_by_ = true;
    if (listener_) listener_->listen_to(channels());
    return true;
}

std::uint64_t postgres_store::append(std::vector<write_op>&& ops) {
    if (!writer_) throw failed_precondition("database " + name_ + " was opened for reading only");
    return writer_->append(std::move(ops));
}

key_block postgres_store::reserve_run_keys() {
    if (!writer_) throw failed_precondition("database " + name_ + " was opened for reading only");
    return own_reads_->reserve_run_keys();
}

void postgres_store::reserve_keys_above(std::int64_t largest_key) {
    if (!writer_) throw failed_precondition("database " + name_ + " was opened for reading only");
    own_reads_->reserve_keys_above(largest_key);
}

bool postgres_store::post_read(unique_function<void(store_reads&)> job) { return reader_->post(std::move(job)); }

std::unique_ptr<store_reads> postgres_store::snapshot() {
    try {
        return std::make_unique<pg_snapshot>(std::make_unique<pg::session>(uri_, "perdure snapshot", false), name_,
                                             mode_);
    } catch (const pg::failure& f) {
        throw_pg(f, name_, "opening for reading", mode_);
    }
}

template <class F>
auto postgres_store::as_sender(F&& f) -> decltype(f(std::declval<pg::connection&>())) {
    try {
        if (!inbox_session_) inbox_session_ = std::make_unique<pg::session>(uri_, "perdure inbox", true);
        return inbox_session_->with(f);
    } catch (const pg::failure& failure) {
        throw_pg(failure, name_, "leaving a command for the running engine", mode_);
    }
}

namespace {

/// Runs one statement in a transaction of its own that does not wait for the server's flush.
void exec_unflushed(pg::connection& c, std::string sql, pg::params values,
                    std::function<void(const pg::result&)> on_result) {
    pg::transaction tx(c, pg::begun_in_pipeline);
    c.exec_all({{"BEGIN", {}},
                {"SET LOCAL synchronous_commit = off", {}},
                {std::move(sql), std::move(values), std::move(on_result)},
                {"COMMIT", {}}});
    tx.committed();
}

}   // namespace

std::int64_t postgres_store::submit_command(const inbox_command& command, std::int64_t now_us,
                                            std::int64_t expires_us) {
    const auto text = stored_command(command);
    bool again = false;
    return as_sender([&](pg::connection& c) {
        if (std::exchange(again, true)) {
            // The first try's connection was lost, perhaps after its insert committed: a command
            // left twice would be applied twice.
            auto r =
                c.exec("SELECT id FROM inbox WHERE created = $1::bigint AND command = $2", pg::params(now_us, text));
            if (r.rows() == 1) return r.int64(0, 0);
        }
        // The insert need not wait for the server's flush: the owner's change waits for it, and
        // so flushes the command too. A command the server loses in a crash was applied by
        // nobody, and its sender reads that it disappeared.
        std::int64_t id = 0;
        exec_unflushed(c,
                       "INSERT INTO inbox(created, expires, command) VALUES ($1::bigint, $2::bigint, $3) "
                       "RETURNING id, pg_notify('perdure_inbox', '')",
                       pg::params(now_us, expires_us, text), [&id](const pg::result& r) { id = r.int64(0, 0); });
        return id;
    });
}

std::optional<inbox_status> postgres_store::command_status(std::int64_t id) {
    return as_sender([&](pg::connection& c) -> std::optional<inbox_status> {
        auto r = c.exec("SELECT command, state, result FROM inbox WHERE id = $1::bigint", pg::params(id));
        if (r.rows() == 0) return std::nullopt;
        return stored_status(r.text(0, 0), r.text(0, 1), r.text(0, 2));
    });
}

std::vector<claimed_task> postgres_store::claim_tasks(task_kind kind, std::int64_t ns_id, const std::string& task_queue,
                                                      const std::vector<std::string>& types, const std::string& claimer,
                                                      std::chrono::milliseconds claim_ttl, std::size_t limit) {
    boost::json::array names;
    for (const auto& t : types) names.emplace_back(t);
    pg::params params(ns_id, task_queue, boost::json::serialize(names), static_cast<std::int64_t>(limit),
                      static_cast<int>(kind));
    // An activity's claim stamps the offer until the owner records the start, and a workflow
    // task's until the owner records what it did; a Nexus attempt's takes it away. The rest of
    // the statement is the same.
    std::string claim = "DELETE FROM queue_tasks q USING ";
    if (kind == task_kind::activity || kind == task_kind::workflow) {
        claim =
            "UPDATE queue_tasks q SET claimed_by = $6, "
            "claim_expires = clock_timestamp() + LEAST($7::bigint, COALESCE(q.claim_ms, $7::bigint)) * interval '1 ms' "
            "FROM ";
        params.add(claimer).add(static_cast<std::int64_t>(claim_ttl.count()));
    }
    claim +=
        "(SELECT run_key, seq FROM queue_tasks WHERE ns_id = $1::bigint AND task_queue = $2 "
        "AND kind = $5::integer AND task_type IN (SELECT json_array_elements_text($3::json)) "
        "AND (claimed_by = '' OR claim_expires < clock_timestamp()) "
        "ORDER BY offered LIMIT $4::bigint FOR UPDATE SKIP LOCKED) c, executions e "
        "WHERE q.run_key = c.run_key AND q.seq = c.seq AND e.run_key = q.run_key "
        "RETURNING q.run_key, q.seq, q.attempt, q.details, "
        "(SELECT attrs FROM history h WHERE h.run_key = q.run_key AND h.event_id = q.seq), "
        "e.workflow_id, e.run_id, e.ns_id";
    return as_sender([&](pg::connection& c) {
        std::vector<claimed_task> claimed;
        const auto took = [&](const pg::result& r) {
            for (int i = 0; i < r.rows(); ++i)
                claimed.push_back({r.int64(i, 0), r.int64(i, 1), ns_id, static_cast<int>(r.int64(i, 2)),
                                   std::string(r.text(i, 4)), std::string(r.text(i, 5)), std::string(r.text(i, 6)),
                                   std::string(r.text(i, 3)), task_queue, r.int64(i, 7)});
        };
        // The claim need not wait for the server's flush. What the claimer does with the attempt
        // reaches the owner as a command, whose change waits for the flush and so flushes the
        // claim too; a claim lost in a server crash leaves the attempt to be claimed again, as
        // an expired claim does.
        exec_unflushed(c, claim, params, took);
        return claimed;
    });
}

bool postgres_store::withdraw_command(std::int64_t id) {
    return as_sender([&](pg::connection& c) {
        return c.exec("UPDATE inbox SET state = 'withdrawn' WHERE id = $1::bigint AND state = 'pending'",
                      pg::params(id))
                   .affected() == 1;
    });
}

bool postgres_store::acts_on(store_notice::kind what) const {
    // An owner closing thousands of runs a second is neither woken for each nor makes the server
    // deliver them, nor is a standby that waits for no result. An owner takes commands; a standby
    // (or a reader) waits for what it sent them about, keeps the registries and claims offered
    // tasks. Both hear answers: a standby that just took over may still wait for the answer to a
    // command it sent before.
    using kind = store_notice::kind;
    if (what == kind::missed || what == kind::answered) return true;
    if (mode_ != open_mode::reader && !standing_by_) return what == kind::inbox;
    return (what == kind::closed && hears_closes_) || what == kind::registry || what == kind::tasks;
}

void postgres_store::hear_closes(bool on) {
    if (hears_closes_.exchange(on) != on && listener_) listener_->listen_to(channels());
}

std::vector<std::string> postgres_store::channels() const {
    using kind = store_notice::kind;
    std::vector<std::string> out;
    for (const auto what : {kind::inbox, kind::answered, kind::closed, kind::registry, kind::tasks})
        if (acts_on(what)) out.emplace_back(pg_channel::of(what));
    return out;
}

bool postgres_store::listen(boost::asio::io_context& io, std::function<void(store_notice)> heard) {
    // Notices sent before a change of role may still arrive on the channels it left.
    listener_ = std::make_unique<pg_listener>(io, uri_, channels(), [this, heard = std::move(heard)](store_notice n) {
        if (acts_on(n.what)) heard(n);
    });
    return true;
}

void postgres_store::stop_writes() {
    if (writer_) writer_->stop();
}

void postgres_store::close() {
    listener_.reset();
    stop_writes();
    standby_.reset();
    if (reader_) reader_->stop();   // kept, stopped: a read posted now is refused
    counted_writer_ = nullptr;
    writer_.reset();
    reader_reads_.reset();
    reader_session_.reset();
    own_reads_.reset();
    own_session_.reset();
    inbox_session_.reset();
}

}   // namespace perdure::detail
