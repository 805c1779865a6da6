// Schema version 4. Integer keys everywhere the writer touches. History is one B-tree clustered
// by (run_key, event_id) with no index beside it: an event is written once, and a run's history
// is read in one range of neighbouring pages.
#include "store/schema.hpp"

#include <stdexcept>
#include <string>

namespace perdure::detail {

namespace {

// A deleted namespace stays as a row (its id is never reused); only live names are unique.
void create_namespaces_table(sql::connection& c, const std::string& name) {
    c.exec("CREATE TABLE " + name + R"sql((
  ns_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  retention_ms INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0))sql");
}

void create_history_table(sql::connection& c, const std::string& name) {
    c.exec("CREATE TABLE " + name + R"sql((
  run_key INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  time INTEGER NOT NULL,
  attrs TEXT NOT NULL,
  PRIMARY KEY(run_key, event_id)) WITHOUT ROWID)sql");
}

void index_namespaces(sql::connection& c) {
    c.exec("CREATE UNIQUE INDEX namespaces_by_name ON namespaces(name) WHERE deleted = 0");
}

}   // namespace

void create_schema(sql::connection& c) {
    create_namespaces_table(c, "namespaces");
    index_namespaces(c);
    create_history_table(c, "history");
    c.exec(R"sql(

CREATE TABLE executions(
  run_key INTEGER PRIMARY KEY,
  ns_id INTEGER NOT NULL,
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL UNIQUE,
  workflow_type TEXT NOT NULL,
  task_queue TEXT NOT NULL,
  status INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  close_time INTEGER NOT NULL DEFAULT 0,
  request_id TEXT NOT NULL DEFAULT '',
  first_run_id TEXT NOT NULL DEFAULT '',
  execution_deadline INTEGER NOT NULL DEFAULT 0,
  memo TEXT NOT NULL DEFAULT '{}',
  task_failure TEXT NOT NULL DEFAULT '',
  parent TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '{}',
  callbacks TEXT NOT NULL DEFAULT '[]');
CREATE INDEX executions_by_workflow ON executions(ns_id, workflow_id, run_key);
CREATE INDEX executions_open ON executions(run_key) WHERE status = 0;
CREATE INDEX executions_closed ON executions(ns_id, close_time) WHERE status <> 0;

CREATE TABLE tasks(
  run_key INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  due INTEGER NOT NULL,
  details TEXT NOT NULL DEFAULT '',
  flags INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_key, seq)) WITHOUT ROWID;

CREATE TABLE deadlines(
  run_key INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  due INTEGER NOT NULL,
  PRIMARY KEY(run_key, kind, seq)) WITHOUT ROWID;
CREATE INDEX deadlines_by_due ON deadlines(due);

CREATE TABLE inbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  command TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  result TEXT NOT NULL DEFAULT '{}');
CREATE INDEX inbox_pending ON inbox(id) WHERE state = 'pending';

CREATE TABLE nexus_endpoints(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  version INTEGER NOT NULL,
  target_namespace TEXT NOT NULL,
  target_task_queue TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  last_modified INTEGER NOT NULL DEFAULT 0,
  max_operations_per_second REAL NOT NULL DEFAULT 0) WITHOUT ROWID;
)sql");
}

void migrate_schema(sql::connection& c, int from_version) {
    // One step per version, applied in order.
    if (from_version < 1) throw std::runtime_error("no migration from schema version " + std::to_string(from_version));
    if (from_version < 2)   // endpoints' rate limit
        c.exec("ALTER TABLE nexus_endpoints ADD COLUMN max_operations_per_second REAL NOT NULL DEFAULT 0");
    if (from_version < 3) {   // deleted namespaces kept as tombstones; activity attempts' flags
        create_namespaces_table(c, "namespaces_v3");
        c.exec(R"sql(
INSERT INTO namespaces_v3(ns_id, name, description, created, retention_ms)
  SELECT ns_id, name, description, created, retention_ms FROM namespaces;
DROP TABLE namespaces;
ALTER TABLE namespaces_v3 RENAME TO namespaces;
ALTER TABLE tasks ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
)sql");
        index_namespaces(c);
    }
    if (from_version < 4) {   // history clustered by (run_key, event_id) instead of a rowid and an index
        create_history_table(c, "history_v4");
        c.exec(R"sql(
INSERT INTO history_v4(run_key, event_id, type, time, attrs)
  SELECT run_key, event_id, type, time, attrs FROM history ORDER BY run_key, event_id;
DROP TABLE history;
ALTER TABLE history_v4 RENAME TO history;
)sql");
    }
}

}   // namespace perdure::detail
