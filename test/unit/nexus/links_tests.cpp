// Links to history events as Temporal's SDKs write them: names escaped as path segments, the
// query's keys in order.
#include "nexus/links.hpp"

#include <boost/test/unit_test.hpp>

using perdure::detail::request_id_url;
using perdure::detail::workflow_event_url;

BOOST_AUTO_TEST_SUITE(nexus_links)

BOOST_AUTO_TEST_CASE(plain_names_stand_as_they_are) {
    BOOST_TEST(workflow_event_url("orders", "order-1", "5f0c", 7, "NexusOperationScheduled") ==
               "temporal:///namespaces/orders/workflows/order-1/5f0c/history?"
               "eventID=7&eventType=NexusOperationScheduled&referenceType=EventReference");
}

BOOST_AUTO_TEST_CASE(a_workflow_id_with_separators_stays_one_segment) {
    // '/' and '?' would split the path or start the query; '%' and ' ' would read as escapes.
    BOOST_TEST(workflow_event_url("h.ns", "h/a?x=1&y>2 %", "r", 1, "WorkflowExecutionStarted") ==
               "temporal:///namespaces/h.ns/workflows/h%2Fa%3Fx=1&y%3E2%20%25/r/history?"
               "eventID=1&eventType=WorkflowExecutionStarted&referenceType=EventReference");
    BOOST_TEST(workflow_event_url("ns", "c/a #;,", "r", 2, "X") ==
               "temporal:///namespaces/ns/workflows/c%2Fa%20%23%3B%2C/r/history?"
               "eventID=2&eventType=X&referenceType=EventReference");
    // Bytes beyond ASCII are escaped one by one.
    BOOST_TEST(workflow_event_url("ns", "\xc3\xa9", "r", 3, "X").find("/workflows/%C3%A9/r/") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_request_id_reference_escapes_its_request_id_as_a_query_value) {
    BOOST_TEST(request_id_url("ns", "wf", "r", "a b&c=d", "WorkflowExecutionOptionsUpdated") ==
               "temporal:///namespaces/ns/workflows/wf/r/history?"
               "eventType=WorkflowExecutionOptionsUpdated&referenceType=RequestIdReference&requestID=a+b%26c%3Dd");
}

BOOST_AUTO_TEST_SUITE_END()
