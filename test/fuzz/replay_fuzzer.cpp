// Fuzz target: a history in JSON, as testing::replayer reads it (a fixture file, or
// `perdure workflow show -o json`), replayed against workflows that use every command. Bad
// input must end in a perdure::error that says what is wrong; nothing else may escape.
#include "fuzz_workflows.hpp"
#include "oracle.hpp"
#include "subscription.hpp"

#include <perdure/testing.hpp>

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

perdure::testing::replayer& replayer() {
    static perdure::testing::replayer r = [] {
        perdure::testing::replayer out;
        out.register_workflow(subscription_workflow)
            .register_workflow(perdure::fuzz::order_workflow)
            .register_workflow(perdure::fuzz::ship_workflow)
            .register_workflow(perdure::fuzz::approval_workflow)
            .register_workflow(perdure::fuzz::housekeeping_workflow)
            .register_workflow(perdure::fuzz::neighbour_workflow);
        return out;
    }();
    return r;
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::json::parse_options options;
    options.max_depth = 128;   // deeper than any real history, so failure cause chains are reached
    boost::system::error_code ec;
    const auto history =
        boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
    if (ec) return 0;
    try {
        replayer().replay(history);
    } catch (const perdure::error&) {
        // invalid_argument, nondeterminism_error, not_found, payload_error, ...: documented answers.
    } catch (...) {
        perdure::fuzz::unexpected_exception("replay");
    }
    return 0;
}
