// What a test reads of a failure: the message of the error a call is expected to throw, and
// whether a message says something. An error of another type (or none) gives a text that no
// expected message contains, so the assertion on it fails and shows why.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace perdure::test {

template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("another exception: ") + e.what();
    }
    return "no exception";
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}   // namespace perdure::test
