import ArabicText
import Foundation
import GRDB
import MarsadConfig
import MarsadRecord
import MarsadStream
import Synchronization

/// One SQLite archive file (WAL): idempotent writes keyed by record id, each batch committed in
/// one transaction together with the stream checkpoint, and the queries `marsad search`,
/// `marsad entities` and `marsad export` run.
public final class SQLiteArchive: ArchiveBackend {
    public let path: String
    public var location: String { path }
    let pool: DatabasePool
    private let formsCache = SearchFormsCache()
    /// The entity rows this process has committed, as committed: an article names 10–40
    /// entities, and upserting each again rewrote its row in every batch (for a lone article,
    /// most of its transaction's statements). Forgotten when a commit fails.
    private let storedEntities = Mutex<[String: EntityRow]>([:])

    struct EntityRow: Equatable {
        let kind: String
        let nameAr: String
        let nameEn: String
        let wikidata: String?
    }

    /// Opens (creating and migrating) the archive at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if !readOnly {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try Directories.create(directory, for: "the archive \(path)", setting: "[archive] db (or --db)")
        } else if !FileManager.default.fileExists(atPath: path) {
            throw ArchiveError("no archive at \(path); run `marsad run` or `marsad worker archive` first, or name one with --db")
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            guard !readOnly else { return }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The WAL is copied into the database by `maintain()`, between batches, not by the
            // commit that happens to fill it (which would make that article wait); this is
            // the backstop if nothing calls it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.backstopCheckpointPages)")
        }
        // One opening at a time in this process: two openings of a new file at once would both
        // switch it to WAL (which takes an exclusive lock no busy timeout waits for) and both
        // create the tables. The archive's own workers open it once and share the pool
        // (`ArchiveLocation.openForWriters`); this guards any other caller in the process.
        pool = try Self.opening.withLock { _ in
            let pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly { try ArchiveSchema.migrator.migrate(pool) }
            return pool
        }
    }

    private static let opening = Mutex(())

    /// WAL pages after which a commit checkpoints by itself (about 40 MB).
    static let backstopCheckpointPages = 10_000
    /// When the WAL was last copied into the database, and whether a batch was committed since.
    private let walState = Mutex((checkpointed: Date(), dirty: false))

    /// Copies the WAL into the database (a passive checkpoint: readers are never waited for) at
    /// most once a second, when batches were committed since the last time.
    public func maintain() throws { try maintain(now: Date()) }

    func maintain(now: Date) throws {
        let due = walState.withLock { state in state.dirty && now.timeIntervalSince(state.checkpointed) >= 1 }
        guard due else { return }
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            // Another connection (another archive worker, a backup) is checkpointing: the
            // WAL is being copied anyway; try again next time.
            return
        }
        walState.withLock { $0 = (now, false) }
    }

    /// The stored checkpoint of `stream`, if any.
    public func checkpoint(stream: String) throws -> Checkpoint? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT epoch, seq FROM checkpoints WHERE stream = ?", arguments: [stream]).map {
                Checkpoint(stream: stream, epoch: $0["epoch"], seq: $0["seq"])
            }
        }
    }

    /// Stores a batch of records and the checkpoint after them in one transaction. A record
    /// already archived (same id) only gains its file; nothing is stored twice.
    /// Returns how many records were new.
    @discardableResult
    public func store(_ messages: [StreamMessage], checkpoint: Checkpoint, now: Date) throws -> Int {
        // Articles the other stream has already brought need only their labels or files.
        let ids = PreparedBatch.articleIDs(in: messages)
        let archived: Set<String> =
            ids.isEmpty
            ? []
            : try pool.read { db in
                Set(
                    try String.fetchAll(
                        db, sql: "SELECT id FROM articles WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                        arguments: StatementArguments(ids)))
            }
        let batch = try PreparedBatch(messages, cache: formsCache, archived: archived)
        let archivedAt = StreamClock.iso(now)
        defer { walState.withLock { $0.dirty = true } }
        let known = storedEntities.withLock { $0 }
        let written: (inserted: Int, entities: [String: EntityRow])
        do {
            written = try write(batch, checkpoint: checkpoint, archivedAt: archivedAt, knownEntities: known)
        } catch {
            // A row changed or removed by someone else is written again next time.
            storedEntities.withLock { $0.removeAll() }
            throw error
        }
        storedEntities.withLock { $0.merge(written.entities) { _, new in new } }
        return written.inserted
    }

    /// The batch's transaction: how many articles were new, and the entity rows written. Entities
    /// whose row is in `knownEntities` as it would be written are not written again.
    private func write(
        _ batch: PreparedBatch, checkpoint: Checkpoint, archivedAt: String, knownEntities: [String: EntityRow]
    ) throws -> (inserted: Int, entities: [String: EntityRow]) {
        try pool.write { db in
            let insertArticle = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO articles
                        (id, stream, epoch, seq, title, published, published_precision, outlet, lang, body, record, ingested_at, archived_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertFile = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO files (article_id, name, sha256, size, received_at) VALUES (?, ?, ?, ?, ?)")
            let insertIndex = try db.cachedStatement(sql: "INSERT INTO articles_fts (rowid, stems, variants, skeletons) VALUES (?, ?, ?, ?)")
            let upsertEntity = try db.cachedStatement(
                sql: """
                    INSERT INTO entities (id, kind, name_ar, name_en, wikidata) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name_ar = excluded.name_ar,
                        name_en = excluded.name_en, wikidata = excluded.wikidata
                    """)
            let insertMention = try db.cachedStatement(sql: "INSERT OR IGNORE INTO mentions (article_id, entity_id, count) VALUES (?, ?, ?)")
            let insertLabel = try db.cachedStatement(sql: "INSERT OR IGNORE INTO labels (article_id, label, score, evidence) VALUES (?, ?, ?, ?)")
            var inserted = 0
            var written: [String: EntityRow] = [:]
            var entitiesSeen: Set<String> = []
            for item in batch.items {
                let (message, record) = (item.message, item.record)
                var isNew = false
                if item.document != nil {
                    try insertArticle.execute(arguments: [
                        record.id, message.envelope.stream, message.envelope.epoch, message.envelope.seq, record.title,
                        record.published?.date, record.published?.precision, record.outlet?.name, record.lang,
                        record.paragraphs.joined(separator: "\n"), item.recordJSON, record.ingestedAt,
                        archivedAt,
                    ])
                    isNew = db.changesCount > 0
                }
                let rowID = db.lastInsertedRowID
                for file in record.files {
                    try insertFile.execute(arguments: [record.id, file.name, file.sha256, file.size, file.receivedAt])
                }
                for label in item.labels {
                    try insertLabel.execute(arguments: [record.id, label.label, label.score, label.evidence])
                }
                guard isNew, let document = item.document else { continue }
                inserted += 1
                try insertIndex.execute(arguments: [rowID, document.stems, document.variants, document.skeletons])
                for entity in record.entities {
                    let row = EntityRow(kind: entity.kind, nameAr: entity.nameAr, nameEn: entity.nameEn, wikidata: entity.wikidata)
                    if entitiesSeen.insert(entity.id).inserted && knownEntities[entity.id] != row {
                        try upsertEntity.execute(arguments: [entity.id, entity.kind, entity.nameAr, entity.nameEn, entity.wikidata])
                        written[entity.id] = row
                    }
                    try insertMention.execute(arguments: [record.id, entity.id, entity.count])
                }
            }
            for (id, labels) in batch.labelsOnly {
                for label in labels { try insertLabel.execute(arguments: [id, label.label, label.score, label.evidence]) }
            }
            try db.execute(
                sql: """
                    INSERT INTO checkpoints (stream, epoch, seq, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(stream) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, updated_at = excluded.updated_at
                    """,
                arguments: [checkpoint.stream, checkpoint.epoch, checkpoint.seq, archivedAt])
            return (inserted, written)
        }
    }

    /// Number of archived articles.
    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM articles") ?? 0 }
    }
}

/// An archive operation failed.
public struct ArchiveError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
