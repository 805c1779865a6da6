// The inbox's stored form on data: rows as senders before typed commands wrote them read as the
// same typed commands, every kind stores and reads back as itself, and a row that is not a
// command, or an answer that does not fit, is refused with a message instead of guessed at.
#include "store/inbox_json.hpp"

#include <perdure/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace perdure::detail;
using namespace std::chrono_literals;

namespace {

std::string message_of_parsing(std::string_view text) {
    try {
        parse_stored_command(text);
    } catch (const perdure::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

}   // namespace

BOOST_AUTO_TEST_SUITE(inbox_stored_form)

BOOST_AUTO_TEST_CASE(rows_in_the_format_the_cli_always_wrote_read_as_typed_commands) {
    BOOST_TEST((parse_stored_command(
                    R"({"op":"namespace.create","namespace":"ops","description":"d","retention_ms":86400000})") ==
                inbox_command(namespace_create_command{"ops", "d", 24h})));
    BOOST_TEST((parse_stored_command(R"({"op":"namespace.create","namespace":"ops"})") ==
                inbox_command(namespace_create_command{"ops", "", 0ms})));
    BOOST_TEST((
        parse_stored_command(R"({"op":"endpoint.update","name":"e","description":"","max_operations_per_second":0})") ==
        inbox_command(endpoint_update_command{"e", std::nullopt, std::nullopt, std::nullopt, "", 0.0, std::nullopt})));
    BOOST_TEST((
        parse_stored_command(
            R"({"op":"workflow.signal","namespace":"app","workflow_id":"o-1","run_id":"","signal":"go","input":"now"})") ==
        inbox_command(workflow_signal_command{{"app", "o-1", ""}, "go", "now"})));
    BOOST_TEST(
        (parse_stored_command(R"({"op":"workflow.cancel","namespace":"app","workflow_id":"o-1","run_id":"r"})") ==
         inbox_command(workflow_cancel_command{{"app", "o-1", "r"}})));
}

/// A start as an engine standing by beside the owner sends it: every API option, and a signal.
workflow_start_command a_start_from_an_engine() {
    workflow_start_command c{"app", "Order", "q", "o-1", "in", "req-2"};
    c.id_reuse = perdure::id_reuse_policy::reject_duplicate;
    c.id_conflict = perdure::id_conflict_policy::use_existing;
    c.execution_timeout = 90s;
    c.run_timeout = 30s;
    c.retry = perdure::retry_policy{.initial_interval = 2s, .maximum_interval = 200s, .maximum_attempts = 4};
    c.memo = {{"k", "v"}};
    c.search_attributes = {{"CustomerId", std::string("c-7")},
                           {"Amount", std::int64_t{12}},
                           {"Tags", std::vector<std::string>{"a", "b"}},
                           {"Rush", true}};
    c.signal = "go";
    c.signal_arg = 3;
    c.from_engine = true;
    return c;
}

BOOST_AUTO_TEST_CASE(a_start_keeps_its_options_and_bad_ones_make_it_unreadable) {
    const inbox_command c = a_start_from_an_engine();
    BOOST_TEST((parse_stored_command(stored_command(c)) == c), stored_command(c));
    // The CLI's start writes none of them, as it always did.
    const auto plain = stored_command(workflow_start_command{"app", "Order", "q", "o-1", nullptr, ""});
    BOOST_TEST(plain.find("id_reuse") == std::string::npos, plain);
    BOOST_TEST(plain.find("from_engine") == std::string::npos, plain);
    const char* bad[] = {
        R"({"op":"workflow.start","id_reuse":7})",
        R"({"op":"workflow.start","id_conflict":"fail"})",
        R"({"op":"workflow.start","run_timeout_ms":-1})",
        R"({"op":"workflow.start","memo":[1]})",
        R"({"op":"workflow.start","search_attributes":{"X":{"type":"Nope","value":1}}})",
        R"({"op":"workflow.start","signal":""})",
        R"({"op":"workflow.start","from_engine":1})",
        R"({"op":"endpoint.update","name":"e","expected_version":"3"})",
        R"({"op":"endpoint.update","name":"e","expected_version":1.5})",
    };
    for (const char* text : bad) BOOST_CHECK_THROW(parse_stored_command(text), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(an_activity_report_without_a_positive_whole_attempt_or_with_a_text_key_is_unreadable) {
    const char* bad[] = {
        R"({"op":"activity.started","run_key":7,"seq":5})",
        R"({"op":"activity.started","run_key":7,"seq":5,"attempt":0})",
        R"({"op":"activity.started","run_key":7,"seq":5,"attempt":4294967297})",
        R"({"op":"activity.finished","run_key":"7","seq":5,"attempt":1})",
        R"({"op":"activity.heartbeat","run_key":7,"seq":5,"attempt":1e3})",
    };
    for (const char* text : bad) BOOST_CHECK_THROW(parse_stored_command(text), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_nexus_report_with_a_bad_attempt_links_or_start_is_unreadable) {
    const char* bad[] = {
        R"({"op":"nexus.handled","run_key":7,"seq":5})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":-1})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"links":{"url":"x"}})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"links":[{"type":"t"}]})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"links":[{"url":3}]})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"start":"Spell"})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"start":{"workflow_type":1}})",
        R"({"op":"nexus.handled","run_key":7,"seq":5,"attempt":1,"start":{"id_reuse":"sometimes"}})",
    };
    for (const char* text : bad) BOOST_CHECK_THROW(parse_stored_command(text), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_workflow_task_report_or_query_answer_of_the_wrong_shape_is_unreadable) {
    const char* bad[] = {
        R"({"op":"workflow.task","run_key":"7","last_event_id":12})",
        R"({"op":"workflow.task","run_key":7,"last_event_id":12,"commands":{"kind":0}})",
        R"({"op":"workflow.task","run_key":7,"last_event_id":12,"failure":"boom"})",
        R"({"op":"workflow.task","run_key":7,"last_event_id":12,"unread_signals":"go"})",
        R"({"op":"workflow.query-answer","run_key":7,"answer":1})",
        R"({"op":"workflow.query-answer","run_key":7,"query_id":"","answer":1})",
        R"({"op":"workflow.query-answer","run_key":7,"query_id":"q-1","failure":{"message":"boom"}})",
    };
    for (const char* text : bad) BOOST_CHECK_THROW(parse_stored_command(text), perdure::invalid_argument);
}

BOOST_AUTO_TEST_CASE(every_kind_stores_and_reads_back_as_itself) {
    const inbox_command commands[] = {
        namespace_create_command{"a", "about a", 90min},
        namespace_update_command{"a", 12h},
        namespace_delete_command{"a"},
        endpoint_create_command{"e", "ns", "q", "# e", 2.5},
        endpoint_update_command{"e", "f", "ns2", std::nullopt, std::nullopt, 0.0, std::nullopt},
        endpoint_update_command{"e", {}, {}, {}, "checked", {}, 3},
        endpoint_delete_command{"e"},
        endpoint_health_command{"e"},
        endpoint_health_command{"e", "callers"},
        engine_handover_command{},
        workflow_task_command{
            7, 12, 1'700'000'000'000'000,
            boost::json::parse(R"([{"kind":0,"attributes":{"activity_type":{"name":"Ship"}}}])").as_array(), nullptr,
            boost::json::parse(R"([["go",1]])").as_array(), "host:41",
            boost::json::parse(R"([{"id":"u1","result":"accepted"},{"id":"u2","result":"known"}])").as_array()},
        workflow_task_command{7, 12, 5, {}, boost::json::parse(R"({"cause":0,"message":"boom"})")},
        workflow_query_answer_command{7, "q-1", boost::json::parse(R"({"count":[1,2]})"), ""},
        workflow_query_answer_command{7, "q-1", nullptr, "no query handler named 'size' (known: count)"},
        workflow_signal_command{{"app", "w", ""}, "go", boost::json::parse(R"({"n":[1,2.5,null]})")},
        workflow_cancel_command{{"app", "w", "r"}},
        workflow_cancel_command{{"app", "w", ""}, "first-run"},
        workflow_terminate_command{{"app", "w", ""}, "stuck"},
        workflow_terminate_command{{"app", "w", ""}, "stuck", "first-run"},
        workflow_start_command{"app", "Order", "app-tq", "o-9", boost::json::parse(R"({"qty":2})"), "req-1"},
        workflow_query_command{{"app", "w", "r"}, "__stack_trace", nullptr},
        workflow_update_command{{"app", "w", ""}, "approve", "ada", "u-1"},
        workflow_delete_command{{"app", "w", "r"}},
        search_attribute_create_command{"app", "CustomerId", perdure::search_attribute_type::keyword_list},
        search_attribute_remove_command{"app", "CustomerId"},
        activity_report_command{activity_report_command::stage::started, 7, 5, 2, {}, {}, {}, "host:41"},
        activity_report_command{activity_report_command::stage::heartbeat, 7, 5, 2, boost::json::parse(R"({"at":3})")},
        activity_report_command{activity_report_command::stage::finished, 7, 5, 3, "done"},
        activity_report_command{activity_report_command::stage::finished, 7, 5, 3, nullptr,
                                boost::json::parse(R"({"message":"boom","kind":"application"})"), 4},
        nexus_report_command{7, 5, 2, "said", nullptr,
                             boost::json::parse(R"([{"url":"https://x/1","type":"t"}])").as_array()},
        nexus_report_command{7, 5, 3, nullptr, boost::json::parse(R"({"message":"refused"})")},
        nexus_report_command{7,
                             5,
                             1,
                             nullptr,
                             nullptr,
                             {},
                             workflow_start_command{"handlers", "Spell", "", "spell-1", nullptr, "",
                                                    perdure::id_reuse_policy::reject_duplicate}},
    };
    for (const auto& c : commands) {
        const auto stored = stored_command(c);
        BOOST_TEST((parse_stored_command(stored) == c), stored);
        BOOST_TEST(stored.find(std::string("\"op\":\"") + std::string(inbox_op_name(c)) + "\"") != std::string::npos,
                   stored);
    }
}

BOOST_AUTO_TEST_CASE(a_row_that_is_not_a_command_is_refused_saying_why) {
    BOOST_TEST(message_of_parsing("[1,2]") == "malformed inbox command: an inbox command must be a JSON object");
    BOOST_TEST(message_of_parsing("{\"op\":").find("malformed inbox command: ") == 0u);
    BOOST_TEST(message_of_parsing(R"({"op":"dance"})") == "unknown inbox command 'dance'");
    BOOST_TEST(message_of_parsing(R"({"namespace":"a"})") == "unknown inbox command ''");
    BOOST_TEST(message_of_parsing(R"({"op":"namespace.update","namespace":"a","retention_ms":"1d"})") ==
               "an inbox command's retention_ms must be an integer");
    BOOST_TEST(message_of_parsing(R"({"op":"namespace.delete","namespace":7})") ==
               "malformed inbox command: 'namespace' must be a string");
    BOOST_TEST(message_of_parsing(R"({"op":"endpoint.create","name":"e","max_operations_per_second":"fast"})") ==
               "malformed inbox command: 'max_operations_per_second' must be a number");
    BOOST_TEST(message_of_parsing(R"({"op":"search-attribute.create","namespace":"a","name":"X","type":"Strng"})")
                   .find("unknown search attribute type 'Strng'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(answers_store_in_the_format_senders_read_and_read_back) {
    const inbox_command created = namespace_create_command{"a", "", 0ms};
    const inbox_answer ns = namespace_answer{"a", "about a", 72h};
    BOOST_TEST(stored_answer(ns) == R"({"name":"a","description":"about a","retention":"259200s"})");
    BOOST_TEST(std::string(stored_state(ns)) == "done");
    BOOST_TEST((parse_stored_answer(&created, false, stored_answer(ns)) == ns));

    const inbox_command update = endpoint_update_command{"e", {}, {}, {}, {}, {}, {}};
    const inbox_answer endpoint = endpoint_answer{"id", 3, "e", "ns", "q", "", 1.5};
    BOOST_TEST((parse_stored_answer(&update, false, stored_answer(endpoint)) == endpoint));

    const inbox_command removed = namespace_delete_command{"a"};
    BOOST_TEST(stored_answer(inbox_answer{}) == "{}");
    BOOST_TEST((parse_stored_answer(&removed, false, "{}") == inbox_answer{}));

    const inbox_command started = workflow_start_command{"app", "Order", "q", "o-1", nullptr, ""};
    const inbox_answer run = workflow_started_answer{"o-1", "r-1"};
    BOOST_TEST(stored_answer(run) == R"({"workflow_id":"o-1","run_id":"r-1"})");
    BOOST_TEST((parse_stored_answer(&started, false, stored_answer(run)) == run));
    const inbox_answer found = workflow_started_answer{"o-1", "r-2", "r-1"};   // use_existing found a later run
    BOOST_TEST((parse_stored_answer(&started, false, stored_answer(found)) == found));
    // Failures keep what the sender needs to throw the owner's exception.
    const inbox_answer taken = inbox_failure{perdure::errc::already_exists, "taken", "r-1"};
    BOOST_TEST((parse_stored_answer(&started, true, stored_answer(taken)) == taken));
    const inbox_answer update_refused =
        inbox_failure{perdure::errc::failure, "no", {}, boost::json::parse(R"({"message":"no"})"), true};
    BOOST_TEST((parse_stored_answer(&started, true, stored_answer(update_refused)) == update_refused));
    // Its owner stopped before it finished: an update is sent again.
    const inbox_answer unfinished =
        inbox_failure{perdure::errc::storage_error, "stopped before it finished", {}, {}, false, true};
    BOOST_TEST((parse_stored_answer(&started, true, stored_answer(unfinished)) == unfinished));

    // A query's answer may be any JSON, null and strings included.
    const inbox_command asked = workflow_query_command{{"app", "o-1", ""}, "state", nullptr};
    for (const char* text : {"null", R"("waiting")", R"({"items":[1,2]})"}) {
        const inbox_answer answer = payload_answer{boost::json::parse(text)};
        BOOST_TEST((parse_stored_answer(&asked, false, stored_answer(answer)) == answer), text);
    }
    const auto no_value = parse_stored_answer(&asked, false, "{}");
    BOOST_TEST(std::holds_alternative<inbox_failure>(no_value));

    // An update's failure keeps its code, so the sender throws the same kind of error.
    const inbox_answer rejected = inbox_failure{perdure::errc::failure, "discount must be 0..50"};
    BOOST_TEST((parse_stored_answer(&asked, true, stored_answer(rejected)) == rejected));

    const inbox_answer refused = inbox_failure{perdure::errc::not_found, "no namespace 'a'"};
    BOOST_TEST(std::string(stored_state(refused)) == "failed");
    BOOST_TEST(stored_answer(refused) == R"({"error":"no namespace 'a'","code":"not_found"})");
    BOOST_TEST((parse_stored_answer(&removed, true, stored_answer(refused)) == refused));
}

BOOST_AUTO_TEST_CASE(an_answer_that_cannot_be_read_says_what_is_known) {
    const inbox_command created = namespace_create_command{"a", "", 0ms};
    // A failed row always reads as a failure, its code defaulting as the engine's did.
    BOOST_TEST((parse_stored_answer(&created, true, "not json") ==
                inbox_answer(inbox_failure{perdure::errc::failed_precondition, "the engine failed the command"})));
    BOOST_TEST((parse_stored_answer(&created, true, R"({"error":"x","code":"nondeterminism"})") ==
                inbox_answer(inbox_failure{perdure::errc::failed_precondition, "x"})));
    // A done row whose result does not fit: the command was applied, and the message says so.
    const auto unfit = parse_stored_answer(&created, false, R"({"name":"a","description":"","retention":"soon"})");
    const auto* failure = std::get_if<inbox_failure>(&unfit);
    BOOST_TEST_REQUIRE(failure);
    BOOST_TEST((failure->code == perdure::errc::storage_error));
    BOOST_TEST(failure->message.find("applied the command") != std::string::npos, failure->message);
    BOOST_TEST(failure->message.find("'retention'") != std::string::npos, failure->message);
}

BOOST_AUTO_TEST_SUITE_END()
