// An application's engine in another process, for the CLI tests: it opens the database given
// as its argument, runs the test workflow's worker, prints "ready" and runs until its standard
// input closes (so it also ends when the test process dies).
#include "test_workflow.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: engine-host DATABASE\n";
        return 2;
    }
    try {
        perdure::engine engine({.database = argv[1], .durability = perdure::durability::normal});
        perdure::test::register_app_worker(engine);
        engine.start();
        std::cout << "ready" << std::endl;
        for (std::string line; std::getline(std::cin, line);) {
        }
    } catch (const std::exception& e) {
        std::cerr << "engine-host: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
