// Must compile: the Asio surface, with every other public header (checked with g++ as well as
// the build's compiler).
#include <perdure/asio.hpp>
#include <perdure/perdure.hpp>
#include <perdure/testing.hpp>
