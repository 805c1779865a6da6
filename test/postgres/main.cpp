// The PostgreSQL store against a real PostgreSQL 15 the tests start (test/support/postgres_cluster),
// and the store-interface conformance cases run on both stores.
#define BOOST_TEST_MODULE perdure postgres
#include <boost/test/unit_test.hpp>
