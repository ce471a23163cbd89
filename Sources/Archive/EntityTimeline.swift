import Foundation
import GRDB

/// Mention counts per entity over a period — the timeline an analyst asks for first.
public struct EntityCount: Sendable, Codable, Equatable {
    public var id: String
    public var kind: String
    public var nameAr: String
    public var nameEn: String
    /// The period (`2024-01-25`, `2024-W04`, `2024-01`, `2024`), or `null` for the whole range.
    public var period: String?
    /// Articles that mention it.
    public var articles: Int
    /// Mentions across those articles.
    public var mentions: Int

    enum CodingKeys: String, CodingKey {
        case id, kind, period, articles, mentions
        case nameAr = "name_ar"
        case nameEn = "name_en"
    }
}

extension ArchiveStore {
    public enum Period: String, Sendable, CaseIterable {
        case day, week, month, year

        var sql: String {
            let date = "coalesce(a.published, substr(a.ingested_at, 1, 10))"
            switch self {
            case .day: return "substr(\(date), 1, 10)"
            case .week: return "strftime('%Y-W%W', \(date))"
            case .month: return "substr(\(date), 1, 7)"
            case .year: return "substr(\(date), 1, 4)"
            }
        }
    }

    /// Counts per entity (and per period when `by` is set), most-mentioned first.
    public func entityCounts(
        since: String? = nil, until: String? = nil, kinds: [String] = [], entities: [String] = [], by period: Period? = nil, limit: Int = 50
    ) throws -> [EntityCount] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        let date = "coalesce(a.published, substr(a.ingested_at, 1, 10))"
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
        let periodColumn = period.map { "\($0.sql) AS period" } ?? "NULL AS period"
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
        let rows = try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)!) }
        var counts = rows.map {
            EntityCount(
                id: $0["id"], kind: $0["kind"], nameAr: $0["name_ar"], nameEn: $0["name_en"], period: $0["period"], articles: $0["articles"],
                mentions: $0["mentions"])
        }
        if period != nil {
            // Keep the `limit` entities with most articles overall, each with its whole timeline.
            var totals: [String: Int] = [:]
            for count in counts { totals[count.id, default: 0] += count.articles }
            let top = Set(totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key))
            counts = counts.filter { top.contains($0.id) }
        }
        return counts
    }
}
