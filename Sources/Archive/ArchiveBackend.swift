import ArabicText
import Foundation
import MarsadRecord
import MarsadStream

/// Where archived records live: one SQLite file (the default) or a PostgreSQL database that
/// archive workers on several hosts share. Both hold the same tables and answer the same queries.
public protocol ArchiveBackend: Sendable {
    /// A description for logs and messages: the file or the server and database.
    var location: String { get }
    /// The stored checkpoint of `stream`, if any.
    func checkpoint(stream: String) throws -> Checkpoint?
    /// Stores a batch and the checkpoint after it in one transaction, idempotently by record id;
    /// returns how many records were new.
    @discardableResult
    func store(_ messages: [StreamMessage], checkpoint: Checkpoint, now: Date) throws -> Int
    /// Full-text search with filters, best first.
    func search(_ query: SearchQuery) throws -> [SearchHit]
    /// The full records of every article the query matches.
    func records(_ query: SearchQuery) throws -> [ArticleRecord]
    /// Mention counts per entity (and per period).
    func entityCounts(
        since: String?, until: String?, kinds: [String], entities: [String], by period: ArchivePeriod?, limit: Int
    ) throws
        -> [EntityCount]
    /// Number of archived articles.
    func count() throws -> Int
    /// Housekeeping between batches (SQLite copies its WAL into the database).
    func maintain() throws
}

extension ArchiveBackend {
    public func maintain() throws {}

    @discardableResult
    public func store(_ messages: [StreamMessage], checkpoint: Checkpoint) throws -> Int {
        try store(messages, checkpoint: checkpoint, now: Date())
    }
}

/// Which backend to open, from `[archive]`.
public enum ArchiveLocation: Sendable, Equatable {
    case sqlite(path: String)
    /// `postgres://user[:password]@host[:port]/database`
    case postgres(url: String)

    /// Opens the archive; `readOnly` refuses to create a missing SQLite file.
    public func open(readOnly: Bool = false) throws -> any ArchiveBackend {
        switch self {
        case .sqlite(let path): return try SQLiteArchive(path: path, readOnly: readOnly)
        case .postgres(let url): return try PostgresArchive(url: url)
        }
    }

    /// Opens the archive once for each of `streams` consumers (articles, labels) writing to it.
    ///
    /// SQLite has one writer at a time: two connections would wait for each other in SQLite's
    /// busy handler, which sleeps 1, 2, 5, 10 … ms between tries, so an article's commit could
    /// sleep behind the labels of the one before. The consumers of a SQLite archive share one
    /// pool instead, whose writes queue and are woken at once. PostgreSQL gets a connection each.
    public func openForWriters(_ streams: Int) throws -> [any ArchiveBackend] {
        switch self {
        case .sqlite:
            let store = try open()
            return Array(repeating: store, count: streams)
        case .postgres:
            return try (0..<streams).map { _ in try open() }
        }
    }
}

/// The date that places an article in time: its publication date, or the day it was ingested.
enum ArchiveDates {
    /// SQL (both dialects) for that date as `YYYY-MM-DD`, completing `2024` and `2024-10` to
    /// their first day.
    static let sql = "substr(coalesce(a.published, substr(a.ingested_at, 1, 10)) || '-01-01', 1, 10)"
}

/// One search hit.
public struct SearchHit: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var published: String?
    public var outlet: String?
    /// bm25 rank (lower is better); 0 when the query had no words.
    public var rank: Double
    /// The best-matching passage, original spelling, matches between `**`.
    public var snippet: String?
    public var entities: [HitEntity]
    public var labels: [HitLabel]
    public var files: [String]

    public struct HitEntity: Sendable, Codable, Equatable {
        public var id: String
        public var kind: String
        public var nameAr: String
        public var count: Int
        enum CodingKeys: String, CodingKey {
            case id, kind, count
            case nameAr = "name_ar"
        }
    }

    public struct HitLabel: Sendable, Codable, Equatable {
        public var label: String
        public var score: Double
    }
}

/// Turns fetched rows into hits: decodes the records, cuts snippets, filters by outlet.
enum HitBuilder {
    struct Row {
        var id: String
        var title: String
        var published: String?
        var outlet: String?
        var record: String
        var rank: Double
    }

    /// The rows of the query's outlet, if it names one: outlets are compared after normalisation,
    /// which SQL cannot do, so the backends fetch more rows and this filters them.
    static func matchingOutlet(_ rows: [Row], _ query: SearchQuery) -> [Row] {
        guard let outletKey = query.outlet.map(ArabicNormalizer.normalizedString) else { return rows }
        return rows.filter { row in row.outlet.map { ArabicNormalizer.normalizedString($0) == outletKey } ?? false }
    }

    /// The full records of the rows, for export.
    static func records(_ rows: [Row], query: SearchQuery) throws -> [ArticleRecord] {
        try matchingOutlet(rows, query).prefix(query.limit).map { try ArticleRecord.decode(Data($0.record.utf8)) }
    }

    static func hits(_ rows: [Row], labels: [String: [SearchHit.HitLabel]], query: SearchQuery) throws -> [SearchHit] {
        let terms = query.terms
        var hits: [SearchHit] = []
        for row in matchingOutlet(rows, query) {
            let record = try ArticleRecord.decode(Data(row.record.utf8))
            hits.append(
                SearchHit(
                    id: row.id, title: row.title, published: row.published, outlet: row.outlet, rank: row.rank,
                    snippet: terms.isEmpty ? nil : Snippet.best(in: [record.title] + record.paragraphs, terms: terms),
                    entities: record.entities.map { .init(id: $0.id, kind: $0.kind, nameAr: $0.nameAr, count: $0.count) },
                    labels: labels[record.id] ?? [], files: record.files.map(\.name)))
            if hits.count == query.limit { break }
        }
        return hits
    }
}

/// The passage of a text that best shows why it matched, in its original spelling.
enum Snippet {
    static let radius = 12

    static func best(in texts: [String], terms: [SearchQuery.Term]) -> String? {
        let wanted = Set(terms.flatMap { $0.words.flatMap { [$0.stem] + $0.variants } })
        let skeletons = Set(terms.flatMap { $0.words.compactMap(\.skeleton) })
        var best: (text: String, tokens: [Token], hits: [Int])?
        for text in texts {
            let tokens = ArabicTokenizer.tokens(of: text)
            let hits = tokens.indices.filter { index in
                let forms = SearchForms(normalizedWord: tokens[index].text)
                return wanted.contains(forms.stem) || forms.variants.contains(where: wanted.contains)
                    || forms.skeleton.map(skeletons.contains) == true
            }
            if !hits.isEmpty && hits.count > (best?.hits.count ?? 0) { best = (text, tokens, hits) }
        }
        guard let best, let first = best.hits.first else { return nil }
        let scalars = best.text.scalarArray
        let low = max(0, first - radius)
        let high = min(best.tokens.count - 1, first + radius)
        var result = low > 0 ? "… " : ""
        var cursor = best.tokens[low].originalRange.lowerBound
        let hitSet = Set(best.hits)
        for index in low...high {
            let range = best.tokens[index].originalRange
            result += String(scalars: scalars[cursor..<range.lowerBound])
            let word = String(scalars: scalars[range])
            result += hitSet.contains(index) ? "**\(word)**" : word
            cursor = range.upperBound
        }
        if high < best.tokens.count - 1 { result += " …" }
        return result
    }
}
