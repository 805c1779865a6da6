// The perdure command-line tool: parses the command line, runs the command it names, and turns
// errors into the documented exit codes.
#include "command_line.hpp"

#include <perdure/error.hpp>

#include <iostream>
#include <string>
#include <string_view>
#include <utility>

namespace perdure::cli {
namespace {

exit_code code_of(const error& e) {
    const auto c = static_cast<errc>(e.code().value());
    return c == errc::database_locked || c == errc::storage_error ? exit_code::database_problem : exit_code::user_error;
}

/// An engine error in the CLI's words: the few that name an API call say what to type instead.
std::string in_cli_words(std::string message) {
    static const std::pair<std::string_view, std::string_view> phrases[] = {
        {"create it with engine.namespaces().ensure(name)", "create it with perdure operator namespace create -n NAME"},
        {"use id_conflict_policy::use_existing to attach to it, or another id",
         "choose another --workflow-id, or signal, query or wait for the running one"},
        {"start_workflow_options::id", "--workflow-id"},
        {"start_workflow_options::task_queue", "--task-queue"},
    };
    for (const auto& [api, cli] : phrases)
        if (const auto at = message.find(api); at != std::string::npos) message.replace(at, api.size(), cli);
    return message;
}

exit_code fail(exit_code code, const std::string& message) {
    std::cout.flush();
    std::cerr << "perdure: " << message << '\n';
    return code;
}

}   // namespace
}   // namespace perdure::cli

int main(int argc, char** argv) {
    using namespace perdure::cli;
    try {
        execute(parse(argc, argv, std::cout), std::cout);
        return static_cast<int>(exit_code::success);
    } catch (const cli_error& e) {
        return static_cast<int>(fail(e.code(), e.what()));
    } catch (const perdure::error& e) {
        return static_cast<int>(fail(code_of(e), in_cli_words(e.what())));
    } catch (const boost::program_options::error& e) {
        return static_cast<int>(fail(exit_code::usage_error, message_of(e) + "; run 'perdure --help'"));
    } catch (const std::exception& e) {
        return static_cast<int>(fail(exit_code::user_error, e.what()));
    }
}
