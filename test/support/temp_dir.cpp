// Temporary directories for tests.
#include "support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace perdure::test {

temp_dir::temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "perdure-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}   // namespace perdure::test
