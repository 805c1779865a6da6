// Which store a database setting names: a postgresql:// (or postgres://) URI opens the
// PostgreSQL store, anything else a SQLite file (or ":memory:").
#include "store/store.hpp"

#include "store/sqlite/sqlite_store.hpp"

#include <perdure/error.hpp>

#if PERDURE_HAVE_POSTGRESQL
#include "store/postgres/postgres_store.hpp"
#endif

namespace perdure::detail {

std::unique_ptr<store> open_store(const engine_options& options, open_mode mode, commit_callbacks callbacks) {
    const std::string_view db = options.database;
    if (db.starts_with("postgresql://") || db.starts_with("postgres://")) {
#if PERDURE_HAVE_POSTGRESQL
        return std::make_unique<postgres_store>(options, mode, std::move(callbacks));
#else
        throw invalid_argument(
            "the database setting names a PostgreSQL database, but this perdure was built "
            "without PostgreSQL support (libpq was not found); install libpq-dev and rebuild "
            "(meson option -Dpostgresql=enabled), or use a SQLite file");
#endif
    }
    if (options.stand_by && !options.maintenance)
        throw invalid_argument(
            "engine_options::stand_by needs a database shared by several engines (a "
            "postgresql:// URI); an engine on a SQLite file is its only engine, so it owns it");
    return std::make_unique<sqlite_store>(options, mode, std::move(callbacks));
}

}   // namespace perdure::detail
