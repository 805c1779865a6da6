// The read side of the CLI: the database file opened as a WAL reader, which needs no lock, so
// reads work beside a running engine; it never creates, migrates or changes the file.
#pragma once

#include "store/database.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace perdure::cli {

class reading {
public:
    /// Opens `path` for reading; a missing file, a file that is not a perdure database or a
    /// newer schema is a cli_error with exit code 3.
    explicit reading(const std::string& path);
    ~reading();
    reading(const reading&) = delete;
    reading& operator=(const reading&) = delete;

    detail::sql::connection& conn() { return *conn_; }
    const std::vector<detail::namespace_row>& namespaces();
    /// The namespace named `name`; a user error naming the known ones when there is none.
    const detail::namespace_row& require_namespace(const std::string& name);
    std::string namespace_name(std::int64_t ns_id);
    /// The run (the newest of the workflow id when `run_id` is empty); a user error when there is none.
    detail::execution_row require_run(const std::string& ns, const std::string& workflow_id,
                                      const std::string& run_id);

private:
    std::unique_ptr<detail::database> db_;
    std::unique_ptr<detail::sql::connection> conn_;
    std::optional<detail::sql::transaction> snapshot_;
    std::optional<std::vector<detail::namespace_row>> namespaces_;
};

}  // namespace perdure::cli
