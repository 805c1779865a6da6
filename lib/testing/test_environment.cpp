// The test environment: the real engine on a temporary file with a manual clock, and a thread
// that moves the clock to the next deadline whenever a client waits and the engine is idle.
#include "runtime/core.hpp"
#include "client/core_access.hpp"

#include <perdure/error.hpp>
#include <perdure/testing.hpp>

#include <atomic>
#include <cstdlib>
#include <limits>
#include <thread>

namespace perdure::testing {

using namespace std::chrono;

struct test_environment::skipper {
    std::thread thread;
    std::atomic<bool> stop{false};
};

namespace {

detail::engine_core& core_of(perdure::engine& e) { return *detail::core_access::core(e); }

std::int64_t us_of(system_clock::time_point t) { return duration_cast<microseconds>(t.time_since_epoch()).count(); }

/// Moves the clock while someone waits and nothing can run without time passing.
void skip_time(detail::engine_core& core, manual_clock& clock, std::atomic<bool>& stop) {
    while (!stop.load()) {
        if (!core.work().wait_idle(milliseconds(2))) continue;
        bool moved = false, needs_start = false;
        core.waiting().when_waiting([&](std::int64_t sleep_until) {
            if (!core.started()) {
                needs_start = true;   // started outside the gate: start() waits for the strand
                return;
            }
            // Under the gate: nobody stops waiting while we decide, and new work runs first.
            if (!core.work().idle()) return;
            const std::int64_t now = us_of(clock.now());
            std::int64_t target = core.next_deadline_us();
            if (sleep_until > 0) target = std::min(target, sleep_until);
            if (target != std::numeric_limits<std::int64_t>::max() && target > now) {
                clock.set(system_clock::time_point(microseconds(target)));
                moved = true;
            }
        });
        if (needs_start) core.start();
        if (!moved) std::this_thread::sleep_for(microseconds(200));
    }
}

}   // namespace

test_environment::test_environment(test_options options) : options_(std::move(options)) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "perdure-test-env-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw storage_error("cannot create a temporary directory for the test environment");
    dir_ = tmpl;
    clock_ = std::make_shared<manual_clock>(options_.start_time);
    auto eo = options_.engine;
    eo.database = (dir_ / "test.db").string();
    eo.durability = durability::off;
    eo.clock = clock_;
    engine_ = std::make_unique<perdure::engine>(eo);
    engine_->namespaces().ensure("default");
    auto* core = &core_of(*engine_);
    core->start_on_first_client_call();
    core->set_blocking_timeout(options_.wall_timeout, [core] {
        if (!core->started()) return std::string("the engine was never started");
        // A task that keeps failing moves the clock (its retries are timers) and is the cause.
        if (auto failing = core->failing_tasks(std::chrono::milliseconds(1000)); !failing.empty()) {
            std::string reason = "a workflow task keeps failing (describe().task_failure has the latest):";
            for (const auto& f : failing) reason += "\n  " + f;
            return reason;
        }
        if (!core->work().idle()) return "the clock is held by " + core->work().holders();
        if (core->next_deadline_us() == std::numeric_limits<std::int64_t>::max())
            return std::string(
                "nothing is running and no timer is pending: the workflow waits for something only the "
                "test can give (a signal, an update, a worker for its task queue)");
        return std::string("time was skipping but the wait did not end");
    });
    skipper_ = std::make_unique<skipper>();
    skipper_->thread =
        std::thread([core, clock = clock_.get(), s = skipper_.get()] { skip_time(*core, *clock, s->stop); });
}

test_environment::~test_environment() {
    skipper_->stop = true;
    skipper_->thread.join();
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void test_environment::start() {
    if (!core_of(*engine_).started()) engine_->start();
}

perdure::client test_environment::client(std::string_view ns) {
    start();
    return engine_->client_for(ns);
}

system_clock::time_point test_environment::now() { return clock_->now(); }

void test_environment::wait_idle() {
    if (!core_of(*engine_).work().wait_idle(options_.wall_timeout))
        throw failed_precondition("the engine did not become idle within test_options::wall_timeout: " +
                                  core_of(*engine_).work().holders());
}

void test_environment::sleep(milliseconds d) {
    start();
    auto& gate = core_of(*engine_).waiting();
    const auto target = us_of(clock_->now()) + duration_cast<microseconds>(d).count();
    gate.set_sleep_until(target);
    const auto give_up = steady_clock::now() + options_.wall_timeout;
    while (us_of(clock_->now()) < target) {
        if (steady_clock::now() > give_up) {
            gate.set_sleep_until(0);
            throw failed_precondition("sleep did not reach its end within test_options::wall_timeout: " +
                                      core_of(*engine_).hold_reason());
        }
        std::this_thread::sleep_for(microseconds(200));
    }
    gate.set_sleep_until(0);
    wait_idle();
}

void test_environment::record(const std::string& key, const boost::json::value& input) {
    std::lock_guard lk(calls_mutex_);
    calls_[key].push_back(input);
}

std::vector<boost::json::value> test_environment::activity_calls(std::string_view type) const {
    std::lock_guard lk(calls_mutex_);
    auto it = calls_.find("activity:" + std::string(type));
    return it == calls_.end() ? std::vector<boost::json::value>{} : it->second;
}

std::vector<boost::json::value> test_environment::nexus_calls(std::string_view service,
                                                              std::string_view operation) const {
    std::lock_guard lk(calls_mutex_);
    auto it = calls_.find("nexus:" + std::string(service) + "/" + std::string(operation));
    return it == calls_.end() ? std::vector<boost::json::value>{} : it->second;
}

// Mocks are overrides of the worker registry: they replace a registration on every queue.
void test_environment::add_activity_mock(std::string_view type, detail::activity_function fn) {
    core_of(*engine_).workers().override_activity(std::string(type), std::move(fn));
}

void test_environment::add_activity_mock(std::string_view type, detail::blocking_activity_function fn) {
    add_activity_mock(type, detail::activity_function{std::move(fn), nullptr});
}

void test_environment::add_nexus_mock(std::string_view service, nexus::detail::operation_definition def,
                                      std::optional<milliseconds> delay) {
    // A delayed double's token names it as one in the caller's history: "mock-" and the request id.
    core_of(*engine_).workers().override_nexus_operation(
        std::string(service), {.operation = std::move(def), .complete_after = delay, .token_prefix = "mock-"});
}

}   // namespace perdure::testing
