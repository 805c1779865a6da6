// Choosing the write path: the owner lock is free, so this process opens the library in
// maintenance mode (no workers, no dispatch, no timers) and makes the change itself; or an
// engine holds it, so the change goes through that engine's inbox. A create command on a path
// with no file first creates the database there.
#include "write_path.hpp"

#include "inbox_client.hpp"
#include "output.hpp"
#include "reading.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <iostream>
#include <optional>

namespace perdure::cli {
namespace {

/// Creates the database at `db` when no file is there, as the application's engine would (its
/// schema, mode 0600), and says so on stderr.
void create_if_missing(const std::string& db) {
    std::error_code ec;
    if (std::filesystem::exists(db, ec) || ec) return;   // an unreadable path is the reader's to report
    try {
        const auto made =
            detail::open_store({.database = db, .durability = durability::normal}, detail::open_mode::create);
        // The store's name of it: a URL's password is never printed.
        if (made->created()) std::cerr << "perdure: created a new database at " << made->name() << std::endl;
    } catch (const database_locked&) {
        // An engine opened the path meanwhile: the change goes through its inbox.
    } catch (const error& e) {
        throw cli_error(exit_code::database_problem, e.what());
    }
}

/// Opens the library in maintenance mode on `db` into `engine`; leaves it empty when an engine
/// holds the database.
void open_maintenance(const std::string& db, std::optional<perdure::engine>& engine) {
    // Checked as a reader first, so a file that is not a perdure database gets no lock file beside it.
    { const reading check(db); }
    try {
        engine.emplace(engine_options{.database = db,
                                      .durability = durability::normal,
                                      .activity_threads = 1,
                                      .nexus_handler_threads = 1,
                                      .maintenance = true});
    } catch (const database_locked&) {
        // An engine owns it: the change goes to that engine, or is refused.
    } catch (const error& e) {
        // Missing, not a perdure database, a newer schema: nothing to do with the command itself.
        throw cli_error(exit_code::database_problem, e.what());
    }
}

}   // namespace

write_outcome perform_write(const std::string& db, const write_request& request) {
    if (request.creates_database) create_if_missing(db);
    std::optional<perdure::engine> engine;
    open_maintenance(db, engine);
    if (!engine) return {send_to_engine(db, request.command), write_route::inbox};
    return {request.apply(*engine), write_route::maintenance};
}

const char* route_name(write_route route) { return route == write_route::inbox ? "inbox" : "maintenance"; }

void print_write(const invocation& inv, const write_request& request, const write_outcome& outcome,
                 const std::string& message) {
    if (inv.output == output_format::table) {
        inv.out << message << '\n';
        return;
    }
    print_json(inv.out, boost::json::object{{"op", detail::inbox_op_name(request.command)},
                                            {"route", route_name(outcome.route)},
                                            {"result", detail::answer_json(outcome.result)}});
}

}   // namespace perdure::cli
