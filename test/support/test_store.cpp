// The suite's store, read once from PERDURE_TEST_STORE.
#include "support/test_store.hpp"

#ifdef PERDURE_TEST_POSTGRES
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

}   // namespace perdure::test
