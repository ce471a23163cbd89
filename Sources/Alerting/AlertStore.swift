import Foundation
import GRDB
import MarsadStream

/// The alert worker's SQLite state: alerts raised (which rule fired on which article, for
/// deduplication and throttles), spike counts, the delivery outbox, and the stream checkpoint —
/// all written in one transaction per batch, so a kill at any instant loses or repeats nothing.
public final class AlertStore: @unchecked Sendable {
    let queue: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // As the archive: a commit survives the process being killed; only a power loss may take
        // back the last ones, and their checkpoint with them, so they are evaluated again.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: alerts, events, outbox, checkpoint") { db in
            try db.execute(
                sql: """
                    CREATE TABLE alerts (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        rule TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        throttle_key TEXT NOT NULL,
                        time REAL NOT NULL,
                        severity TEXT NOT NULL,
                        payload TEXT NOT NULL
                    );
                    CREATE INDEX alerts_by_rule_record ON alerts(rule, record_id);
                    CREATE INDEX alerts_by_rule_key ON alerts(rule, throttle_key, time);
                    CREATE TABLE events (
                        rule TEXT NOT NULL,
                        key TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        time REAL NOT NULL,
                        PRIMARY KEY (rule, key, record_id)
                    );
                    CREATE INDEX events_by_time ON events(rule, key, time);
                    CREATE TABLE outbox (
                        alert_id TEXT NOT NULL,
                        sink TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt REAL NOT NULL DEFAULT 0,
                        last_error TEXT,
                        PRIMARY KEY (alert_id, sink)
                    );
                    CREATE TABLE suppressed (rule TEXT PRIMARY KEY, count INTEGER NOT NULL);
                    CREATE TABLE checkpoint (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        stream TEXT NOT NULL,
                        epoch INTEGER NOT NULL,
                        seq INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }

    public func checkpoint() throws -> Checkpoint? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT stream, epoch, seq FROM checkpoint WHERE id = 1").map {
                Checkpoint(stream: $0["stream"], epoch: UInt64($0["epoch"] as Int64), seq: UInt64($0["seq"] as Int64))
            }
        }
    }

    /// Runs `body` and writes `checkpoint` in one transaction.
    public func commit<T>(checkpoint: Checkpoint, _ body: (Transaction) throws -> T) throws -> T {
        try queue.write { db in
            let result = try body(Transaction(db: db))
            try db.cachedStatement(
                sql:
                    "INSERT INTO checkpoint (id, stream, epoch, seq) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET stream = excluded.stream, epoch = excluded.epoch, seq = excluded.seq"
            ).execute(arguments: [checkpoint.stream, Int64(checkpoint.epoch), Int64(checkpoint.seq)])
            return result
        }
    }

    /// The state as seen inside a commit's transaction.
    public struct Transaction: AlertStateStore {
        let db: Database

        public func hasAlert(rule: String, record: String) throws -> Bool {
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM alerts WHERE rule = ? AND record_id = ?)"), arguments: [rule, record])
                ?? false
        }

        public func lastAlertTime(rule: String, key: String) throws -> Date? {
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MAX(time) FROM alerts WHERE rule = ? AND throttle_key = ?"), arguments: [rule, key])
                .map(Date.init(timeIntervalSince1970:))
        }

        public func remember(_ alert: AlertRecord, rule: String, record: String, throttleKey: String, time: Date) throws {
            let payload = String(decoding: try alert.jsonData(), as: UTF8.self)
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO alerts (id, rule, record_id, throttle_key, time, severity, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [alert.id, rule, record, throttleKey, time.timeIntervalSince1970, alert.severity, payload])
        }

        public func noteSuppressed(rule: String) throws {
            try db.cachedStatement(sql: "INSERT INTO suppressed (rule, count) VALUES (?, 1) ON CONFLICT(rule) DO UPDATE SET count = count + 1")
                .execute(arguments: [rule])
        }

        public func countEvent(rule: String, key: String, record: String, time: Date) throws {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO events (rule, key, record_id, time) VALUES (?, ?, ?, ?)").execute(arguments: [
                rule, key, record, time.timeIntervalSince1970,
            ])
        }

        public func events(rule: String, key: String, after: Date, through: Date) throws -> Int {
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM events WHERE rule = ? AND key = ? AND time > ? AND time <= ?"),
                arguments: [rule, key, after.timeIntervalSince1970, through.timeIntervalSince1970]) ?? 0
        }

        /// Queues an alert for each of its sinks.
        public func enqueue(alertID: String, sinks: [String]) throws {
            for sink in sinks {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (alert_id, sink) VALUES (?, ?)").execute(arguments: [alertID, sink])
            }
        }

        /// Forgets spike counts older than `before`.
        public func prune(before: Date) throws {
            try db.cachedStatement(sql: "DELETE FROM events WHERE time < ?").execute(arguments: [before.timeIntervalSince1970])
        }
    }

    /// One pending delivery.
    public struct Pending: Sendable {
        public let alertID: String
        public let sink: String
        public let attempts: Int
        public let seq: Int64
        public let payload: String
    }

    /// Deliveries due now, oldest alert first.
    public func due(now: Date, limit: Int) throws -> [Pending] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.alert_id, o.sink, o.attempts, a.seq, a.payload FROM outbox o JOIN alerts a ON a.id = o.alert_id
                    WHERE o.next_attempt <= ? ORDER BY a.seq, o.sink LIMIT ?
                    """, arguments: [now.timeIntervalSince1970, limit]
            ).map { Pending(alertID: $0[0], sink: $0[1], attempts: $0[2], seq: $0[3], payload: $0[4]) }
        }
    }

    /// Takes deliveries off the outbox, in one transaction.
    public func delivered(_ deliveries: [Pending]) throws {
        guard !deliveries.isEmpty else { return }
        try queue.write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM outbox WHERE alert_id = ? AND sink = ?")
            for pending in deliveries { try delete.execute(arguments: [pending.alertID, pending.sink]) }
        }
    }

    public func failed(_ pending: Pending, error: String, retryAt: Date) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE alert_id = ? AND sink = ?",
                arguments: [retryAt.timeIntervalSince1970, error, pending.alertID, pending.sink])
        }
    }

    /// Counts for `marsad status` and logs.
    public func counts() throws -> (alerts: Int, pending: Int) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0)
        }
    }
}
