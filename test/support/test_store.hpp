// Which store the integration suite runs on: one parameter, not a copy of the suite. The
// environment variable PERDURE_TEST_STORE picks it ("sqlite", the default, or "postgresql");
// meson runs the integration executable once per store.
#pragma once

#include "support/temp_dir.hpp"

#include <string>
#include <vector>

namespace perdure::test {

enum class store_kind { sqlite, postgresql };

/// The store this run of the suite is on.
store_kind test_store();

/// A fresh, empty database of the suite's store: a file in `dir` for SQLite, a new database on
/// the executable's private PostgreSQL cluster for PostgreSQL.
std::string fresh_database(const temp_dir& dir);

/// The first column of each row `sql` selects, read straight from `database` (a SQLite file or a
/// postgresql:// URI; tables unqualified, found in perdure's schema on PostgreSQL), as text.
/// For tests about the rows a store keeps.
std::vector<std::string> stored_column(const std::string& database, const std::string& sql);

/// For Boost.Test's precondition decorator: a case about the SQLite file itself (its locks, its
/// size limit, its schema migrations) runs only on the SQLite run of the suite.
struct sqlite_store_only {
    template <class Id>
    bool operator()(Id) const {
        return test_store() == store_kind::sqlite;
    }
};

}   // namespace perdure::test
