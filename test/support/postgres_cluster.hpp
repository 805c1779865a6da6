// A private PostgreSQL 15 cluster for one test executable: initdb into a temporary directory,
// a server listening on a Unix socket in that directory only (no TCP), fsync off, stopped and
// removed at exit. Run as root, the server runs as the `postgres` user (PostgreSQL refuses
// root). Without the PostgreSQL binaries, available() is false and says why.
#pragma once

#include <string>

namespace perdure::test {

class postgres_cluster {
public:
    /// The executable's cluster, started on first use.
    static postgres_cluster& instance();

    bool available() const noexcept { return available_; }
    /// Why the cluster is not available (binaries missing, initdb or start failed).
    const std::string& why_not() const noexcept { return why_not_; }
    /// A new, empty database; returns its postgresql:// URI.
    std::string create_database();
    /// The URI of database `db` on this cluster.
    std::string uri(const std::string& db) const;
    /// The server's Unix socket, for a test that stands between a client and the server.
    std::string socket_path() const;
    /// Stops the server as an operator would (fast shutdown: every session is cut, open
    /// transactions roll back) and starts it again. False, saying why, when either step failed.
    bool restart();

    postgres_cluster(const postgres_cluster&) = delete;
    ~postgres_cluster();

private:
    postgres_cluster();
    bool run(const std::string& command, const char* what);
    bool start();

    std::string dir_, bin_, as_postgres_;
    bool available_ = false, started_ = false;
    std::string why_not_;
    int next_db_ = 0;
};

/// For Boost.Test's precondition decorator: skips a case, with the reason, when there is no cluster.
struct postgres_available {
    template <class Id>
    bool operator()(Id) const {
        return postgres_cluster::instance().available();
    }
};

}   // namespace perdure::test
