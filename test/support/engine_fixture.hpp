// An engine on a temporary file with a manual clock, that tests reopen, advance and wait on
// until it is idle (no sleeps).
#pragma once

#include "support/printing.hpp"
#include "support/temp_dir.hpp"

#include <perdure/perdure.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace perdure::test {

class engine_fixture {
public:
    explicit engine_fixture(engine_options base = {});
    ~engine_fixture();

    /// Opens (or reopens) the engine on the same file; `setup` registers workers before start().
    perdure::engine& open(const std::function<void(perdure::engine&)>& setup = {});
    /// Closes the engine (as a clean shutdown).
    void close();
    perdure::engine& engine() { return *engine_; }
    perdure::client client(const std::string& ns = "default") { return engine_->client_for(ns); }
    /// Waits until the engine has nothing to do without time passing; fails the test after 10 s.
    void idle();
    /// Waits until the engine has handled everything but running activities.
    void settle();
    /// Moves virtual time and lets the engine act on it.
    void advance(std::chrono::milliseconds d);
    /// Counts reported by the engine core.
    std::uint64_t replays() const;
    std::size_t live_instances() const;

    const std::string& database() const noexcept { return database_; }
    std::shared_ptr<manual_clock> clock;

private:
    temp_dir dir_;
    std::string database_;
    engine_options base_;
    std::unique_ptr<perdure::engine> engine_;
};

}   // namespace perdure::test
