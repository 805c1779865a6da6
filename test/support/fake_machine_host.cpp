// The fake machine host: the instance's bookkeeping on plain data, checked as it goes.
#include "support/fake_machine_host.hpp"

#include <perdure/failure.hpp>
#include <perdure/payload.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <typeinfo>

namespace perdure::test {

using detail::command;
using detail::command_kind;
using detail::event;
using detail::event_type;
using detail::future_state;
using detail::machine;

namespace {

// The event id an inbound event is addressed by, with the keys workflow_instance routes on.
std::int64_t addressed_id(const boost::json::object& attrs) {
    for (const char* key : {"scheduled_event_id", "initiated_event_id", "started_event_id"})
        if (const auto* v = attrs.if_contains(key); v && v->is_int64()) return v->get_int64();
    return 0;
}

}   // namespace

// ---------------------------------------------------------------- command_expectation

command_expectation& command_expectation::with(std::string_view key, const boost::json::value& value) {
    if (!command_) return *this;
    const auto* actual = command_->attrs.if_contains(key);
    BOOST_TEST(actual != nullptr, "the command has no attribute " << key);
    if (actual) BOOST_TEST(*actual == value, "attribute " << key << ": " << *actual << " != " << value);
    return *this;
}

command_expectation& command_expectation::without(std::string_view key) {
    if (command_) BOOST_TEST(!command_->attrs.contains(key), "the command has attribute " << key);
    return *this;
}

command_expectation& command_expectation::owned_by(const machine* owner) {
    if (command_) BOOST_TEST((command_->owner == owner), "the command's owner is not the expected machine");
    return *this;
}

// ---------------------------------------------------------------- fake_machine_host

fake_machine_host::fake_machine_host() { history_.started(); }

fake_machine_host::~fake_machine_host() {
    check_index();
    for (const auto& v : violations_) BOOST_ERROR("machine_host contract: " << v);
}

std::vector<event> fake_machine_host::commit(const std::function<void(event&)>& amend) {
    history_.boundary();
    std::vector<event> recorded;
    for (auto& c : commands_) {
        if (c.dropped) continue;
        event e{history_.last_id() + 1, detail::event_type_of(c.kind), 0, c.attrs};
        if (amend) amend(e);
        history_.add(e.type, std::move(e.attrs));
        recorded.push_back(history_.events().back());
        if (c.owner) c.owner->recorded(recorded.back());
    }
    commands_.clear();
    checked_commands_ = 0;
    check_index();
    return recorded;
}

bool fake_machine_host::deliver(event_type type, boost::json::object attrs) {
    event e{history_.last_id() + 1, type, 0, std::move(attrs)};
    const std::int64_t target = addressed_id(e.attrs);
    auto it = target != 0 ? index_.find(target) : index_.end();
    machine* m = it != index_.end() ? it->second : nullptr;
    if (m && retired(*m)) {
        violations_.push_back(std::string(detail::event_type_name(type)) + " (event " + std::to_string(e.id) +
                              ") reached a retired machine through event id " + std::to_string(target));
        m = nullptr;
    }
    if (m) m->annotate(e);
    history_.add(type, std::move(e.attrs));
    if (m) m->apply(history_.events().back());
    check_index();
    return m != nullptr;
}

void fake_machine_host::request_cancel(const std::shared_ptr<future_state>& f) {
    if (f->cancel && !f->ready()) f->cancel->request_cancel();
    check_index();
}

void fake_machine_host::cancel_run() {
    for (const auto& m : machines_)
        if (!retired(*m)) m->cancel_for_run();
    check_index();
}

command_expectation fake_machine_host::next_command(command_kind kind, bool dropped) {
    if (checked_commands_ == commands_.size()) {
        BOOST_ERROR("expected a " << detail::command_name(kind) << " command; the activation has no further command");
        return command_expectation(nullptr);
    }
    const command& c = commands_[checked_commands_++];
    BOOST_TEST(std::string(detail::command_name(c.kind)) == detail::command_name(kind));
    BOOST_TEST(c.dropped == dropped, detail::command_name(c.kind) << (c.dropped ? " was dropped" : " was not dropped"));
    return command_expectation(&c);
}

command_expectation fake_machine_host::expect_command(command_kind kind) { return next_command(kind, false); }

command_expectation fake_machine_host::expect_dropped_command(command_kind kind) { return next_command(kind, true); }

void fake_machine_host::expect_no_more_commands() {
    for (std::size_t i = checked_commands_; i < commands_.size(); ++i)
        BOOST_ERROR("unexpected command " << detail::describe(commands_[i]));
    checked_commands_ = commands_.size();
}

const machine* fake_machine_host::indexed(std::int64_t event_id) const {
    auto it = index_.find(event_id);
    return it == index_.end() ? nullptr : it->second;
}

std::vector<std::int64_t> fake_machine_host::indexed_ids(const machine& m) const {
    std::vector<std::int64_t> ids;
    for (const auto& [id, owner] : index_)
        if (owner == &m) ids.push_back(id);
    return ids;
}

bool fake_machine_host::retired(const machine& m) const {
    return std::find(retired_.begin(), retired_.end(), &m) != retired_.end();
}

const boost::json::value& fake_machine_host::value_of(const std::shared_ptr<future_state>& f) {
    static const boost::json::value none;
    return succeeded(f) ? f->value : none;
}

std::string fake_machine_host::error_text(const std::shared_ptr<future_state>& f) {
    if (f->st != future_state::status::failed || !f->error) return {};
    try {
        std::rethrow_exception(f->error);
    } catch (const std::exception& e) {
        return detail::demangle(typeid(e)) + ": " + e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

std::shared_ptr<future_state> fake_machine_host::make_future(detail::cancel_target* cancel) {
    auto s = std::make_shared<future_state>();
    s->cancel = cancel;
    futures_.push_back(s);
    return s;
}

bool fake_machine_host::settle(future_state& s, const char* how) {
    const bool ours = std::any_of(futures_.begin(), futures_.end(), [&](const auto& f) { return f.get() == &s; });
    if (!ours) violations_.push_back(std::string("a machine ") + how + " a future this host did not make");
    if (s.ready()) {
        ++ignored_settlements_;
        return false;
    }
    s.resolved_seq = ++resolved_seq_;
    s.cancel = nullptr;
    return true;
}

void fake_machine_host::resolve(future_state& s, boost::json::value v) {
    if (!settle(s, "resolved")) return;
    s.st = future_state::status::succeeded;
    s.value = std::move(v);
}

void fake_machine_host::reject(future_state& s, std::exception_ptr e) {
    if (!settle(s, "rejected")) return;
    s.st = future_state::status::failed;
    s.error = std::move(e);
}

void fake_machine_host::add_command(command_kind kind, boost::json::object attrs, machine* owner) {
    if (owner && retired(*owner))
        violations_.push_back(std::string("a retired machine added ") + detail::command_name(kind));
    commands_.push_back(command{kind, std::move(attrs), owner, false});
}

void fake_machine_host::drop_command(const machine* owner) {
    for (auto& c : commands_)
        if (c.owner == owner && !c.dropped) {
            c.dropped = true;
            return;
        }
    violations_.push_back("a machine dropped a command it had not added in this activation");
}

void fake_machine_host::index_event(std::int64_t event_id, machine* m) {
    if (retired(*m)) violations_.push_back("a retired machine indexed event " + std::to_string(event_id));
    if (auto it = index_.find(event_id); it != index_.end() && it->second != m)
        violations_.push_back("event " + std::to_string(event_id) + " was indexed to two machines");
    index_[event_id] = m;
}

void fake_machine_host::unindex_event(std::int64_t event_id) {
    if (index_.erase(event_id) == 0)
        violations_.push_back("event " + std::to_string(event_id) + " was unindexed but not indexed");
}

void fake_machine_host::retire(machine* m) {
    if (retired(*m)) violations_.push_back("a machine retired twice");
    if (m->future()) m->future()->cancel = nullptr;
    retired_.push_back(m);
}

void fake_machine_host::check_index() {
    for (const auto& [id, m] : index_) {
        if (!retired(*m)) continue;
        const std::string v = "a retired machine is still indexed under event " + std::to_string(id);
        if (std::find(violations_.begin(), violations_.end(), v) == violations_.end()) violations_.push_back(v);
    }
}

boost::json::object failure_record(const std::string& message, const std::string& type) {
    return failure{message, failure_kind::application, {{"type", type}, {"non_retryable", false}}}.to_json();
}

}   // namespace perdure::test
