// Integration tests: the real engine on temporary files with a manual clock.
#define BOOST_TEST_MODULE perdure integration
#include <boost/test/unit_test.hpp>
