// The SQLite schema, version 5. Integer keys everywhere the writer touches. History is one
// B-tree clustered by (run_key, event_id) with no index beside it: an event is written once,
// and a run's history is read in one range of neighbouring pages. Version 5 adds visibility:
// search attributes and the executions columns the query language filters on
// (doc/visibility.md).
#include "store/sqlite/schema.hpp"

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

/// Version 5: search attributes (their types per namespace, and one row per value, indexed by
/// type so that a filter reads only its attribute's matching rows) and the executions columns
/// visibility queries read. The history's length and size are written when a run closes.
void add_visibility(sql::connection& c) {
    c.exec(R"sql(
ALTER TABLE executions ADD COLUMN execution_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN history_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN history_size_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN parent_workflow_id TEXT;
ALTER TABLE executions ADD COLUMN parent_run_id TEXT;
ALTER TABLE executions ADD COLUMN root_workflow_id TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN root_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN search_attributes TEXT NOT NULL DEFAULT '{}';
CREATE INDEX executions_by_start ON executions(ns_id, start_time, run_key);

CREATE TABLE search_attribute_types(
  ns_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  PRIMARY KEY(ns_id, name)) WITHOUT ROWID;
CREATE TABLE search_attribute_values(
  ns_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  run_key INTEGER NOT NULL,
  int_value INTEGER,
  double_value REAL,
  text_value TEXT);
CREATE INDEX search_attribute_text ON search_attribute_values(ns_id, name, text_value, run_key)
  WHERE text_value IS NOT NULL;
CREATE INDEX search_attribute_int ON search_attribute_values(ns_id, name, int_value, run_key)
  WHERE int_value IS NOT NULL;
CREATE INDEX search_attribute_double ON search_attribute_values(ns_id, name, double_value, run_key)
  WHERE double_value IS NOT NULL;
CREATE INDEX search_attribute_runs ON search_attribute_values(run_key);
)sql");
}

/// Fills version 5's columns for runs written before it: the execution time is the start time,
/// a closed run's history length and size are counted, a child's parent ids come from the
/// parent's row while it exists, and the root is the run itself or its parent (one level: the
/// ids of older grandparents were never recorded).
void fill_visibility_columns(sql::connection& c) {
    c.exec(R"sql(
UPDATE executions SET execution_time = start_time, root_workflow_id = workflow_id, root_run_id = run_id;
UPDATE executions SET
  history_length = (SELECT COALESCE(MAX(event_id), 0) FROM history h WHERE h.run_key = executions.run_key),
  history_size_bytes = (SELECT COALESCE(SUM(length(CAST(attrs AS BLOB))), 0) FROM history h WHERE h.run_key = executions.run_key)
  WHERE status <> 0;
UPDATE executions SET
  parent_workflow_id = p.workflow_id, parent_run_id = p.run_id,
  root_workflow_id = p.workflow_id, root_run_id = p.run_id
  FROM executions p
  WHERE executions.parent <> '' AND p.run_key = json_extract(executions.parent, '$.run_key');
)sql");
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
    add_visibility(c);
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
    if (from_version < 5) {   // visibility: search attributes and the columns queries filter on
        add_visibility(c);
        fill_visibility_columns(c);
    }
}

}   // namespace perdure::detail
