import ArabicText
import Foundation
import GRDB
import MarsadRecord

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

extension ArchiveStore {
    /// Runs a search: full-text match ranked by bm25 (title and body), then filters.
    public func search(_ query: SearchQuery) throws -> [SearchHit] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        var from = "articles a"
        var rank = "0.0"
        var order = "coalesce(a.published, substr(a.ingested_at, 1, 10)) DESC, a.rowid DESC"
        if let match = query.matchExpression {
            from = "articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            conditions.append("articles_fts MATCH ?")
            arguments.append(match)
            rank = "bm25(articles_fts, 10.0, 4.0, 1.0)"
            order = "rank"
        }
        for entity in query.entities {
            conditions.append("a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?)")
            arguments.append(entity)
        }
        for label in query.labels {
            conditions.append("a.id IN (SELECT article_id FROM labels WHERE label = ?)")
            arguments.append(label)
        }
        if let since = query.since {
            conditions.append("coalesce(a.published, substr(a.ingested_at, 1, 10)) >= ?")
            arguments.append(since)
        }
        if let until = query.until {
            // An inclusive upper bound that also works for a prefix such as 2024-01.
            conditions.append("substr(coalesce(a.published, substr(a.ingested_at, 1, 10)), 1, ?) <= ?")
            arguments.append(until.count)
            arguments.append(until)
        }
        let sql = """
            SELECT a.id, a.title, a.published, a.outlet, a.record, \(rank) AS rank
            FROM \(from)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(order)
            LIMIT ?
            """
        let outletKey = query.outlet.map(ArabicNormalizer.normalizedString)
        // The outlet is compared after normalisation, in Swift: fetch a little more to filter.
        arguments.append(outletKey == nil ? query.limit : max(query.limit * 20, 1000))
        let rows = try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)!) }
        let labels = try labelsByArticle(rows.map { $0["id"] })
        let terms = query.terms
        var hits: [SearchHit] = []
        for row in rows {
            if let outletKey {
                guard let outlet: String = row["outlet"], ArabicNormalizer.normalizedString(outlet) == outletKey else { continue }
            }
            let recordText: String = row["record"]
            let record = try ArticleRecord.decode(Data(recordText.utf8))
            hits.append(
                SearchHit(
                    id: row["id"], title: row["title"], published: row["published"], outlet: row["outlet"], rank: row["rank"],
                    snippet: terms.isEmpty ? nil : Snippet.best(in: [record.title] + record.paragraphs, terms: terms),
                    entities: record.entities.map { .init(id: $0.id, kind: $0.kind, nameAr: $0.nameAr, count: $0.count) },
                    labels: labels[record.id] ?? [], files: record.files.map(\.name)))
            if hits.count == query.limit { break }
        }
        return hits
    }

    func labelsByArticle(_ ids: [String]) throws -> [String: [SearchHit.HitLabel]] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var result: [String: [SearchHit.HitLabel]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT article_id, label, score FROM labels WHERE article_id IN (\(placeholders)) ORDER BY score DESC",
                arguments: StatementArguments(ids))
            {
                result[row["article_id"], default: []].append(.init(label: row["label"], score: row["score"]))
            }
            return result
        }
    }

    /// The full records of the hits, for export.
    public func records(_ query: SearchQuery) throws -> [ArticleRecord] {
        var all = query
        all.limit = Int.max / 2
        let ids = try search(all).map(\.id)
        return try pool.read { db in
            try ids.compactMap { id in
                try String.fetchOne(db, sql: "SELECT record FROM articles WHERE id = ?", arguments: [id]).map {
                    try ArticleRecord.decode(Data($0.utf8))
                }
            }
        }
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
        let scalars = Array(best.text.unicodeScalars)
        let low = max(0, first - radius)
        let high = min(best.tokens.count - 1, first + radius)
        var result = low > 0 ? "… " : ""
        var cursor = best.tokens[low].originalRange.lowerBound
        let hitSet = Set(best.hits)
        for index in low...high {
            let range = best.tokens[index].originalRange
            result += String(String.UnicodeScalarView(scalars[cursor..<range.lowerBound]))
            let word = String(String.UnicodeScalarView(scalars[range]))
            result += hitSet.contains(index) ? "**\(word)**" : word
            cursor = range.upperBound
        }
        if high < best.tokens.count - 1 { result += " …" }
        return result
    }
}
