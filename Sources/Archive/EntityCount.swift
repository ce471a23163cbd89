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

/// The periods of an entity timeline.
public enum ArchivePeriod: String, Sendable, CaseIterable {
    /// `2024-01-25`
    case day
    /// The Monday that starts the week: `2024-01-22`
    case week
    /// `2024-01`
    case month
    /// `2024`
    case year
}

extension EntityCount {
    /// Keeps the `limit` entities with most articles overall, each with its whole timeline.
    static func topTimelines(_ counts: [EntityCount], limit: Int) -> [EntityCount] {
        var totals: [String: Int] = [:]
        for count in counts { totals[count.id, default: 0] += count.articles }
        let top = Set(totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key))
        return counts.filter { top.contains($0.id) }
    }
}
