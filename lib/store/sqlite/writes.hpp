// Applying write operations with SQLite prepared statements (inside the writer's transaction).
#pragma once

#include "store/rows.hpp"
#include "store/sqlite/sqlite.hpp"

namespace perdure::detail {

void apply_write(sql::connection&, const write_op&);

}   // namespace perdure::detail
