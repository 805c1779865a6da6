// Lease statements: take all shards, renew, release, and the per-batch fence.
#include "store/postgres/shard_leases.hpp"

#include "store/rows.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>

#include <signal.h>
#include <unistd.h>

namespace perdure::detail {

std::int64_t held_leases::max_epoch() const noexcept {
    return epochs.empty() ? 0 : *std::max_element(epochs.begin(), epochs.end());
}

namespace {

// Advisory lock keys: a class of perdure's own ("pdur") and a 32-bit FNV-1a hash of the owner.
constexpr std::int64_t liveness_class = 0x70647572;

std::int64_t liveness_key(std::string_view owner) {
    std::uint32_t h = 2166136261u;
    for (const unsigned char ch : owner) h = (h ^ ch) * 16777619u;
    return static_cast<std::int32_t>(h);
}

/// True when no session holds `holder`'s liveness lock: its engine's process is gone.
bool owner_is_gone(pg::connection& c, std::string_view holder) {
    const pg::params key(liveness_class, liveness_key(holder));
    if (c.exec("SELECT pg_try_advisory_lock($1::integer, $2::integer)", key).text(0, 0) != "t") return false;
    c.exec("SELECT pg_advisory_unlock($1::integer, $2::integer)", key);
    return true;
}

}   // namespace

bool runs_on_this_host(std::string_view holder) {
    const auto host_end = holder.find(':');
    if (host_end == std::string_view::npos) return false;
    const auto pid_end = holder.find(':', host_end + 1);
    if (pid_end == std::string_view::npos) return false;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    if (holder.substr(0, host_end) != host) return false;
    pid_t pid = 0;
    const auto digits = holder.substr(host_end + 1, pid_end - host_end - 1);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), pid).ptr != digits.data() + digits.size() ||
        pid <= 0 || ::kill(pid, 0) != 0)
        return false;
    // A killed process its parent has not reaped yet still has a pid: a zombie is not running.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto state_at = line.rfind(')');
    return state_at == std::string::npos || state_at + 2 >= line.size() || line[state_at + 2] != 'Z';
}

bool hold_liveness(pg::connection& c, const std::string& owner) {
    return c.exec("SELECT pg_try_advisory_lock($1::integer, $2::integer)",
                  pg::params(liveness_class, liveness_key(owner)))
               .text(0, 0) == "t";
}

std::string server_start(pg::connection& c) {
    return std::string(c.exec("SELECT pg_postmaster_start_time()::text").text(0, 0));
}

namespace {

constexpr const char* leases_sql =
    "SELECT shard_id, owner, expires_at, pg_postmaster_start_time()::text, "
    "clock_timestamp() < pg_postmaster_start_time() + $1::integer * interval '1 s' "
    "FROM shard_leases ORDER BY shard_id";

/// Throws shard_held unless `owner` may take every lease in `rows` (the leases_sql columns).
void check_takeable(pg::connection& c, const pg::result& rows, const std::string& owner, std::int64_t now_us,
                    const std::string& name, std::string_view started_at_open) {
    const bool free_lock_means_gone =
        started_at_open.empty() || rows.rows() == 0 || rows.text(0, 3) == started_at_open || rows.text(0, 4) != "t";
    for (int i = 0; i < rows.rows(); ++i) {
        const auto holder = rows.text(i, 1);
        const auto expires = rows.int64(i, 2);
        if (!holder.empty() && holder != owner && expires > now_us &&
            !(free_lock_means_gone && owner_is_gone(c, holder)))
            throw shard_held("database " + name + " is in use by another perdure engine (" + std::string(holder) +
                                 " holds shard " + std::string(rows.text(i, 0)) + " for another " +
                                 std::to_string((expires - now_us + 999'999) / 1'000'000) +
                                 " s); an engine opened beside it stands by and takes over when it stops, and the CLI "
                                 "sends its commands to it; for maintenance, stop it first",
                             std::string(holder));
    }
}

}   // namespace

held_leases acquire_all_shards(pg::connection& c, const std::string& owner, std::int64_t now_us, std::int64_t lease_us,
                               const std::string& name, std::string_view started_at_open) {
    const pg::params params(restart_grace_seconds);
    // A look without locks first. A standby asks every 200 ms, and locking the rows would wait
    // for the owner's batch in flight, then hold up the owner's next batches behind it, whose
    // fences lock the same rows to share: under load that stalled the owner's writer for a
    // commit on each standby's every tick.
    check_takeable(c, c.exec(leases_sql, params), owner, now_us, name, started_at_open);
    pg::transaction tx(c);
    auto rows = c.exec(std::string(leases_sql) + " FOR UPDATE", params);
    check_takeable(c, rows, owner, now_us, name, started_at_open);
    held_leases held{owner, std::vector<std::int64_t>(static_cast<std::size_t>(rows.rows())), now_us + lease_us};
    auto taken = c.exec(
        "UPDATE shard_leases SET owner = $1, epoch = epoch + 1, expires_at = $2::bigint "
        "RETURNING shard_id, epoch",
        pg::params(owner, held.expires_us));
    for (int i = 0; i < taken.rows(); ++i) {
        const auto shard = static_cast<std::size_t>(taken.int64(i, 0));
        if (shard < held.epochs.size()) held.epochs[shard] = taken.int64(i, 1);
    }
    // Progress rows of writers that hold nothing any more (stopped or crashed engines).
    c.run("DELETE FROM writer_progress WHERE owner NOT IN (SELECT owner FROM shard_leases)");
    // Queries the owners before offered: their callers waited in those owners' memory, and were
    // answered when the data moved, or are gone with a crashed process.
    c.exec("DELETE FROM queue_tasks WHERE kind = $1::integer", pg::params(static_cast<int>(task_kind::query)));
    tx.commit();
    return held;
}

namespace {

pg::params held_rows(const held_leases& held) {
    std::vector<std::int64_t> shards(held.epochs.size());
    for (std::size_t i = 0; i < shards.size(); ++i) shards[i] = static_cast<std::int64_t>(i);
    pg::params p;
    p.add(held.owner).add(shards).add(held.epochs);
    return p;
}

}   // namespace

bool renew_leases(pg::connection& c, held_leases& held, std::int64_t now_us, std::int64_t lease_us) {
    pg::transaction tx(c);
    auto p = held_rows(held);
    p.add(now_us + lease_us);
    auto r = c.exec(
        "UPDATE shard_leases l SET expires_at = $4::bigint "
        "FROM unnest($2::integer[], $3::bigint[]) AS h(shard_id, epoch) "
        "WHERE l.shard_id = h.shard_id AND l.epoch = h.epoch AND l.owner = $1",
        p);
    if (r.affected() != static_cast<std::int64_t>(held.epochs.size())) return false;   // rolled back
    tx.commit();
    held.expires_us = now_us + lease_us;
    return true;
}

bool still_holds(pg::connection& c, const held_leases& held) {
    auto r = c.exec(
        "SELECT count(*) FROM shard_leases l, unnest($2::integer[], $3::bigint[]) AS h(shard_id, epoch) "
        "WHERE l.shard_id = h.shard_id AND l.epoch = h.epoch AND l.owner = $1",
        held_rows(held));
    return r.int64(0, 0) == static_cast<std::int64_t>(held.epochs.size());
}

void release_leases(pg::connection& c, const held_leases& held) {
    pg::transaction tx(c);
    c.exec(
        "UPDATE shard_leases l SET owner = '', expires_at = 0 "
        "FROM unnest($2::integer[], $3::bigint[]) AS h(shard_id, epoch) "
        "WHERE l.shard_id = h.shard_id AND l.epoch = h.epoch AND l.owner = $1",
        held_rows(held));
    c.exec("DELETE FROM writer_progress WHERE owner = $1", pg::params(held.owner));
    tx.commit();
}

pg::statement fence_statement(const held_leases& held, const std::vector<std::int64_t>& shards) {
    std::vector<std::int64_t> epochs;
    epochs.reserve(shards.size());
    for (const auto shard : shards) {
        const auto i = static_cast<std::size_t>(shard);
        epochs.push_back(i < held.epochs.size() ? held.epochs[i] : 0);   // 0: never held, always refused
    }
    // The check is plain SQL; only a refusal runs PL/pgSQL, to raise (a CASE calls a volatile
    // function only for the branch taken, and an aggregate's FILTER skips the other rows).
    return {
        "WITH held AS ("
        "SELECT l.shard_id, l.owner, l.epoch, h.epoch AS held_epoch FROM perdure.shard_leases l "
        "JOIN unnest($2::integer[], $3::bigint[]) AS h(shard_id, epoch) ON h.shard_id = l.shard_id "
        "ORDER BY l.shard_id FOR SHARE OF l) "
        "SELECT CASE WHEN count(*) <> cardinality($2::integer[]) OR bool_or(owner <> $1 OR epoch <> held_epoch) "
        "THEN perdure.fence_refused(COALESCE(min(format('shard %s moved to %s at epoch %s (this engine held "
        "epoch %s)', shard_id, CASE WHEN owner = '' THEN 'no engine' ELSE 'engine ' || owner END, epoch, "
        "held_epoch)) FILTER (WHERE owner <> $1 OR epoch <> held_epoch), 'a shard''s lease row is missing')) "
        "END FROM held",
        pg::params(held.owner, shards, epochs)};
}

std::optional<std::string> fence_refusal(const pg::failure& f) {
    if (f.sqlstate != "PDF01") return std::nullopt;   // raised by perdure.fence_refused (pg_schema.cpp)
    return f.primary;
}

}   // namespace perdure::detail
