// A machine_host on data for the machine unit tests: it keeps the activation's commands, a
// history that commands and inbound events are appended to, the event index, and how each
// future was settled, so a test drives one machine and asserts what a workflow would observe.
#pragma once

#include "machines/machine.hpp"
#include "support/history_builder.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perdure::test {

/// Checks one command of the activation; made by fake_machine_host::expect_command.
class command_expectation {
public:
    explicit command_expectation(const detail::command* c) noexcept : command_(c) {}
    /// The command's attribute `key` is `value`.
    command_expectation& with(std::string_view key, const boost::json::value& value);
    /// The command's attribute `key` is absent.
    command_expectation& without(std::string_view key);
    /// The command tells `owner` the event it becomes (nullptr: it tells nobody).
    command_expectation& owned_by(const detail::machine* owner);

private:
    const detail::command* command_;   // null when the expected command was missing
};

class fake_machine_host final : public detail::machine_host {
public:
    /// A host whose history holds the run's WorkflowExecutionStarted, as a live run's does.
    fake_machine_host();
    /// Fails the running test if a machine broke the host's contract (see violations()).
    ~fake_machine_host();
    fake_machine_host(const fake_machine_host&) = delete;
    fake_machine_host& operator=(const fake_machine_host&) = delete;

    /// Creates a machine on this host; its constructor adds its command. The host keeps every
    /// machine alive until it is destroyed, so a retired machine that is still reached is
    /// reported as a violation instead of being a use after free.
    template <class M, class... A>
    M& add(A&&... args) {
        auto m = std::make_unique<M>(*this, std::forward<A>(args)...);
        M& ref = *m;
        machines_.push_back(std::move(m));
        return ref;
    }

    // ---- driving the machines, as workflow_instance and the runtime do ----

    /// Ends the activation: appends a WorkflowTaskCompleted, then one event per command not
    /// dropped (its attributes, amended by `amend` as history may differ on replay), tells
    /// each command's owner its event (retired owners too, as the instance does) and clears
    /// the commands. Returns the command events.
    std::vector<detail::event> commit(const std::function<void(detail::event&)>& amend = {});
    /// Appends an inbound event: the machine indexed under the event id it names completes it
    /// (annotate), then applies it. False when no machine is indexed under that id.
    bool deliver(detail::event_type type, boost::json::object attrs);
    /// Asks the future's cancel target to cancel, as future::request_cancel does.
    void request_cancel(const std::shared_ptr<detail::future_state>& f);
    /// Cancellation of the whole run: cancel_for_run on every machine not retired.
    void cancel_run();

    // ---- what the machines did ----

    /// The commands of the current activation, in order; dropped ones are marked.
    const std::vector<detail::command>& commands() const noexcept { return commands_; }
    /// Checks that the next command not yet checked has kind `kind` and was not dropped.
    command_expectation expect_command(detail::command_kind kind);
    /// Checks that the next command not yet checked has kind `kind` and was dropped.
    command_expectation expect_dropped_command(detail::command_kind kind);
    /// Checks that every command of the activation was checked.
    void expect_no_more_commands();

    /// Every event so far (started, boundaries, commands, inbound), numbered from 1.
    const std::vector<detail::event>& history() const noexcept { return history_.events(); }
    std::int64_t last_event_id() const noexcept { return history_.last_id(); }
    /// The machine indexed under `event_id`, or null.
    const detail::machine* indexed(std::int64_t event_id) const;
    /// The event ids indexed to `m`.
    std::vector<std::int64_t> indexed_ids(const detail::machine& m) const;
    bool retired(const detail::machine& m) const;
    /// Every future made, in order.
    const std::vector<std::shared_ptr<detail::future_state>>& futures() const noexcept { return futures_; }
    /// Settlements ignored because the future was already settled.
    std::size_t ignored_settlements() const noexcept { return ignored_settlements_; }
    /// Breaches of the host contract seen so far: a machine still indexed, indexing or adding
    /// commands after it retired, an inbound event reaching a retired machine, an id indexed
    /// twice or unindexed when it was not, a future settled that this host did not make.
    const std::vector<std::string>& violations() const noexcept { return violations_; }

    // ---- how futures were settled ----

    static bool pending(const std::shared_ptr<detail::future_state>& f) { return !f->ready(); }
    static bool succeeded(const std::shared_ptr<detail::future_state>& f) {
        return f->st == detail::future_state::status::succeeded;
    }
    static bool failed(const std::shared_ptr<detail::future_state>& f) {
        return f->st == detail::future_state::status::failed;
    }
    /// The value a future succeeded with (null when it did not succeed).
    static const boost::json::value& value_of(const std::shared_ptr<detail::future_state>& f);
    /// The exception a future failed with, as `E`; nullopt when it is pending, succeeded, or
    /// failed with an exception that is not an `E`.
    template <class E>
    static std::optional<E> error_of(const std::shared_ptr<detail::future_state>& f);
    /// "type: what()" of the exception a future failed with; empty unless it failed.
    static std::string error_text(const std::shared_ptr<detail::future_state>& f);

    // ---- machine_host ----

    std::shared_ptr<detail::future_state> make_future(detail::cancel_target* cancel = nullptr) override;
    void resolve(detail::future_state& s, boost::json::value v) override;
    void reject(detail::future_state& s, std::exception_ptr e) override;
    void add_command(detail::command_kind kind, boost::json::object attrs, detail::machine* owner) override;
    void drop_command(const detail::machine* owner) override;
    void index_event(std::int64_t event_id, detail::machine* m) override;
    void unindex_event(std::int64_t event_id) override;
    void retire(detail::machine* m) override;

private:
    bool settle(detail::future_state& s, const char* how);
    command_expectation next_command(detail::command_kind kind, bool dropped);
    void check_index();

    history_builder history_;
    std::vector<std::unique_ptr<detail::machine>> machines_;
    std::vector<const detail::machine*> retired_;
    std::vector<detail::command> commands_;
    std::size_t checked_commands_ = 0;
    std::map<std::int64_t, detail::machine*> index_;
    std::vector<std::shared_ptr<detail::future_state>> futures_;
    std::uint64_t resolved_seq_ = 0;
    std::size_t ignored_settlements_ = 0;
    std::vector<std::string> violations_;
};

/// The exception `e` as an `E`; nullopt when it is null or not an `E`.
template <class E>
std::optional<E> exception_as(const std::exception_ptr& e) {
    if (!e) return std::nullopt;
    try {
        std::rethrow_exception(e);
    } catch (const E& x) {
        return x;
    } catch (...) {
        return std::nullopt;
    }
}

template <class E>
std::optional<E> fake_machine_host::error_of(const std::shared_ptr<detail::future_state>& f) {
    return failed(f) ? exception_as<E>(f->error) : std::nullopt;
}

/// A failure record as history stores it, for the failure attribute of an inbound event.
boost::json::object failure_record(const std::string& message, const std::string& type = "Boom");

}   // namespace perdure::test
