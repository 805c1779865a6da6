// Unit tests of the pure layers (replay, machines, codec) and of the store.
#define BOOST_TEST_MODULE perdure unit
#include <boost/test/unit_test.hpp>
