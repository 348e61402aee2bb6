// The history database's schema (version 1, described in historyDatabase.ts's module comment) and the SQL that
// writes an event.

export const SCHEMA_VERSION = '1';

/** Changes per transaction at most (see historyDatabase.ts: the write rate hangs on it). */
export const WRITE_CHUNK = 5_000;

/**
 * A transaction ends once it has taken this long, however few changes it wrote: another window waits for it (at
 * most 2 s, historyAccess.ts). Each commit rewrites every index page the transaction touched, about a thousand
 * whatever its size, so a busy machine that cut WRITE_CHUNK into several short transactions wrote slower still.
 */
export const TRANSACTION_MS = 250;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  last_seen INTEGER NOT NULL,
  type TEXT NOT NULL,
  reason TEXT NOT NULL,
  namespace TEXT NOT NULL,
  object_uid TEXT NOT NULL,
  count INTEGER NOT NULL,
  expired INTEGER NOT NULL,
  resource_version TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_last_seen ON events(last_seen);
CREATE INDEX IF NOT EXISTS events_reason ON events(reason, last_seen);
CREATE INDEX IF NOT EXISTS events_type ON events(type, last_seen);
CREATE INDEX IF NOT EXISTS events_namespace ON events(namespace, last_seen);
CREATE INDEX IF NOT EXISTS events_object ON events(object_uid, last_seen);
-- Files written before version 1.x kept a table of count rises that nothing read: dropped on open.
DROP TRIGGER IF EXISTS events_rise_insert;
DROP TRIGGER IF EXISTS events_rise_update;
DROP TABLE IF EXISTS rises;
`;

/**
 * Writes an event; its text columns are bound as UTF-8 bytes and stored as TEXT, as every earlier version stored
 * them (historyRows.ts, encodeRow).
 */
export const UPSERT = `
INSERT INTO events(uid, last_seen, type, reason, namespace, object_uid, count, expired, resource_version, body)
VALUES (CAST(? AS TEXT), ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))
ON CONFLICT(uid) DO UPDATE SET
  last_seen = excluded.last_seen, type = excluded.type, reason = excluded.reason, namespace = excluded.namespace,
  object_uid = excluded.object_uid, count = excluded.count, expired = excluded.expired,
  resource_version = excluded.resource_version, body = excluded.body
WHERE excluded.resource_version <> events.resource_version OR excluded.expired <> events.expired`;
