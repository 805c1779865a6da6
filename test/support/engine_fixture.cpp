// The engine fixture.
#include "support/engine_fixture.hpp"
#include "support/test_store.hpp"
#include "client/core_access.hpp"

#include "runtime/core.hpp"

#include <boost/test/unit_test.hpp>

namespace perdure::test {

engine_fixture::engine_fixture(engine_options base)
    : clock(std::make_shared<manual_clock>()), database_(fresh_database(dir_)), base_(std::move(base)) {}

engine_fixture::~engine_fixture() { close(); }

perdure::engine& engine_fixture::open(const std::function<void(perdure::engine&)>& setup) {
    close();
    auto options = base_;
    if (options.database == ":memory:") options.database = database_;
    options.clock = clock;
    if (options.durability == durability::full) options.durability = durability::off;
    engine_ = std::make_unique<perdure::engine>(options);
    engine_->namespaces().ensure("default");
    if (setup) setup(*engine_);
    engine_->start();
    return *engine_;
}

void engine_fixture::close() { engine_.reset(); }

void engine_fixture::idle() {
    auto& work = perdure::detail::core_access::core(*engine_)->work();
    if (!work.wait_idle(std::chrono::seconds(10))) BOOST_FAIL("engine not idle after 10 s: " + work.holders());
}

void engine_fixture::settle() {
    auto& work = perdure::detail::core_access::core(*engine_)->work();
    if (!work.wait_quiet(std::chrono::seconds(10), false))
        BOOST_FAIL("engine not settled after 10 s: " + work.holders());
}

void engine_fixture::advance(std::chrono::milliseconds d) {
    idle();
    clock->advance(d);
    idle();
}

std::uint64_t engine_fixture::replays() const { return perdure::detail::core_access::core(*engine_)->replays(); }
std::size_t engine_fixture::live_instances() const {
    return perdure::detail::core_access::core(*engine_)->live_instances();
}

}   // namespace perdure::test
