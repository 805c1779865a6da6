// The stores a conformance case runs on: each gives the engine_options of a fresh, empty
// database of its kind, so one case body checks that both stores behave the same.
#pragma once

#include "support/postgres_cluster.hpp"
#include "support/temp_dir.hpp"
#include "unit/store/store_options.hpp"

#include <perdure/engine_options.hpp>

#include <boost/mpl/list.hpp>

#include <string>

namespace perdure::test {

struct sqlite_backend {
    temp_dir dir;
    engine_options options() const { return store_options(dir.file("db")); }
    std::string database() const { return dir.file("db"); }
};

struct postgres_backend {
    std::string uri = postgres_cluster::instance().create_database();
    engine_options options() const { return store_options(uri); }
    std::string database() const { return uri; }
};

using store_backends = boost::mpl::list<sqlite_backend, postgres_backend>;

}   // namespace perdure::test
