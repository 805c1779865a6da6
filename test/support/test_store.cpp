// The suite's store, read once from PERDURE_TEST_STORE.
#include "support/test_store.hpp"

#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite.hpp"

#ifdef PERDURE_TEST_POSTGRES
#include "store/postgres/pg_connection.hpp"
#include "support/postgres_cluster.hpp"
#endif

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace perdure::test {
namespace {

store_kind read_store_kind() {
    const char* env = std::getenv("PERDURE_TEST_STORE");
    const std::string_view name = env ? env : "sqlite";
    if (name == "sqlite") return store_kind::sqlite;
    if (name == "postgresql") return store_kind::postgresql;
    throw std::invalid_argument("PERDURE_TEST_STORE is '" + std::string(name) + "'; use sqlite or postgresql");
}

}   // namespace

store_kind test_store() {
    static const store_kind kind = read_store_kind();
    return kind;
}

std::string fresh_database(const temp_dir& dir) {
    if (test_store() == store_kind::sqlite) return dir.file("test.db");
#ifdef PERDURE_TEST_POSTGRES
    auto& cluster = postgres_cluster::instance();
    if (!cluster.available())
        throw std::runtime_error("PERDURE_TEST_STORE=postgresql, but no PostgreSQL cluster: " + cluster.why_not());
    return cluster.create_database();
#else
    throw std::runtime_error(
        "PERDURE_TEST_STORE=postgresql, but this build has no PostgreSQL store (libpq-dev missing)");
#endif
}

std::vector<std::string> stored_column(const std::string& database, const std::string& sql) {
    std::vector<std::string> out;
    if (database.starts_with("postgres")) {
#ifdef PERDURE_TEST_POSTGRES
        detail::pg::connection c(database, "perdure tests");
        c.run("SET search_path TO perdure");
        const auto rows = c.exec(sql);
        for (int i = 0; i < rows.rows(); ++i) out.emplace_back(rows.text(i, 0));
        return out;
#else
        throw std::runtime_error("this build has no PostgreSQL store (libpq-dev missing)");
#endif
    }
    detail::database file(database, durability::normal, detail::database::mode::reader);
    auto c = file.connect(true);
    auto s = c->prepare(sql);
    while (s.step()) out.emplace_back(s.text(0));
    return out;
}

}   // namespace perdure::test
