// The PostgreSQL schema: perdure's tables in a schema of their own (`perdure`), versioned by
// perdure.schema_version and brought up to date one migration at a time, as the SQLite store's.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>

namespace perdure::detail {

/// The schema version this build writes and reads.
inline constexpr int pg_schema_version = 8;

/// Keys for new runs come from the sequence perdure.run_key_blocks in blocks of this many.
inline constexpr std::int64_t run_key_block_size = 1024;

struct pg_schema_state {
    bool created = false;   ///< this open made the schema
    int shard_count = 0;    ///< fixed when the database was created
};

/// Makes sure the database holds perdure's schema at this build's version, as `mode` allows:
/// owner creates a missing schema and migrates an older one, create only creates, maintenance
/// and reader only check. Concurrent opens are serialized by an advisory lock. A new schema gets
/// `shard_count` shards, all unowned. Throws not_found (no schema where one must exist),
/// failed_precondition (a schema that is newer, or older where no migration is allowed) and
/// invalid_argument (a `perdure` schema that is not perdure's); libpq failures leave as pg::failure.
pg_schema_state open_schema(pg::connection&, open_mode mode, int shard_count, std::int64_t now_us,
                            const std::string& name);

}   // namespace perdure::detail
