// Starting and stopping the tests' private PostgreSQL cluster with initdb and pg_ctl.
#include "support/postgres_cluster.hpp"

#include "store/postgres/pg_connection.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <pwd.h>
#include <unistd.h>

namespace perdure::test {
namespace {

constexpr int port = 54329;   // only names the socket file in the private directory

std::string bindir() {
    if (const char* env = std::getenv("PERDURE_PG_BINDIR")) return env;
    return "/usr/lib/postgresql/15/bin";
}

}   // namespace

postgres_cluster& postgres_cluster::instance() {
    static postgres_cluster cluster;
    return cluster;
}

bool postgres_cluster::run(const std::string& command, const char* what) {
    const std::string line = as_postgres_ + command + " >>" + dir_ + "/cluster.log 2>&1";
    if (std::system(line.c_str()) == 0) return true;
    why_not_ = std::string(what) + " failed; see " + dir_ + "/cluster.log";
    std::cerr << "postgres_cluster: " << why_not_ << "\n";
    return false;
}

postgres_cluster::postgres_cluster() : bin_(bindir()) {
    if (!std::filesystem::exists(bin_ + "/initdb") || !std::filesystem::exists(bin_ + "/pg_ctl")) {
        why_not_ = "no PostgreSQL binaries in " + bin_ + " (install postgresql-15, or set PERDURE_PG_BINDIR)";
        std::cerr << "postgres_cluster: skipping PostgreSQL tests: " << why_not_ << "\n";
        return;
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "perdure-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
        why_not_ = "mkdtemp failed";
        return;
    }
    dir_ = tmpl;
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) {
            why_not_ = "running as root and there is no postgres user to run the server as";
            std::cerr << "postgres_cluster: skipping PostgreSQL tests: " << why_not_ << "\n";
            return;
        }
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            why_not_ = "cannot hand " + dir_ + " to the postgres user";
            return;
        }
        as_postgres_ = "runuser -u postgres -- ";
    }
    if (!run(bin_ + "/initdb -D " + dir_ + "/data -A trust -U perdure -E UTF8 --locale=C -N", "initdb")) return;
    started_ = start();
    available_ = started_;
}

bool postgres_cluster::start() {
    return run(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -o \"-k " + dir_ +
                   " -c listen_addresses='' -p " + std::to_string(port) +
                   " -c fsync=off -c full_page_writes=off -c synchronous_commit=off\" start",
               "pg_ctl start");
}

bool postgres_cluster::restart() {
    return started_ && run(bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop", "pg_ctl stop") && start();
}

postgres_cluster::~postgres_cluster() {
    if (started_) run(bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop", "pg_ctl stop");
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string postgres_cluster::uri(const std::string& db) const {
    return "postgresql://perdure@/" + db + "?host=" + dir_ + "&port=" + std::to_string(port);
}

std::string postgres_cluster::socket_path() const { return dir_ + "/.s.PGSQL." + std::to_string(port); }

std::string postgres_cluster::create_database() {
    const std::string name = "t" + std::to_string(++next_db_);
    detail::pg::connection c(uri("postgres"), "perdure tests");
    c.run(("CREATE DATABASE " + name).c_str());   // a name of ours: no outside text in this statement
    return uri(name);
}

}   // namespace perdure::test
