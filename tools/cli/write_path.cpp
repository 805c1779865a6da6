// Choosing the write path: the owner lock is free, so this process opens the library in
// maintenance mode (no workers, no dispatch, no timers) and makes the change itself; or an
// engine holds it, so the change goes through that engine's inbox.
#include "write_path.hpp"

#include "inbox_client.hpp"
#include "output.hpp"
#include "reading.hpp"

#include <perdure/error.hpp>

#include <optional>

namespace perdure::cli {

write_outcome perform_write(const std::string& db, const write_request& request) {
    // Checked as a reader first, so a file that is not a perdure database gets no lock file beside it.
    { const reading check(db); }
    std::optional<perdure::engine> engine;
    try {
        engine.emplace(engine_options{.database = db,
                                      .durability = durability::normal,
                                      .activity_threads = 1,
                                      .nexus_handler_threads = 1,
                                      .maintenance = true});
    } catch (const database_locked&) {
        return {send_to_engine(db, request.command), write_route::inbox};
    } catch (const error& e) {
        // Missing, not a perdure database, a newer schema: nothing to do with the command itself.
        throw cli_error(exit_code::database_problem, e.what());
    }
    return {request.apply(*engine), write_route::maintenance};
}

void print_write(const invocation& inv, const write_request& request, const write_outcome& outcome,
                 const std::string& message) {
    if (inv.output == output_format::table) {
        inv.out << message << '\n';
        return;
    }
    print_json(inv.out, boost::json::object{{"op", request.command.at("op")},
                                            {"route", outcome.route == write_route::inbox ? "inbox" : "maintenance"},
                                            {"result", outcome.result}});
}

}  // namespace perdure::cli
