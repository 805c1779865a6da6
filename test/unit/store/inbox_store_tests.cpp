// The inbox through the store interface, from both sides: a sender that does not own the store
// leaves typed commands, the owner reads them typed, claims and answers them in its batches, and
// the sender reads the typed answer or withdraws a command nobody took. And a snapshot: reads
// that agree with each other while the owner commits. The owner sweeps what nobody waits for.
#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

#include "commit_log.hpp"
#include "support/temp_dir.hpp"

#include <perdure/clock.hpp>
#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>

using namespace perdure::detail;
using perdure::test::temp_dir;

namespace {

/// An owner whose test waits for each unit to commit.
struct owned_store {
    perdure::test::commit_log log;
    std::unique_ptr<store> s;

    explicit owned_store(const std::string& path, std::shared_ptr<perdure::clock> clock = {}) {
        perdure::engine_options o;
        o.database = path;
        o.durability = perdure::durability::off;
        o.clock = std::move(clock);
        s = open_store(o, open_mode::owner, log.callbacks());
    }
    void commit(write_op op) {
        std::vector<write_op> ops;
        ops.push_back(std::move(op));
        log.wait_for(s->append(std::move(ops)));
    }
};

std::unique_ptr<store> sender_for(const std::string& path) {
    perdure::engine_options o;
    o.database = path;
    o.durability = perdure::durability::normal;
    return open_store(o, open_mode::reader);
}

constexpr std::int64_t now = 1'000'000, later = 60'000'000;

}   // namespace

BOOST_AUTO_TEST_SUITE(store_inbox)

BOOST_AUTO_TEST_CASE(a_command_reaches_the_owner_typed_and_its_answer_reaches_the_sender_typed) {
    temp_dir dir;
    owned_store owner(dir.file("db"));
    auto sender = sender_for(dir.file("db"));
    const inbox_command sent =
        endpoint_update_command{"pay", "payments", std::nullopt, "q2", std::nullopt, 2.5, std::nullopt};
    const auto id = sender->submit_command(sent, now, later);
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::pending));

    const auto pending = owner.s->reads().pending_commands(now, 10);
    BOOST_TEST_REQUIRE(pending.size() == 1u);
    BOOST_TEST(pending[0].id == id);
    BOOST_TEST_REQUIRE(pending[0].command.has_value());
    BOOST_TEST((*pending[0].command == sent));

    auto claimed = std::make_shared<std::atomic<bool>>(false);
    owner.commit(claim_inbox{id, claimed});
    BOOST_TEST(claimed->load());
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::claimed));
    BOOST_TEST(!sender->withdraw_command(id));   // claimed first: it runs
    BOOST_TEST(owner.s->reads().pending_commands(now, 10).empty());

    const endpoint_answer updated{"id-1", 2, "payments", "ns", "q2", "", 2.5};
    owner.commit(finish_inbox{id, updated});
    const auto status = sender->command_status(id);
    BOOST_TEST_REQUIRE(status.has_value());
    BOOST_TEST((status->at == inbox_status::stage::answered));
    BOOST_TEST((status->answer == inbox_answer(updated)));
}

BOOST_AUTO_TEST_CASE(a_failure_reaches_the_sender_with_its_code_and_message) {
    temp_dir dir;
    owned_store owner(dir.file("db"));
    auto sender = sender_for(dir.file("db"));
    const auto id = sender->submit_command(namespace_delete_command{"app"}, now, later);
    owner.commit(claim_inbox{id, std::make_shared<std::atomic<bool>>(false)});
    const inbox_failure refused{perdure::errc::failed_precondition, "namespace 'app' still has open workflows"};
    owner.commit(finish_inbox{id, refused});
    BOOST_TEST((sender->command_status(id)->answer == inbox_answer(refused)));
}

BOOST_AUTO_TEST_CASE(a_withdrawn_command_is_never_offered_to_the_owner) {
    temp_dir dir;
    owned_store owner(dir.file("db"));
    auto sender = sender_for(dir.file("db"));
    const auto id = sender->submit_command(namespace_create_command{"late", "", {}}, now, later);
    BOOST_TEST(sender->withdraw_command(id));
    BOOST_TEST((sender->command_status(id)->at == inbox_status::stage::withdrawn));
    BOOST_TEST(owner.s->reads().pending_commands(now, 10).empty());
    auto claimed = std::make_shared<std::atomic<bool>>(true);
    owner.commit(claim_inbox{id, claimed});
    BOOST_TEST(!claimed->load());
    BOOST_TEST(!sender->command_status(id + 1));   // no such command
}

BOOST_AUTO_TEST_CASE(an_expired_command_is_not_offered_to_the_owner) {
    temp_dir dir;
    owned_store owner(dir.file("db"));
    auto sender = sender_for(dir.file("db"));
    sender->submit_command(namespace_delete_command{"old"}, now, now + 1);
    BOOST_TEST(owner.s->reads().pending_commands(now + 1, 10).empty());
    BOOST_TEST(owner.s->reads().pending_commands(now, 10).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_snapshot_keeps_the_state_it_first_read_while_the_owner_commits) {
    temp_dir dir;
    owned_store owner(dir.file("db"));
    owner.commit(upsert_namespace{namespace_row{1, "first", "", 0, 1000}});
    auto reader = sender_for(dir.file("db"));
    auto snapshot = reader->snapshot();
    BOOST_TEST(snapshot->namespaces().size() == 1u);
    owner.commit(upsert_namespace{namespace_row{2, "second", "", 0, 1000}});
    BOOST_TEST(snapshot->namespaces().size() == 1u);   // still the state of its first read
    BOOST_TEST(snapshot->max_namespace_id() == 1);
    BOOST_TEST(reader->reads().namespaces().size() == 2u);   // plain reads see the new commit
    BOOST_TEST(reader->snapshot()->namespaces().size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_owner_sweeps_commands_no_sender_waits_for_from_the_inbox) {
    using namespace std::chrono_literals;
    temp_dir dir;
    auto clock = std::make_shared<perdure::manual_clock>(perdure::clock::time_point(1'000s));
    owned_store owner(dir.file("db"), clock);
    auto sender = sender_for(dir.file("db"));
    const auto command = [&](std::int64_t expires) {
        return sender->submit_command(namespace_delete_command{"zeta"}, now, expires);
    };
    const inbox_answer no_such = inbox_failure{perdure::errc::not_found, "no namespace zeta"};
    constexpr std::int64_t far = std::int64_t{1} << 60;
    const auto answered = command(far), withdrawn = command(far);
    command(1);   // left pending past its expiry
    const auto answered_later = command(far), claimed = command(far), pending = command(far);
    // The first batch's sweep marks where the inbox stands, and deletes nothing.
    owner.commit(finish_inbox{answered, no_such});
    owner.commit(claim_inbox{claimed, std::make_shared<std::atomic<bool>>(false)});
    BOOST_TEST(sender->withdraw_command(withdrawn));
    const auto late = command(1);   // after the mark: the next sweep leaves it

    const auto ids = [&] {
        perdure::detail::sql::connection c(dir.file("db"), true, false);
        auto s = c.prepare("SELECT id FROM inbox ORDER BY id");
        std::vector<std::int64_t> found;
        while (s.step()) found.push_back(s.int64(0));
        return found;
    };
    clock->advance(4min);   // not due yet
    owner.commit(finish_inbox{answered_later, no_such});
    BOOST_TEST(ids().size() == 7u);
    clock->advance(1min);
    owner.commit(claim_inbox{late, std::make_shared<std::atomic<bool>>(false)});
    // The sweep follows its batch on the writer thread, so it is done once a later batch is.
    owner.commit(upsert_namespace{namespace_row{1, "first", "", 0, 1000}});
    // Below the mark, what is answered, withdrawn or expired went; the claimed command waits for
    // its answer and the pending one for its owner.
    const std::vector<std::int64_t> kept{claimed, pending, late};
    BOOST_TEST(ids() == kept, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_create_open_says_whether_it_made_the_store) {
    temp_dir dir;
    perdure::engine_options o;
    o.database = dir.file("made");
    o.durability = perdure::durability::normal;
    BOOST_TEST(open_store(o, open_mode::create)->created());
    BOOST_TEST(!open_store(o, open_mode::create)->created());
    BOOST_CHECK_THROW(open_store({.database = dir.file("missing")}, open_mode::reader), perdure::not_found);
}

BOOST_AUTO_TEST_SUITE_END()
