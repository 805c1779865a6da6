// Compiled as if by g++ 12: perdure.hpp must refuse unless PERDURE_ALLOW_GCC12 is defined.
#include <perdure/perdure.hpp>
int main() {}
