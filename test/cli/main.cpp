// Tests of the perdure command-line tool: the real binary, run against real database files.
#define BOOST_TEST_MODULE perdure cli
#include <boost/test/unit_test.hpp>
