// The PostgreSQL schema `perdure`, made and migrated by one list of migrations: the SQLite
// store's tables in PostgreSQL types, the ownership tables (the shard count, one lease row per
// shard, each writer's progress), the key sequence, the fence's refusal and the shared task
// table. Each migration says what its version added.
#include "store/postgres/pg_schema.hpp"

#include "store/postgres/pg_errors.hpp"

#include <perdure/error.hpp>

#include <string>

namespace perdure::detail {
namespace {

// A constant key for pg_advisory_xact_lock: opens that create or migrate take turns.
constexpr std::int64_t schema_lock_key = 0x7064726573636d61;   // "pdrescma"

void create_version_1(pg::connection& c) {
    c.run(R"sql(
CREATE TABLE perdure.namespaces(
  ns_id bigint PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created bigint NOT NULL,
  retention_ms bigint NOT NULL,
  deleted integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX namespaces_by_name ON perdure.namespaces(name) WHERE deleted = 0;

CREATE TABLE perdure.executions(
  run_key bigint PRIMARY KEY,
  ns_id bigint NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL UNIQUE,
  workflow_type text NOT NULL,
  task_queue text NOT NULL,
  status integer NOT NULL,
  start_time bigint NOT NULL,
  close_time bigint NOT NULL DEFAULT 0,
  request_id text NOT NULL DEFAULT '',
  first_run_id text NOT NULL DEFAULT '',
  execution_deadline bigint NOT NULL DEFAULT 0,
  memo text NOT NULL DEFAULT '{}',
  task_failure text NOT NULL DEFAULT '',
  parent text NOT NULL DEFAULT '',
  options text NOT NULL DEFAULT '{}',
  callbacks text NOT NULL DEFAULT '[]',
  shard_id integer NOT NULL);
CREATE INDEX executions_by_workflow ON perdure.executions(ns_id, workflow_id, run_key);
CREATE INDEX executions_open ON perdure.executions(run_key) WHERE status = 0;
CREATE INDEX executions_closed ON perdure.executions(ns_id, close_time) WHERE status <> 0;
CREATE INDEX executions_by_shard ON perdure.executions(shard_id, run_key) WHERE status = 0;

CREATE TABLE perdure.history(
  run_key bigint NOT NULL,
  event_id bigint NOT NULL,
  type integer NOT NULL,
  time bigint NOT NULL,
  attrs text NOT NULL,
  PRIMARY KEY(run_key, event_id));

CREATE TABLE perdure.tasks(
  run_key bigint NOT NULL,
  seq bigint NOT NULL,
  kind integer NOT NULL,
  attempt integer NOT NULL,
  due bigint NOT NULL,
  details text NOT NULL DEFAULT '',
  flags integer NOT NULL DEFAULT 0,
  PRIMARY KEY(run_key, seq));

CREATE TABLE perdure.deadlines(
  run_key bigint NOT NULL,
  kind integer NOT NULL,
  seq bigint NOT NULL,
  due bigint NOT NULL,
  PRIMARY KEY(run_key, kind, seq));
CREATE INDEX deadlines_by_due ON perdure.deadlines(due);

CREATE TABLE perdure.inbox(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created bigint NOT NULL,
  expires bigint NOT NULL,
  command text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  result text NOT NULL DEFAULT '{}');
CREATE INDEX inbox_pending ON perdure.inbox(id) WHERE state = 'pending';

CREATE TABLE perdure.nexus_endpoints(
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  version bigint NOT NULL,
  target_namespace text NOT NULL,
  target_task_queue text NOT NULL,
  description text NOT NULL DEFAULT '',
  created bigint NOT NULL,
  last_modified bigint NOT NULL DEFAULT 0,
  max_operations_per_second double precision NOT NULL DEFAULT 0);

CREATE TABLE perdure.cluster_meta(
  id integer PRIMARY KEY CHECK (id = 1),
  shard_count integer NOT NULL CHECK (shard_count > 0),
  created bigint NOT NULL);

CREATE TABLE perdure.shard_leases(
  shard_id integer PRIMARY KEY,
  owner text NOT NULL DEFAULT '',
  epoch bigint NOT NULL DEFAULT 0,
  expires_at bigint NOT NULL DEFAULT 0);

CREATE TABLE perdure.writer_progress(
  owner text PRIMARY KEY,
  last_unit bigint NOT NULL);
)sql");
}

/// Version 2: visibility (doc/visibility.md), as the SQLite store's schema 5. Rows written
/// before it get the start time as their execution time, their counted history if closed, their
/// parent's ids while the parent exists, and themselves or their parent as root.
void add_visibility(pg::connection& c) {
    c.run(R"sql(
ALTER TABLE perdure.executions
  ADD COLUMN execution_time bigint NOT NULL DEFAULT 0,
  ADD COLUMN history_length bigint NOT NULL DEFAULT 0,
  ADD COLUMN history_size_bytes bigint NOT NULL DEFAULT 0,
  ADD COLUMN parent_workflow_id text,
  ADD COLUMN parent_run_id text,
  ADD COLUMN root_workflow_id text NOT NULL DEFAULT '',
  ADD COLUMN root_run_id text NOT NULL DEFAULT '',
  ADD COLUMN search_attributes text NOT NULL DEFAULT '{}';
CREATE INDEX executions_by_start ON perdure.executions(ns_id, start_time, run_key);

CREATE TABLE perdure.search_attribute_types(
  ns_id bigint NOT NULL,
  name text NOT NULL,
  type integer NOT NULL,
  PRIMARY KEY(ns_id, name));
-- Byte order for text values ("C"), as SQLite compares them, and so that the index serves
-- STARTS_WITH's LIKE.
CREATE TABLE perdure.search_attribute_values(
  ns_id bigint NOT NULL,
  name text NOT NULL,
  run_key bigint NOT NULL,
  int_value bigint,
  double_value double precision,
  text_value text COLLATE "C");
CREATE INDEX search_attribute_text ON perdure.search_attribute_values(ns_id, name, text_value, run_key)
  WHERE text_value IS NOT NULL;
CREATE INDEX search_attribute_int ON perdure.search_attribute_values(ns_id, name, int_value, run_key)
  WHERE int_value IS NOT NULL;
CREATE INDEX search_attribute_double ON perdure.search_attribute_values(ns_id, name, double_value, run_key)
  WHERE double_value IS NOT NULL;
CREATE INDEX search_attribute_runs ON perdure.search_attribute_values(run_key);

UPDATE perdure.executions SET execution_time = start_time, root_workflow_id = workflow_id, root_run_id = run_id;
UPDATE perdure.executions e SET
  history_length = (SELECT COALESCE(MAX(event_id), 0) FROM perdure.history h WHERE h.run_key = e.run_key),
  history_size_bytes = (SELECT COALESCE(SUM(octet_length(attrs)), 0) FROM perdure.history h WHERE h.run_key = e.run_key)
  WHERE status <> 0;
UPDATE perdure.executions e SET
  parent_workflow_id = p.workflow_id, parent_run_id = p.run_id,
  root_workflow_id = p.workflow_id, root_run_id = p.run_id
  FROM perdure.executions p
  WHERE e.parent <> '' AND p.run_key = (e.parent::json ->> 'run_key')::bigint;
)sql");
}

/// Version 3: keys for new runs come in blocks of run_key_block_size from a sequence, so engines
/// sharing the database never give two runs one key. The first block lies above every stored key.
void add_run_key_blocks(pg::connection& c) {
    c.run("CREATE SEQUENCE perdure.run_key_blocks AS bigint MINVALUE 1");
    c.exec(
        "SELECT setval('perdure.run_key_blocks', "
        "(SELECT COALESCE(MAX(run_key), 0) FROM perdure.executions) / $1::bigint + 1, false)",
        pg::params(run_key_block_size));
}

/// Version 4: the epoch fence as one statement that raises when a shard moved, so a batch's
/// BEGIN, fence, writes and COMMIT go in one pipeline: a plain SELECT could only report the
/// move, and the statements sent behind it would already have run. FOR SHARE in shard order:
/// a takeover (FOR UPDATE) waits for a batch in flight, and a batch after it sees the new epoch.
void add_fence_function(pg::connection& c) {
    c.run(R"sql(
CREATE FUNCTION perdure.fence(p_owner text, p_shards integer[], p_epochs bigint[]) RETURNS void
LANGUAGE plpgsql AS $fence$
DECLARE
  lease record;
  seen integer := 0;
BEGIN
  FOR lease IN
    SELECT l.shard_id, l.owner, l.epoch, h.epoch AS held
    FROM perdure.shard_leases l JOIN unnest(p_shards, p_epochs) AS h(shard_id, epoch) ON h.shard_id = l.shard_id
    ORDER BY l.shard_id FOR SHARE OF l
  LOOP
    seen := seen + 1;
    IF lease.owner <> p_owner OR lease.epoch <> lease.held THEN
      RAISE EXCEPTION USING ERRCODE = 'PDF01', MESSAGE = format(
        'shard %s moved to %s at epoch %s (this engine held epoch %s)', lease.shard_id,
        CASE WHEN lease.owner = '' THEN 'no engine' ELSE 'engine ' || lease.owner END, lease.epoch, lease.held);
    END IF;
  END LOOP;
  IF seen <> cardinality(p_shards) THEN
    RAISE EXCEPTION USING ERRCODE = 'PDF01', MESSAGE = 'a shard''s lease row is missing';
  END IF;
END
$fence$;
)sql");
}

/// Version 5: activity attempts offered to every engine serving their task queue, claimed with
/// FOR UPDATE SKIP LOCKED; a claim not followed by the attempt's start expires and the attempt
/// may be claimed again.
void add_queue_tasks(pg::connection& c) {
    c.run(R"sql(
CREATE TABLE perdure.queue_tasks(
  run_key bigint NOT NULL,
  seq bigint NOT NULL,
  ns_id bigint NOT NULL,
  task_queue text NOT NULL,
  activity_type text NOT NULL,
  attempt integer NOT NULL,
  details text NOT NULL DEFAULT '',
  offered timestamptz NOT NULL DEFAULT clock_timestamp(),
  claimed_by text NOT NULL DEFAULT '',
  claim_expires timestamptz,
  PRIMARY KEY(run_key, seq));
CREATE INDEX queue_tasks_by_queue ON perdure.queue_tasks(ns_id, task_queue, offered);
)sql");
}

/// Version 6: Nexus operations' attempts are offered too; `kind` says which (task_kind) and
/// `task_type` holds an activity's type or an operation's service.
void add_nexus_offers(pg::connection& c) {
    c.run(R"sql(
ALTER TABLE perdure.queue_tasks RENAME COLUMN activity_type TO task_type;
ALTER TABLE perdure.queue_tasks ADD COLUMN kind integer NOT NULL DEFAULT 1;
)sql");
}

/// Version 7: an offer says how long a claim of it holds (`claim_ms`; null: as long as the
/// claimer asks), so that a claimer lost before its start costs no more than the attempt's own
/// timeouts.
void add_claim_limits(pg::connection& c) { c.run("ALTER TABLE perdure.queue_tasks ADD COLUMN claim_ms bigint"); }

/// Version 8: the fence is a plain statement (fence_statement in shard_leases.cpp) that calls
/// this function only to raise, with the message it made, when a shard moved. Version 4's
/// function, which ran the whole check in PL/pgSQL, cost the server about 80 us of every batch;
/// the statement a few. That function stays: an engine of an earlier version, running while
/// another one migrates the schema beside it, still calls it until it stops.
void add_fence_refusal(pg::connection& c) {
    c.run(R"sql(
CREATE FUNCTION perdure.fence_refused(p_message text) RETURNS void
LANGUAGE plpgsql AS $refused$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'PDF01', MESSAGE = p_message;
END
$refused$;
)sql");
}

/// migrations[v - 1] brings a schema from version v - 1 to v; a new schema runs them all, so
/// creating and migrating are one path.
using migration = void (*)(pg::connection&);
constexpr migration migrations[] = {&create_version_1, &add_visibility,   &add_run_key_blocks, &add_fence_function,
                                    &add_queue_tasks,  &add_nexus_offers, &add_claim_limits,   &add_fence_refusal};
static_assert(std::size(migrations) == pg_schema_version);

/// The stored version: -1 without a perdure schema, 0 for a `perdure` schema without a version.
int stored_version(pg::connection& c) {
    auto r = c.exec("SELECT to_regnamespace('perdure') IS NOT NULL, to_regclass('perdure.schema_version') IS NOT NULL");
    if (r.text(0, 0) != "t") return -1;
    if (r.text(0, 1) != "t") return 0;
    auto v = c.exec("SELECT COALESCE(MAX(version), 0) FROM perdure.schema_version");
    return static_cast<int>(v.int64(0, 0));
}

int shard_count_of(pg::connection& c, const std::string& name) {
    auto r = c.exec("SELECT shard_count FROM perdure.cluster_meta WHERE id = 1");
    if (r.rows() != 1)
        throw failed_precondition("database " + name +
                                  " has no shard count (perdure.cluster_meta is empty); "
                                  "restore it from a backup");
    return static_cast<int>(r.int64(0, 0));
}

}   // namespace

pg_schema_state open_schema(pg::connection& c, open_mode mode, int shard_count, std::int64_t now_us,
                            const std::string& name) {
    const bool may_create = mode == open_mode::owner || mode == open_mode::create;
    const bool may_migrate = mode == open_mode::owner;
    pg::transaction tx(c);
    if (may_create) c.exec("SELECT pg_advisory_xact_lock($1::bigint)", pg::params(schema_lock_key));
    const int version = stored_version(c);
    pg_schema_state state;
    if (version == -1) {
        if (!may_create)
            throw not_found("no perdure database at " + name + " (it has no schema perdure): check " +
                            database_setting(mode) + "; an engine opened on it creates one");
        c.run("CREATE SCHEMA perdure");
        for (const auto step : migrations) step(c);
        c.run("CREATE TABLE perdure.schema_version(version integer NOT NULL)");
        c.exec("INSERT INTO perdure.schema_version(version) VALUES ($1::integer)", pg::params(pg_schema_version));
        c.exec("INSERT INTO perdure.cluster_meta(id, shard_count, created) VALUES (1, $1::integer, $2::bigint)",
               pg::params(shard_count, now_us));
        c.exec("INSERT INTO perdure.shard_leases(shard_id) SELECT generate_series(0, $1::integer - 1)",
               pg::params(shard_count));
        tx.commit();
        return {true, shard_count};
    }
    if (version == 0)
        throw invalid_argument("database " + name +
                               " has a schema named perdure that is not perdure's (no "
                               "perdure.schema_version); point " +
                               database_setting(mode) + " at another database, or drop that schema");
    if (version > pg_schema_version)
        throw failed_precondition("database " + name + " was written by a newer perdure (schema " +
                                  std::to_string(version) + ", this build reads up to " +
                                  std::to_string(pg_schema_version) + "); upgrade perdure to open it");
    if (version < pg_schema_version) {
        if (!may_migrate)
            throw failed_precondition("database " + name + " uses schema " + std::to_string(version) +
                                      " and needs a migration; open it once with the application's engine");
        for (int v = version; v < pg_schema_version; ++v) migrations[v](c);
        c.exec("UPDATE perdure.schema_version SET version = $1::integer", pg::params(pg_schema_version));
    }
    state.shard_count = shard_count_of(c, name);
    tx.commit();
    return state;
}

}   // namespace perdure::detail
