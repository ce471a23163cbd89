import Foundation

/// The `marsad.alert/1` record every sink receives. Documented in `docs/alerts.md`.
public struct AlertRecord: Codable, Sendable, Equatable {
    public static let schemaName = "marsad.alert/1"

    public struct Article: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var outlet: String?
        public var published: String?
        public var url: String?
    }

    public struct MatchedLabel: Codable, Sendable, Equatable {
        public var label: String
        public var score: Double
        /// The evidence words of the label, as written.
        public var evidence: [String]
    }

    public struct Window: Codable, Sendable, Equatable {
        /// The entity counted and the label, if the rule has one.
        public var entity: String
        public var label: String?
        public var from: String
        public var to: String
        /// Articles in the window, and the average per window before it (when a baseline is used).
        public var count: Int
        public var baseline: Double?
    }

    public var schema = AlertRecord.schemaName
    /// Stable: the same rule and article (or spike window) always give the same id, so it also
    /// serves as the webhook's idempotency key.
    public var id: String
    public var rule: String
    /// `match` (one article) or `spike` (a count over a window).
    public var kind: String
    public var severity: String
    public var description: String
    public var entities: [String]
    public var labels: [MatchedLabel]
    public var words: [String]
    /// The article that raised it (for a spike, the one that crossed the threshold).
    public var article: Article
    public var window: Window?
    /// Event time: the article's ingestion time.
    public var time: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case schema, id, rule, kind, severity, description, entities, labels, words, article, window, time
        case createdAt = "created_at"
    }

    /// The ZeroMQ topic: `alert.<severity>.<rule>.`.
    public var topic: String { "alert.\(severity).\(rule)." }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return try encoder.encode(self)
    }
}
