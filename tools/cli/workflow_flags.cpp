// The workflow commands' shared flags.
#include "workflow_flags.hpp"

#include <perdure/client.hpp>

#include <boost/program_options/value_semantic.hpp>

namespace perdure::cli {

namespace po = boost::program_options;

void add_run_flags(po::options_description& d) {
    // clang-format off
    d.add_options()("namespace,n", po::value<std::string>()->value_name("NS")->default_value("default"),
                    "the workflow's namespace")(
        "workflow-id,w", po::value<std::string>()->value_name("ID")->required(), "the workflow id (required)")(
        "run-id,r", po::value<std::string>()->value_name("RUN"), "a run of it (default: the newest)");
    // clang-format on
}

detail::workflow_target target_of(const invocation& inv) {
    return {inv.value("namespace"), inv.value("workflow-id"), inv.value("run-id")};
}

workflow_handle<boost::json::value> handle_of(perdure::engine& e, const invocation& inv) {
    return e.client_for(inv.value("namespace")).get_handle(inv.value("workflow-id"), inv.value("run-id"));
}

}   // namespace perdure::cli
