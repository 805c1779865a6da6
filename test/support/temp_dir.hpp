// A temporary directory removed with its contents at scope exit.
#pragma once

#include <filesystem>
#include <string>

namespace perdure::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}   // namespace perdure::test
