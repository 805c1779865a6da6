// The databases perdure-bench makes on a PostgreSQL server: one per scenario, so no scenario
// sees another's data, and the server's own databases (the one in --store among them) are never
// written by a scenario.
#pragma once

#include <string>
#include <string_view>

namespace perdure::bench {

/// False when this perdure-bench was built without libpq.
bool postgres_built() noexcept;

/// `server_uri` (postgresql://...) with its database replaced by `database`.
std::string with_database(const std::string& server_uri, std::string_view database);

/// Drops any leftover of database perdure_bench_`name` (a run that died), makes it anew through
/// `server_uri`'s connection and returns its URI. Throws when the server refuses (the role
/// needs CREATEDB).
std::string create_bench_database(const std::string& server_uri, std::string_view name);

/// Drops the database `database_uri` names, cutting any session still on it.
void drop_bench_database(const std::string& server_uri, const std::string& database_uri);

}   // namespace perdure::bench
