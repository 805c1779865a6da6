// Unit-testing workflows without a server: the real engine on a temporary file with a virtual
// clock that skips ahead whenever the test waits and nothing can run without time passing;
// activity and Nexus mocks; and a replayer that checks saved histories against current code.
#pragma once

#include <perdure/perdure.hpp>
#include <perdure/history.hpp>
#include <perdure/nexus/service.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::testing {

struct test_options {
    engine_options engine{.workflow_cache_size = 0};   ///< replay every activation: nondeterminism shows up here
    std::chrono::milliseconds wall_timeout{10'000};    ///< a wait longer than this fails, naming what holds the clock
    std::chrono::system_clock::time_point start_time{};   ///< the virtual clock's start (default 2025-01-01)
};

/// The production engine on a temporary file (synchronous=OFF) with a virtual clock. While the
/// test waits (in get() / async_get() or sleep()) and no work is outstanding anywhere, the
/// clock jumps to the next deadline; otherwise it stands still. start() is called for you by
/// the first client call (start, signal, query, update, cancel, terminate, describe, history,
/// list, get) through any client, env.client() or env.engine().client_for(ns); registry calls
/// do not start it. The namespace "default" exists. Environments share nothing: several may run at
/// once in parallel threads.
class test_environment {
public:
    explicit test_environment(test_options options = {});
    ~test_environment();
    test_environment(const test_environment&) = delete;
    test_environment& operator=(const test_environment&) = delete;

    perdure::engine& engine() noexcept { return *engine_; }
    /// A client of a namespace; starts the engine if it has not started.
    perdure::client client(std::string_view ns = "default");
    /// Starts the engine (after registering workers); done for you on first use otherwise.
    void start();

    /// Replaces the activity type `type` on every task queue: fn is R(activity_context&, I) or
    /// R(activity_context&); it may throw application_error to fail an attempt.
    template <class F>
    void mock_activity(std::string_view type, F&& fn);
    /// Replaces a Nexus operation: fn is O(nexus::operation_context&, I) and may throw
    /// handler_error or operation_error. The operation completes synchronously.
    template <class F>
    void mock_nexus_operation(std::string_view service, std::string_view operation, F&& fn);
    /// An asynchronous mock: started at once, completed with fn's result `delay` of virtual
    /// time later.
    template <class F>
    void mock_nexus_operation(std::string_view service, std::string_view operation, std::chrono::milliseconds delay,
                              F&& fn);

    /// The inputs a mocked activity was called with, in order.
    std::vector<boost::json::value> activity_calls(std::string_view type) const;
    /// The inputs a mocked Nexus operation was called with, in order.
    std::vector<boost::json::value> nexus_calls(std::string_view service, std::string_view operation) const;

    /// The virtual time.
    std::chrono::system_clock::time_point now();
    /// Lets `d` of virtual time pass while workflows run (skipping what nothing needs).
    void sleep(std::chrono::milliseconds d);
    /// Waits (without moving time) until nothing is outstanding.
    void wait_idle();

private:
    struct skipper;
    void record(const std::string& key, const boost::json::value& input);
    void add_activity_mock(std::string_view type, detail::activity_function fn);
    void add_activity_mock(std::string_view type, detail::blocking_activity_function fn);
    /// With a delay: an asynchronous double that starts at once and runs fn `delay` later.
    void add_nexus_mock(std::string_view service, nexus::detail::operation_definition def,
                        std::optional<std::chrono::milliseconds> delay);
    template <class F>
    nexus::detail::operation_definition nexus_mock(std::string_view service, std::string_view operation, F&& fn);

    test_options options_;
    std::filesystem::path dir_;
    std::shared_ptr<manual_clock> clock_;
    std::unique_ptr<perdure::engine> engine_;
    std::unique_ptr<skipper> skipper_;
    mutable std::mutex calls_mutex_;
    std::map<std::string, std::vector<boost::json::value>> calls_;
};

/// Replays saved histories against the registered workflow code, as a check before shipping a
/// change to workflow code.
class replayer {
public:
    template <class R, class I>
    replayer& register_workflow(const workflow_def<R, I>& def) {
        workflows_[def.name()] = def.function();
        return *this;
    }
    /// `history` is an array of history events in history_event::to_json's shape (or an object
    /// {"events": [...]}). Throws nondeterminism_error naming the event and both commands when
    /// the code no longer matches; passes silently when it does.
    void replay(const boost::json::value& history);
    void replay(const std::vector<history_event>& history);
    void replay_file(const std::filesystem::path& file);

private:
    std::map<std::string, detail::workflow_function> workflows_;
};

/// A run's history as the JSON array the replayer reads (write it to a fixture file).
boost::json::value history_to_json(const std::vector<history_event>& history);

// ---------------------------------------------------------------- templates

template <class F>
void test_environment::mock_activity(std::string_view type, F&& fn) {
    using traits = detail::callable_traits<std::decay_t<F>>;
    using I =
        std::conditional_t<traits::arity == 1, void, std::tuple_element_t<traits::arity - 1, typename traits::args>>;
    using R = typename traits::result;
    auto typed = detail::make_blocking_activity<R, I>(std::forward<F>(fn));
    add_activity_mock(type, [this, key = std::string("activity:") + std::string(type), typed](
                                activity_context& ctx, const boost::json::value& input) {
        record(key, input);
        return typed(ctx, input);
    });
}

template <class F>
nexus::detail::operation_definition test_environment::nexus_mock(std::string_view service, std::string_view operation,
                                                                 F&& fn) {
    using traits = detail::callable_traits<std::decay_t<F>>;
    using I = std::remove_cvref_t<std::tuple_element_t<1, typename traits::args>>;
    using O = typename traits::result;
    auto def = nexus::sync_operation<I, O>(std::string(operation), std::forward<F>(fn)).definition();
    def.sync = [this, key = "nexus:" + std::string(service) + "/" + std::string(operation), inner = def.sync](
                   nexus::operation_context& ctx, const boost::json::value& input) {
        record(key, input);
        return inner(ctx, input);
    };
    return def;
}

template <class F>
void test_environment::mock_nexus_operation(std::string_view service, std::string_view operation, F&& fn) {
    add_nexus_mock(service, nexus_mock(service, operation, std::forward<F>(fn)), std::nullopt);
}

template <class F>
void test_environment::mock_nexus_operation(std::string_view service, std::string_view operation,
                                            std::chrono::milliseconds delay, F&& fn) {
    add_nexus_mock(service, nexus_mock(service, operation, std::forward<F>(fn)), delay);
}

}   // namespace perdure::testing
