// Making and dropping the scenarios' databases with libpq, through the store's own connection
// wrapper; without libpq every call says that this build cannot reach PostgreSQL.
#include "postgres_databases.hpp"

#if PERDURE_BENCH_POSTGRESQL
#include "store/postgres/pg_connection.hpp"
#endif

#include <stdexcept>

namespace perdure::bench {
namespace {

constexpr std::string_view scheme_end = "://";

/// Where the database part of `uri` starts (after its '/') and ends (at '?' or the end); npos
/// for the start when the URI names no database.
std::pair<std::size_t, std::size_t> database_span(const std::string& uri) {
    const auto authority = uri.find(scheme_end);
    if (authority == std::string::npos) throw std::invalid_argument("not a postgresql:// URI: " + uri);
    const auto query = uri.find('?', authority + scheme_end.size());
    const auto end = query == std::string::npos ? uri.size() : query;
    const auto slash = uri.find('/', authority + scheme_end.size());
    if (slash == std::string::npos || slash > end) return {std::string::npos, end};
    return {slash + 1, end};
}

/// The database name of a URI this file made (perdure_bench_...: nothing to unescape).
std::string database_of(const std::string& uri) {
    const auto [first, end] = database_span(uri);
    if (first == std::string::npos) throw std::invalid_argument("no database in " + uri);
    return uri.substr(first, end - first);
}

/// perdure_bench_ and `name` with every character that is not a letter or digit as '_': an
/// identifier that needs no quoting, so no outside text reaches the statements below.
std::string bench_database_name(std::string_view name) {
    std::string out = "perdure_bench_";
    for (const char ch : name) {
        const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        out += plain ? ch : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : '_';
    }
    return out;
}

#if PERDURE_BENCH_POSTGRESQL
void run_on_server(const std::string& server_uri, const std::string& sql) {
    detail::pg::connection c(server_uri, "perdure-bench");
    c.run("SET client_min_messages = warning");   // no NOTICE that a database to drop is not there
    c.run(sql.c_str());
}
#else
[[noreturn]] void run_on_server(const std::string&, const std::string&) {
    throw std::runtime_error("this perdure-bench was built without libpq (the postgresql feature)");
}
#endif

}   // namespace

bool postgres_built() noexcept { return PERDURE_BENCH_POSTGRESQL; }

std::string with_database(const std::string& server_uri, std::string_view database) {
    const auto [first, end] = database_span(server_uri);
    if (first == std::string::npos)
        return server_uri.substr(0, end) + "/" + std::string(database) + server_uri.substr(end);
    return server_uri.substr(0, first) + std::string(database) + server_uri.substr(end);
}

std::string create_bench_database(const std::string& server_uri, std::string_view name) {
    const auto database = bench_database_name(name);
    // WITH (FORCE): a run killed mid-scenario may have left an engine's sessions behind.
    run_on_server(server_uri, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    run_on_server(server_uri, "CREATE DATABASE " + database);
    return with_database(server_uri, database);
}

void drop_bench_database(const std::string& server_uri, const std::string& database_uri) {
    const auto database = database_of(database_uri);
    if (database.rfind("perdure_bench_", 0) != 0)
        throw std::invalid_argument("perdure-bench drops only the databases it made, not " + database);
    // The engine's sessions end with its store, but the server may not have seen them go yet.
    run_on_server(server_uri, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
}

}   // namespace perdure::bench
