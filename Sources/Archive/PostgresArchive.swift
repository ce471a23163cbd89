import ArabicText
import Foundation
import Logging
import MarsadRecord
import MarsadStream
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The archive in PostgreSQL, for archive workers on several hosts sharing one database: the
/// tables of docs/archive.md, with full text in a `tsvector` of the same search forms as SQLite's
/// FTS5 index (stems weighted A, variants B, skeletons C) and the same queries.
///
/// One connection, used by one call at a time; calls block their thread on NIO futures (never on
/// Swift's cooperative pool), like the rest of Marsad's workers.
public final class PostgresArchive: ArchiveBackend {
    public let location: String
    private let connection: PostgresConnection
    private let lock = Mutex(())
    private let logger: Logger
    private let formsCache = SearchFormsCache()

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`; the password may
    /// also come from `$MARSAD_POSTGRES_PASSWORD`) and applies the migrations.
    public init(url: String, logger: Logger = Logger(label: "marsad.archive.postgres")) throws {
        guard let components = URLComponents(string: url), components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, let user = components.user
        else {
            throw ArchiveError("\(url) is not a PostgreSQL URL like postgres://user@127.0.0.1:5432/marsad")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let password = components.password ?? ProcessInfo.processInfo.environment["MARSAD_POSTGRES_PASSWORD"]
        self.location = "postgres://\(user)@\(host):\(components.port ?? 5432)/\(database)"
        self.logger = logger
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password, database: database.isEmpty ? nil : database,
            tls: .disable)
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw ArchiveError("cannot connect to \(location): \(String(reflecting: error))")
        }
        try migrate()
    }

    deinit { try? connection.close().wait() }

    // MARK: Queries

    enum Value {
        case text(String?)
        case integer(Int64?)
        case real(Double?)
    }

    @discardableResult
    func run(_ sql: String, _ values: [Value] = []) throws -> [PostgresRow] {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): binds.append(text)
            case .integer(let number): binds.append(number)
            case .real(let number): binds.append(number)
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait().rows
        } catch let error as PSQLError {
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            logger.debug("query failed", metadata: ["sql": "\(sql)", "error": "\(String(reflecting: error))"])
            throw ArchiveError("\(location): \(message)")
        }
    }

    private func transaction<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock { _ in
            try run("BEGIN")
            do {
                let result = try body()
                try run("COMMIT")
                return result
            } catch {
                _ = try? run("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: Schema

    static let migrations: [(name: String, sql: [String])] = [
        (
            "v1: articles, files, entities, mentions, labels, alerts, checkpoints",
            [
                """
                CREATE TABLE articles (
                    id TEXT PRIMARY KEY, stream TEXT NOT NULL, epoch BIGINT NOT NULL, seq BIGINT NOT NULL, title TEXT NOT NULL,
                    published TEXT, published_precision TEXT, outlet TEXT, lang TEXT NOT NULL, body TEXT NOT NULL, record TEXT NOT NULL,
                    ingested_at TEXT NOT NULL, archived_at TEXT NOT NULL, search TSVECTOR NOT NULL
                )
                """,
                "CREATE INDEX articles_by_date ON articles ((substr(coalesce(published, substr(ingested_at, 1, 10)) || '-01-01', 1, 10)))",
                "CREATE INDEX articles_by_outlet ON articles (outlet)",
                """
                CREATE TABLE files (
                    article_id TEXT NOT NULL REFERENCES articles(id), name TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
                    received_at TEXT NOT NULL, PRIMARY KEY (article_id, sha256, name)
                )
                """,
                "CREATE TABLE entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name_ar TEXT NOT NULL, name_en TEXT NOT NULL, wikidata TEXT)",
                """
                CREATE TABLE mentions (
                    article_id TEXT NOT NULL REFERENCES articles(id), entity_id TEXT NOT NULL REFERENCES entities(id), count INTEGER NOT NULL,
                    PRIMARY KEY (article_id, entity_id)
                )
                """,
                "CREATE INDEX mentions_by_entity ON mentions (entity_id, article_id)",
                """
                CREATE TABLE labels (
                    article_id TEXT NOT NULL REFERENCES articles(id), label TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
                    evidence TEXT NOT NULL, PRIMARY KEY (article_id, label)
                )
                """,
                "CREATE INDEX labels_by_label ON labels (label, article_id)",
                """
                CREATE TABLE alerts (
                    rule TEXT NOT NULL, article_id TEXT NOT NULL, severity TEXT NOT NULL, fired_at TEXT NOT NULL, alert TEXT NOT NULL,
                    PRIMARY KEY (rule, article_id)
                )
                """,
                "CREATE TABLE checkpoints (stream TEXT PRIMARY KEY, epoch BIGINT NOT NULL, seq BIGINT NOT NULL, updated_at TEXT NOT NULL)",
            ]
        ),
        ("v1: full-text index", ["CREATE INDEX articles_search ON articles USING GIN (search)"]),
    ]

    /// Applies the migrations not yet applied, each in its own transaction; an advisory lock keeps
    /// two workers starting at once from racing.
    private func migrate() throws {
        try lock.withLock { _ in
            // The lock first: two `CREATE TABLE IF NOT EXISTS` at once can still collide in PostgreSQL.
            try run("SELECT pg_advisory_lock(7411)")
            defer { _ = try? run("SELECT pg_advisory_unlock(7411)") }
            try run("CREATE TABLE IF NOT EXISTS marsad_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            for migration in Self.migrations {
                let done = try run("SELECT 1 FROM marsad_migrations WHERE name = $1", [.text(migration.name)])
                guard done.isEmpty else { continue }
                try run("BEGIN")
                do {
                    for statement in migration.sql { try run(statement) }
                    try run("INSERT INTO marsad_migrations (name) VALUES ($1)", [.text(migration.name)])
                    try run("COMMIT")
                } catch {
                    _ = try? run("ROLLBACK")
                    throw error
                }
            }
        }
    }

    // MARK: ArchiveBackend

    public func checkpoint(stream: String) throws -> Checkpoint? {
        try lock.withLock { _ in
            try run("SELECT epoch, seq FROM checkpoints WHERE stream = $1", [.text(stream)]).first.map { row in
                let (epoch, seq) = try row.decode((Int64, Int64).self)
                return Checkpoint(stream: stream, epoch: UInt64(epoch), seq: UInt64(seq))
            }
        }
    }

    @discardableResult
    public func store(_ messages: [StreamMessage], checkpoint: Checkpoint, now: Date) throws -> Int {
        // Articles the other stream has already brought need only their labels or files.
        let ids = PreparedBatch.articleIDs(in: messages)
        let archived: Set<String> =
            ids.isEmpty
            ? []
            : try lock.withLock { _ in
                let placeholders = ids.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                return Set(
                    try run("SELECT id FROM articles WHERE id IN (\(placeholders))", ids.map { .text($0) }).map { try $0.decode(String.self) })
            }
        let batch = try PreparedBatch(messages, cache: formsCache, archived: archived)
        let archivedAt = StreamClock.iso(now)
        return try transaction {
            for (id, labels) in batch.labelsOnly {
                for label in labels {
                    try run(
                        "INSERT INTO labels (article_id, label, score, evidence) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        [.text(id), .text(label.label), .real(label.score), .text(label.evidence)])
                }
            }
            var inserted = 0
            var entitiesSeen: Set<String> = []
            for item in batch.items {
                let (message, record) = (item.message, item.record)
                var isNew = false
                if let document = item.document {
                    isNew = try !run(
                        """
                        INSERT INTO articles (id, stream, epoch, seq, title, published, published_precision, outlet, lang, body, record,
                            ingested_at, archived_at, search)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                            setweight(to_tsvector('simple', $14), 'A') || setweight(to_tsvector('simple', $15), 'B')
                                || setweight(to_tsvector('simple', $16), 'C'))
                        ON CONFLICT (id) DO NOTHING RETURNING 1
                        """,
                        [
                            .text(record.id), .text(message.envelope.stream), .integer(Int64(message.envelope.epoch)),
                            .integer(Int64(message.envelope.seq)), .text(record.title), .text(record.published?.date),
                            .text(record.published?.precision), .text(record.outlet?.name), .text(record.lang),
                            .text(record.paragraphs.joined(separator: "\n")), .text(item.recordJSON),
                            .text(record.ingestedAt), .text(archivedAt), .text(document.stems), .text(document.variants), .text(document.skeletons),
                        ]
                    ).isEmpty
                }
                for file in record.files {
                    try run(
                        "INSERT INTO files (article_id, name, sha256, size, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        [.text(record.id), .text(file.name), .text(file.sha256), .integer(Int64(file.size)), .text(file.receivedAt)])
                }
                for label in item.labels {
                    try run(
                        "INSERT INTO labels (article_id, label, score, evidence) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        [.text(record.id), .text(label.label), .real(label.score), .text(label.evidence)])
                }
                guard isNew else { continue }
                inserted += 1
                for entity in record.entities {
                    if entitiesSeen.insert(entity.id).inserted {
                        try run(
                            """
                            INSERT INTO entities (id, kind, name_ar, name_en, wikidata) VALUES ($1, $2, $3, $4, $5)
                            ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name_ar = excluded.name_ar, name_en = excluded.name_en,
                                wikidata = excluded.wikidata
                            """,
                            [.text(entity.id), .text(entity.kind), .text(entity.nameAr), .text(entity.nameEn), .text(entity.wikidata)])
                    }
                    try run(
                        "INSERT INTO mentions (article_id, entity_id, count) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        [.text(record.id), .text(entity.id), .integer(Int64(entity.count))])
                }
            }
            try run(
                """
                INSERT INTO checkpoints (stream, epoch, seq, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (stream) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, updated_at = excluded.updated_at
                """,
                [.text(checkpoint.stream), .integer(Int64(checkpoint.epoch)), .integer(Int64(checkpoint.seq)), .text(archivedAt)])
            return inserted
        }
    }

    public func search(_ query: SearchQuery) throws -> [SearchHit] {
        try lock.withLock { _ in
            let rows = try rankedRows(query)
            var labels: [String: [SearchHit.HitLabel]] = [:]
            if !rows.isEmpty {
                let list = rows.map { "'\($0.id)'" }.joined(separator: ",")  // record ids are 32 hex digits
                for row in try run("SELECT article_id, label, score FROM labels WHERE article_id IN (\(list)) ORDER BY score DESC") {
                    let (id, label, score) = try row.decode((String, String, Double).self)
                    labels[id, default: []].append(.init(label: label, score: score))
                }
            }
            return try HitBuilder.hits(rows, labels: labels, query: query)
        }
    }

    /// Every article the query matches, in rank order, with its full record.
    public func records(_ query: SearchQuery) throws -> [ArticleRecord] {
        var all = query
        all.limit = Int(Int32.max)
        return try lock.withLock { _ in try HitBuilder.records(rankedRows(all), query: all) }
    }

    /// The rows the query ranks first; called with the lock held.
    private func rankedRows(_ query: SearchQuery) throws -> [HitBuilder.Row] {
        var conditions: [String] = []
        var values: [Value] = []
        func bind(_ value: Value) -> String {
            values.append(value)
            return "$\(values.count)"
        }
        var rank = "0.0::float8"
        var order = "\(ArchiveDates.sql) DESC, a.id DESC"
        if let tsQuery = query.tsQuery {
            let parameter = bind(.text(tsQuery))
            conditions.append("a.search @@ to_tsquery('simple', \(parameter))")
            // ts_rank weights are {D, C, B, A}; negated so that, as with bm25, lower is better.
            rank = "(-ts_rank('{0, 0.1, 0.4, 1.0}', a.search, to_tsquery('simple', \(parameter))))::float8"
            order = "rank, a.id"
        }
        for entity in query.entities { conditions.append("a.id IN (SELECT article_id FROM mentions WHERE entity_id = \(bind(.text(entity))))") }
        for label in query.labels { conditions.append("a.id IN (SELECT article_id FROM labels WHERE label = \(bind(.text(label))))") }
        if let since = query.since { conditions.append("\(ArchiveDates.sql) >= \(bind(.text(since)))") }
        if let until = query.until {
            conditions.append("substr(\(ArchiveDates.sql), 1, \(bind(.integer(Int64(until.count))))::int) <= \(bind(.text(until)))")
        }
        let limit = query.outlet == nil ? query.limit : max(query.limit * 20, 1000)
        let sql = """
            SELECT a.id, a.title, a.published, a.outlet, a.record, \(rank) AS rank
            FROM articles a
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(order)
            LIMIT \(bind(.integer(Int64(min(limit, Int(Int32.max))))))
            """
        return try run(sql, values).map { row in
            let (id, title, published, outlet, record, rank) = try row.decode((String, String, String?, String?, String, Double).self)
            return HitBuilder.Row(id: id, title: title, published: published, outlet: outlet, record: record, rank: rank)
        }
    }

    public func entityCounts(
        since: String?, until: String?, kinds: [String], entities: [String], by period: ArchivePeriod?, limit: Int
    )
        throws -> [EntityCount]
    {
        var conditions: [String] = []
        var values: [Value] = []
        func bind(_ value: Value) -> String {
            values.append(value)
            return "$\(values.count)"
        }
        if let since { conditions.append("\(ArchiveDates.sql) >= \(bind(.text(since)))") }
        if let until { conditions.append("substr(\(ArchiveDates.sql), 1, \(bind(.integer(Int64(until.count))))::int) <= \(bind(.text(until)))") }
        if !kinds.isEmpty { conditions.append("e.kind IN (\(kinds.map { bind(.text($0)) }.joined(separator: ",")))") }
        if !entities.isEmpty { conditions.append("e.id IN (\(entities.map { bind(.text($0)) }.joined(separator: ",")))") }
        let periodColumn = period.map { "\(Self.periodSQL($0))" } ?? "NULL::text"
        let sql = """
            SELECT e.id, e.kind, e.name_ar, e.name_en, \(periodColumn) AS period, count(*)::bigint AS articles, sum(m.count)::bigint AS mentions
            FROM mentions m JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            GROUP BY e.id, e.kind, e.name_ar, e.name_en\(period == nil ? "" : ", period")
            ORDER BY \(period == nil ? "articles DESC, mentions DESC, e.id" : "e.id, period")
            LIMIT \(bind(.integer(Int64(period == nil ? limit : limit * 400))))
            """
        let counts = try lock.withLock { _ in
            try run(sql, values).map { row in
                let (id, kind, nameAr, nameEn, periodValue, articles, mentions) = try row.decode(
                    (String, String, String, String, String?, Int64, Int64).self)
                return EntityCount(
                    id: id, kind: kind, nameAr: nameAr, nameEn: nameEn, period: periodValue, articles: Int(articles), mentions: Int(mentions))
            }
        }
        return period == nil ? counts : EntityCount.topTimelines(counts, limit: limit)
    }

    static func periodSQL(_ period: ArchivePeriod) -> String {
        switch period {
        case .day: return ArchiveDates.sql
        case .week: return "to_char(date_trunc('week', (\(ArchiveDates.sql))::date), 'YYYY-MM-DD')"
        case .month: return "substr(\(ArchiveDates.sql), 1, 7)"
        case .year: return "substr(\(ArchiveDates.sql), 1, 4)"
        }
    }

    public func count() throws -> Int {
        try lock.withLock { _ in Int(try run("SELECT count(*)::bigint FROM articles").first?.decode(Int64.self) ?? 0) }
    }
}
