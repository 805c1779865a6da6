// Non-template entry points behind the async_ forms of perdure/asio.hpp (defined in the library).
#pragma once

#include <perdure/client.hpp>
#include <perdure/namespaces.hpp>
#include <perdure/nexus/endpoints.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace perdure {
class engine;
}   // namespace perdure

namespace perdure::detail {

template <class T>
using async_callback = std::function<void(std::exception_ptr, T)>;

void async_start_workflow(const client&, std::string type, boost::json::value input, start_workflow_options,
                          async_callback<started_run>);
void async_get_result(const client&, std::string workflow_id, std::string run_id, async_callback<boost::json::value>);
void async_cancel(const workflow_handle_base&, async_callback<bool>);
void async_terminate(const workflow_handle_base&, std::string reason, async_callback<bool>);
void async_describe(const workflow_handle_base&, async_callback<workflow_execution_info>);
void async_delete_workflow(const client&, std::string workflow_id, std::string run_id, async_callback<bool>);
void async_history(const workflow_handle_base&, async_callback<std::vector<history_event>>);
void async_signal_with_start(const client&, std::string type, boost::json::value input, std::string signal,
                             boost::json::value arg, start_workflow_options, async_callback<started_run>);
void async_list(const client&, std::optional<workflow_status>, std::size_t limit, std::string after,
                async_callback<std::vector<workflow_execution_info>>);
void async_signal(const workflow_handle_base&, std::string name, boost::json::value arg, async_callback<bool>);
void async_query(const workflow_handle_base&, std::string name, boost::json::value arg,
                 async_callback<boost::json::value>);
void async_update(const workflow_handle_base&, std::string name, boost::json::value arg, std::string update_id,
                  async_callback<boost::json::value>);

void async_create(const namespace_registry&, std::string name, std::string description, bool ensure,
                  async_callback<namespace_info>);
void async_list(const namespace_registry&, async_callback<std::vector<namespace_info>>);
void async_describe(const namespace_registry&, std::string name, async_callback<namespace_info>);
void async_set_retention(const namespace_registry&, std::string name, std::chrono::milliseconds,
                         async_callback<namespace_info>);
void async_remove(const namespace_registry&, std::string name, async_callback<bool>);

void async_create(const nexus::endpoint_registry&, nexus::endpoint_spec, bool ensure, async_callback<nexus::endpoint>);
void async_list(const nexus::endpoint_registry&, async_callback<std::vector<nexus::endpoint>>);
void async_describe(const nexus::endpoint_registry&, std::string name, async_callback<nexus::endpoint>);
void async_update(const nexus::endpoint_registry&, std::string name, nexus::endpoint_update,
                  async_callback<nexus::endpoint>);
void async_remove(const nexus::endpoint_registry&, std::string name, async_callback<bool>);
void async_health(const nexus::endpoint_registry&, std::string name, std::string caller_ns,
                  async_callback<nexus::endpoint_health>);

boost::asio::any_io_executor engine_executor(const engine&);

}   // namespace perdure::detail
