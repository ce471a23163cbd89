import ArabicText
import Foundation
import GRDB
import MarsadRecord

extension SQLiteArchive {
    /// How many of the most recently archived matches a search ranks. bm25 costs time for every
    /// match, and a word common in the news matches most of a large archive; ranking the newest
    /// matches keeps a search fast and is what a news analyst looks at first. A search whose
    /// filters leave too few hits in the window is run again over every match.
    static let rankingWindow = 20_000

    /// Runs a search: full-text match ranked by bm25 (title and body), then filters.
    public func search(_ query: SearchQuery) throws -> [SearchHit] {
        let hits = try hits(query, window: Self.rankingWindow)
        if hits.count < query.limit, query.matchExpression != nil, try matchCount(query, atLeast: Self.rankingWindow) {
            return try self.hits(query, window: nil)
        }
        return hits
    }

    /// Every article the query matches, in rank order, with its full record.
    public func records(_ query: SearchQuery) throws -> [ArticleRecord] {
        var all = query
        all.limit = Int.max / 2
        return try HitBuilder.records(rankedRows(all, window: nil), query: all)
    }

    private func hits(_ query: SearchQuery, window: Int?) throws -> [SearchHit] {
        let rows = try rankedRows(query, window: window)
        return try HitBuilder.hits(rows, labels: labelsByArticle(rows.map(\.id)), query: query)
    }

    /// Whether the query's full-text match has at least `count` candidates.
    private func matchCount(_ query: SearchQuery, atLeast count: Int) throws -> Bool {
        guard let match = query.matchExpression else { return false }
        return try pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)", arguments: [match, count]) ?? 0
        } >= count
    }

    /// The rows the query ranks first (the newest `window` full-text candidates, or all).
    private func rankedRows(_ query: SearchQuery, window: Int?) throws -> [HitBuilder.Row] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        var from = "articles a"
        var rank = "0.0"
        var order = "\(ArchiveDates.sql) DESC, a.rowid DESC"
        if let match = query.matchExpression {
            // bm25 is computed in the subquery, for the candidates it returns only.
            from = """
                (SELECT rowid, bm25(articles_fts, 10.0, 4.0, 1.0) AS score FROM articles_fts WHERE articles_fts MATCH ?
                 ORDER BY rowid DESC \(window.map { "LIMIT \($0)" } ?? "")) AS hits
                JOIN articles a ON a.rowid = hits.rowid
                """
            arguments.append(match)
            rank = "hits.score"
            order = "rank"
        }
        for entity in query.entities {
            // Unary + keeps the planner from driving the query by the (large) mention list.
            conditions.append("+a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?)")
            arguments.append(entity)
        }
        for label in query.labels {
            conditions.append("a.id IN (SELECT article_id FROM labels WHERE label = ?)")
            arguments.append(label)
        }
        if let since = query.since {
            conditions.append("\(ArchiveDates.sql) >= ?")
            arguments.append(since)
        }
        if let until = query.until {
            // An inclusive upper bound that also works for a prefix such as 2024-01.
            conditions.append("substr(\(ArchiveDates.sql), 1, ?) <= ?")
            arguments.append(until.count)
            arguments.append(until)
        }
        // Rank and order only rowids: sorting the selected rows with their records would carry
        // every match's JSON through the sorter. The few winners' rows are read afterwards.
        let sql = """
            SELECT a.rowid AS rowid, \(rank) AS rank
            FROM \(from)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(order)
            LIMIT ?
            """
        let outletKey = query.outlet.map(ArabicNormalizer.normalizedString)
        // The outlet is compared after normalisation, in Swift: fetch a little more to filter.
        arguments.append(outletKey == nil ? query.limit : max(query.limit * 20, 1000))
        return try pool.read { db -> [HitBuilder.Row] in
            let ranked = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            guard !ranked.isEmpty else { return [] }
            // In chunks: an export can rank more rows than SQLite binds variables in one statement.
            var byRowID: [Int64: Row] = [:]
            let rowIDs = ranked.map { $0["rowid"] as Int64 }
            for start in stride(from: 0, to: rowIDs.count, by: 10_000) {
                let chunk = Array(rowIDs[start..<min(start + 10_000, rowIDs.count)])
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for article in try Row.fetchAll(
                    db, sql: "SELECT rowid, id, title, published, outlet, record FROM articles WHERE rowid IN (\(placeholders))",
                    arguments: StatementArguments(chunk))
                {
                    byRowID[article["rowid"]] = article
                }
            }
            return ranked.compactMap { row -> HitBuilder.Row? in
                guard let article = byRowID[row["rowid"] as Int64] else { return nil }
                return HitBuilder.Row(
                    id: article["id"], title: article["title"], published: article["published"], outlet: article["outlet"],
                    record: article["record"], rank: row["rank"])
            }
        }
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
}

extension SQLiteArchive {
    /// Counts per entity (and per period when `by` is set), most-mentioned first.
    public func entityCounts(
        since: String? = nil, until: String? = nil, kinds: [String] = [], entities: [String] = [], by period: ArchivePeriod?, limit: Int
    ) throws -> [EntityCount] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        let date = ArchiveDates.sql
        if let since {
            conditions.append("\(date) >= ?")
            arguments.append(since)
        }
        if let until {
            conditions.append("substr(\(date), 1, ?) <= ?")
            arguments += [until.count, until]
        }
        if !kinds.isEmpty {
            conditions.append("e.kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ",")))")
            arguments += kinds
        }
        if !entities.isEmpty {
            conditions.append("e.id IN (\(Array(repeating: "?", count: entities.count).joined(separator: ",")))")
            arguments += entities
        }
        let periodColumn = period.map { "\(Self.periodSQL($0)) AS period" } ?? "NULL AS period"
        let grouping = period == nil ? "e.id" : "e.id, period"
        let sql = """
            SELECT e.id, e.kind, e.name_ar, e.name_en, \(periodColumn), count(*) AS articles, sum(m.count) AS mentions
            FROM mentions m JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            GROUP BY \(grouping)
            ORDER BY \(period == nil ? "articles DESC, mentions DESC, e.id" : "e.id, period")
            LIMIT ?
            """
        arguments.append(period == nil ? limit : limit * 400)
        let rows = try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
        var counts = rows.map {
            EntityCount(
                id: $0["id"], kind: $0["kind"], nameAr: $0["name_ar"], nameEn: $0["name_en"], period: $0["period"], articles: $0["articles"],
                mentions: $0["mentions"])
        }
        if period != nil { counts = EntityCount.topTimelines(counts, limit: limit) }
        return counts
    }

    static func periodSQL(_ period: ArchivePeriod) -> String {
        switch period {
        case .day: return ArchiveDates.sql
        case .week: return "date(\(ArchiveDates.sql), '-6 days', 'weekday 1')"
        case .month: return "substr(\(ArchiveDates.sql), 1, 7)"
        case .year: return "substr(\(ArchiveDates.sql), 1, 4)"
        }
    }
}
