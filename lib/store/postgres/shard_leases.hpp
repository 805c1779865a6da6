// Shard ownership in the database: one lease row per shard with its owner, epoch and expiry.
// Taking a shard raises its epoch; every batch checks the epochs it was appended under inside
// its own transaction (the fence), so an engine that lost a shard never writes to it again.
// Times are the caller's (the engine's clock), so tests drive expiry without sleeping.
#pragma once

#include "store/postgres/pg_connection.hpp"

#include <perdure/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

/// The leases one store holds.
struct held_leases {
    std::string owner;                  ///< this store's owner name (host, process, a random part)
    std::vector<std::int64_t> epochs;   ///< by shard id
    std::int64_t expires_us = 0;        ///< when they lapse unless renewed

    std::int64_t max_epoch() const noexcept;
};

/// Marks `owner` alive for as long as connection `c` lives: a session advisory lock keyed by the
/// owner's name, which PostgreSQL drops when the session ends, killed process included. Taken on
/// the writer's connection, again after each reconnect. False when the key is already held (the
/// same owner name twice, or a hash collision): then that owner counts as alive, the safe side.
bool hold_liveness(pg::connection& c, const std::string& owner);

/// database_locked naming the engine that holds a live lease.
class shard_held : public database_locked {
public:
    shard_held(std::string message, std::string holder)
        : database_locked(std::move(message)), holder(std::move(holder)) {}
    std::string holder;   ///< its owner name (held_leases::owner)
};

/// True when `holder` names a process of this host that is still running: a default owner name
/// is host:pid:random. A process killed a moment ago may hold its liveness lock until its server
/// session notices, so only a running one is known to be alive.
bool runs_on_this_host(std::string_view holder);

/// When the server last started (its own clock, as text): a store remembers it from its open.
std::string server_start(pg::connection&);

/// Takes every shard, in one transaction: each that is unowned, expired at `now_us`, already
/// `owner`'s, or held by an owner whose liveness lock no session holds (its process died) gets
/// `owner`, epoch + 1 and expiry `now_us + lease_us`. When a live engine holds a live lease
/// nothing is taken and shard_held names it; libpq failures leave as pg::failure.
/// `started_at_open` is the server_start() the caller saw when it opened (empty: this is its
/// open). A server restart frees every liveness lock, those of live owners that have not
/// reconnected yet too: a caller that lived through one does not read a free lock as a dead
/// owner until restart_grace_seconds after the server started; only the lease's expiry counts then.
held_leases acquire_all_shards(pg::connection&, const std::string& owner, std::int64_t now_us, std::int64_t lease_us,
                               const std::string& name, std::string_view started_at_open = {});
/// How long after a restart the owners it cut off have to take their liveness locks again:
/// they reconnect with backoff from 100 ms, at their next batch or within a second.
inline constexpr int restart_grace_seconds = 10;

/// Extends the held leases to `now_us + lease_us`, epochs unchanged. False, extending nothing,
/// when any of them moved to another engine (a newer epoch): ownership is lost.
bool renew_leases(pg::connection&, held_leases&, std::int64_t now_us, std::int64_t lease_us);

/// True while every held lease still has this owner at the held epoch (expired or not).
bool still_holds(pg::connection&, const held_leases&);

/// Gives the held shards up (expired at once, epochs kept, so the next owner raises them) and
/// forgets this owner's writer progress.
void release_leases(pg::connection&, const held_leases&);

/// The fence, sent right after BEGIN in a batch's pipeline: it locks the lease rows of `shards`
/// (FOR SHARE, in shard order, so a takeover waits for the batch or the batch sees it) and,
/// unless each still has this owner at the held epoch, fails (perdure.fence_refused raises), and
/// with it the rest of the pipeline.
pg::statement fence_statement(const held_leases&, const std::vector<std::int64_t>& shards);

/// When `f` is the fence's refusal: which shard moved, to whom, at what epoch.
std::optional<std::string> fence_refusal(const pg::failure& f);

}   // namespace perdure::detail
