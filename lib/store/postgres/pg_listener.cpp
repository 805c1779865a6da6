#include "store/postgres/pg_listener.hpp"

#include "store/postgres/pg_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>

namespace perdure::detail {
namespace {

using namespace std::chrono_literals;

std::int64_t number_in(const std::string& payload) {
    std::int64_t n = 0;
    std::from_chars(payload.data(), payload.data() + payload.size(), n);
    return n;
}

std::optional<store_notice> notice_of(const pg::connection::notification& n) {
    using kind = store_notice::kind;
    if (n.channel == pg_channel::inbox) return store_notice{kind::inbox, 0};
    if (n.channel == pg_channel::answered) return store_notice{kind::answered, number_in(n.payload)};
    if (n.channel == pg_channel::closed) return store_notice{kind::closed, number_in(n.payload)};
    if (n.channel == pg_channel::registry) return store_notice{kind::registry, 0};
    if (n.channel == pg_channel::tasks) return store_notice{kind::tasks, number_in(n.payload)};
    return std::nullopt;
}

/// As the blocking connections give up on a host that does not answer.
constexpr auto connect_patience = 10s;
constexpr auto first_pause = 100ms;
constexpr auto longest_pause = 2000ms;

}   // namespace

// Everything runs on the strand, one step per readiness of the connection's socket; each step
// that fails (the server away, the connection broken) closes the connection and listens again
// after a pause. Handlers hold the state, so it lives until the last of them has run.
struct pg_listener::state : std::enable_shared_from_this<state> {
    using step = void (state::*)();

    state(boost::asio::io_context& io, std::string uri, std::vector<std::string> channels,
          std::function<void(store_notice)> heard)
        : strand(boost::asio::make_strand(io)),
          socket(strand),
          resolver(strand),
          pause(strand),
          deadline(strand),
          uri(std::move(uri)),
          channels(std::move(channels)),
          heard(std::move(heard)) {}
    ~state() {
        if (socket.is_open()) socket.release();   // libpq's to close, with the connection
    }

    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    boost::asio::posix::stream_descriptor socket;   // the connection's socket, which libpq closes
    boost::asio::ip::tcp::resolver resolver;        // the server's host name, off the loop's thread
    boost::asio::steady_timer pause;                // before the next attempt
    boost::asio::steady_timer deadline;             // of an attempt to connect
    std::string uri;
    std::unique_ptr<pg::connection> conn;
    std::uint64_t attempt = 0;           // a deadline of an earlier attempt does nothing
    std::uint64_t last_wait = 0;         // nor does a wait that was not the last one
    bool listening = false;              // connected: hearing() runs on each readiness
    std::vector<std::string> channels;   // what to listen to
    std::vector<std::string> sent;       // what the last LISTENs sent asked for
    bool answer_due = false;             // LISTENs were sent and not answered yet
    std::chrono::milliseconds delay = first_pause;

    std::mutex mutex;   // held while `heard` runs, so the destructor can stop it
    bool stopped = false;
    std::function<void(store_notice)> heard;

    bool stopping() {
        std::lock_guard lk(mutex);
        return stopped;
    }

    void tell(store_notice n) {
        std::lock_guard lk(mutex);
        if (!stopped) heard(n);
    }

    /// Listens to `channels` and nothing else.
    void send_channels() {
        std::string sql = "UNLISTEN *;";
        for (const auto& channel : channels) sql += "LISTEN " + channel + ";";
        conn->send(sql.c_str());
        sent = channels;
    }

    void connect() {
        if (stopping()) return;
        ++attempt;
        listening = false;
        deadline.expires_after(connect_patience);   // the lookup included
        deadline.async_wait([self = shared_from_this(), a = attempt](boost::system::error_code ec) {
            if (!ec && a == self->attempt && !self->listening) self->again_later();
        });
        // libpq would look a host name up with a blocking call on this thread; Asio's resolver
        // does it on a thread of its own, and libpq is given the addresses.
        const auto host = pg::host_to_resolve(uri);
        if (!host) return start_connecting({}, {});
        resolver.async_resolve(host->name, host->port,
                               [self = shared_from_this(), a = attempt, name = host->name](
                                   boost::system::error_code ec, boost::asio::ip::tcp::resolver::results_type found) {
                                   if (a != self->attempt || self->stopping()) return;
                                   if (ec || found.empty()) return self->again_later();
                                   std::string hosts, addresses;
                                   for (const auto& entry : found) {
                                       hosts += (hosts.empty() ? "" : ",") + name;
                                       addresses +=
                                           (addresses.empty() ? "" : ",") + entry.endpoint().address().to_string();
                                   }
                                   self->start_connecting(hosts, addresses);
                               });
    }

    void start_connecting(const std::string& hosts, const std::string& addresses) {
        try {
            conn = std::make_unique<pg::connection>(uri, "perdure listener", pg::connection::not_waiting, hosts,
                                                    addresses);
        } catch (const pg::failure&) {
            return again_later();
        }
        // libpq's rule for the first step: as if the last had asked to write.
        wait_for(pg::connection::wait::write, &state::connecting);
    }

    void connecting() {
        const auto next = conn->connect_step();
        if (next != pg::connection::wait::none) return wait_for(next, &state::connecting);
        listening = true;
        deadline.cancel();
        delay = first_pause;
        sent.clear();   // a new session listens to nothing yet: hearing() sends the LISTENs
        hearing();
    }

    /// Hands over what was heard, and sends the LISTENs for `channels` when they differ from
    /// what was last sent; once those are answered, says `missed`.
    void hearing() {
        if (answer_due) {
            if (!conn->sent()) return wait_for(pg::connection::wait::write, &state::hearing);
            if (conn->answered()) {
                answer_due = false;
                tell({store_notice::kind::missed, 0});
            }
        }
        for (const auto& n : conn->take_notifications())
            if (const auto notice = notice_of(n)) tell(*notice);
        if (!answer_due && sent != channels) {
            send_channels();
            answer_due = true;
            return hearing();
        }
        wait_for(pg::connection::wait::read, &state::hearing);
    }

    /// Runs `next` once the socket is ready for `what`, unless another wait or a new attempt
    /// came after.
    void wait_for(pg::connection::wait what, step next) {
        // While connecting, libpq may close its socket and open another, which can take the same
        // number: the descriptor is registered afresh for every wait until the connection is made.
        if (socket.is_open() && (!listening || socket.native_handle() != conn->socket())) socket.release();
        if (!socket.is_open()) socket.assign(conn->socket());
        const auto how = what == pg::connection::wait::read ? boost::asio::posix::descriptor_base::wait_read
                                                            : boost::asio::posix::descriptor_base::wait_write;
        socket.async_wait(how, [self = shared_from_this(), w = ++last_wait, next](boost::system::error_code ec) {
            if (!ec && w == self->last_wait) self->run(next);
        });
    }

    void run(step next) {
        if (stopping()) return;
        try {
            ((*this).*next)();
        } catch (const pg::failure&) {
            again_later();   // the server is away or the connection broke
        }
    }

    void listen_to(std::vector<std::string> wanted) {
        channels = std::move(wanted);
        if (!listening || answer_due) return;   // the LISTENs sent next, or after the answer, take them
        ++last_wait;                            // the wait in progress is this step's to take up
        run(&state::hearing);
    }

    void again_later() {
        close_connection();
        if (stopping()) return;
        pause.expires_after(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(longest_pause));
        pause.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->connect();
        });
    }

    void close_connection() {
        ++attempt;
        resolver.cancel();
        ++last_wait;
        if (socket.is_open()) socket.release();   // libpq closes it
        deadline.cancel();
        conn.reset();
        listening = false;
        answer_due = false;
    }

    void stop() {
        close_connection();
        pause.cancel();
    }
};

pg_listener::pg_listener(boost::asio::io_context& io, std::string uri, std::vector<std::string> channels,
                         std::function<void(store_notice)> heard)
    : state_(std::make_shared<state>(io, std::move(uri), std::move(channels), std::move(heard))) {
    boost::asio::post(state_->strand, [s = state_] { s->connect(); });
}

void pg_listener::listen_to(std::vector<std::string> channels) {
    boost::asio::post(state_->strand,
                      [s = state_, channels = std::move(channels)]() mutable { s->listen_to(std::move(channels)); });
}

pg_listener::~pg_listener() {
    {
        std::lock_guard lk(state_->mutex);
        state_->stopped = true;
    }
    boost::asio::post(state_->strand, [s = state_] { s->stop(); });
}

}   // namespace perdure::detail
