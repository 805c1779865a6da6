// Turning libpq failures into perdure errors, by SQLSTATE class.
#include "store/postgres/pg_errors.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

const char* database_setting(open_mode opened_as) noexcept {
    return opened_as == open_mode::owner ? "engine_options::database" : "--db URL (or $PERDURE_DB)";
}

std::string pg_message(const pg::failure& f, const std::string& name, const char* doing, open_mode opened_as) {
    const std::string where = "database " + name + ": " + doing + ": ";
    const std::string_view state = f.sqlstate;
    if (f.connection_lost && state.empty() && f.message.find("does not exist") != std::string::npos)
        return where + "the server has no such database or user (" + f.message + "); create it (createdb) or fix " +
               database_setting(opened_as);
    if (f.connection_lost && state.empty() && f.message.find("authentication failed") != std::string::npos)
        return where + "the server refused the login (" + f.message + "); check the user and password in " +
               database_setting(opened_as);
    if (f.connection_lost && state.empty())
        return where + "cannot reach the PostgreSQL server (" + f.message +
               "); check that the server is running and that " + database_setting(opened_as) +
               " is a postgresql:// URL with the right host, port, user, password and database";
    if (f.connection_lost)
        return where + "the connection to the PostgreSQL server was lost (" + f.message +
               "); check that the server is running, then reopen the database";
    if (state.starts_with("28"))
        return where + "the server refused the login (" + f.message + "); check the user and password in " +
               database_setting(opened_as);
    if (state == "42501")
        return where + "the database user lacks a privilege (" + f.message +
               "); grant it CREATE on the database, or USAGE and table rights on schema perdure";
    if (state == "53100")
        return where + "the server's disk is full (" + f.message + "); free space on the server, then reopen";
    if (state.starts_with("53"))
        return where + "the server ran out of a resource (" + f.message + "); check its limits, then reopen";
    return where + f.message + (state.empty() ? std::string() : " (SQLSTATE " + std::string(state) + ")");
}

void throw_pg(const pg::failure& f, const std::string& name, const char* doing, open_mode opened_as) {
    throw storage_error(pg_message(f, name, doing, opened_as));
}

}   // namespace perdure::detail
