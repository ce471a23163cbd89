import Foundation

/// The `marsad.labels/1` record: what the classify worker publishes for each article. It
/// carries the article record whole, so a consumer (alert, archive) needs no second stream.
/// Documented in `docs/record.md`.
public struct LabelsRecord: Codable, Sendable, Equatable {
    public static let schemaName = "marsad.labels/1"

    public struct Source: Codable, Sendable, Equatable {
        /// The article's place in the stream it came from.
        public var stream: String
        public var epoch: UInt64
        public var seq: UInt64

        public init(stream: String, epoch: UInt64, seq: UInt64) {
            self.stream = stream
            self.epoch = epoch
            self.seq = seq
        }
    }

    public struct Evidence: Codable, Sendable, Equatable {
        /// The words as written, where they are (`title` or `paragraph` + index, scalar offsets),
        /// and how much they added to the score.
        public var text: String
        public var field: String
        public var paragraph: Int?
        public var start: Int
        public var end: Int
        public var weight: Double

        public init(text: String, field: String, paragraph: Int?, start: Int, end: Int, weight: Double) {
            self.text = text
            self.field = field
            self.paragraph = paragraph
            self.start = start
            self.end = end
            self.weight = weight
        }

        /// Its fields, as the labels record and the archive's `evidence` column write them.
        static func write(_ writer: inout JSONWriter, _ evidence: Evidence) {
            writer.string("text", evidence.text)
            writer.place(field: evidence.field, paragraph: evidence.paragraph, start: evidence.start, end: evidence.end)
            writer.double("weight", evidence.weight)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(field, forKey: .field)
            try container.encode(paragraph, forKey: .paragraph)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
            try container.encode(weight, forKey: .weight)
        }
    }

    public struct Label: Codable, Sendable, Equatable {
        public var label: String
        /// In [0, 1].
        public var score: Double
        public var evidence: [Evidence]

        public init(label: String, score: Double, evidence: [Evidence]) {
            self.label = label
            self.score = score
            self.evidence = evidence
        }
    }

    public var schema = LabelsRecord.schemaName
    /// The article's id.
    public var id: String
    public var source: Source
    /// Highest score first; empty when no label applies.
    public var labels: [Label]
    public var classifiedAt: String
    public var article: ArticleRecord

    public init(id: String, source: Source, labels: [Label], classifiedAt: String, article: ArticleRecord) {
        self.id = id
        self.source = source
        self.labels = labels
        self.classifiedAt = classifiedAt
        self.article = article
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, source, labels, article
        case classifiedAt = "classified_at"
    }

    public func jsonData() throws -> Data { try ArticleRecord.encoder.encode(self) }

    /// The record's JSON with the article's JSON embedded as it is, last: what the classify
    /// worker publishes. Neither the article nor its labels are encoded twice.
    public static func jsonData(id: String, source: Source, labels: [Label], classifiedAt: String, articleJSON: Data) throws -> Data {
        var writer = JSONWriter(capacity: articleJSON.count + 4096)
        writer.beginObject()
        writer.string("schema", schemaName)
        writer.string("id", id)
        writer.key("source")
        writer.beginObject()
        writer.string("stream", source.stream)
        writer.int("epoch", source.epoch)
        writer.int("seq", source.seq)
        writer.endObject()
        writer.objects("labels", labels) { writer, label in
            writer.string("label", label.label)
            writer.double("score", label.score)
            writer.objects("evidence", label.evidence, Evidence.write)
        }
        writer.string("classified_at", classifiedAt)
        // The article as it is: `split` finds it by its key.
        writer.key("article")
        writer.raw(articleJSON)
        writer.endObject()
        return Data(writer.bytes)
    }

    /// Splits a labels record into its labels and the article's JSON as it is in the record,
    /// without reading the article.
    public static func split(_ data: Data) throws -> (labels: [Label], articleJSON: Data) {
        try JSONReader.read(data) { reader in
            let parts = try Parts(reading: &reader) { try $0.skipValue() }
            let range = try reader.required(parts.article, "article")
            return (try reader.required(parts.labels, "labels"), data[data.startIndex + range.lowerBound..<data.startIndex + range.upperBound])
        }
    }

    public static func decode(_ data: Data) throws -> LabelsRecord { try read(data, mentions: true) }

    /// The record with its article's entities but not their mentions (`ArticleRecord.init(reading:mentions:)`).
    public static func decodeWithoutMentions(_ data: Data) throws -> LabelsRecord { try read(data, mentions: false) }

    private static func read(_ data: Data, mentions: Bool) throws -> LabelsRecord {
        try JSONReader.read(data) { reader in
            var article: ArticleRecord?
            let parts = try Parts(reading: &reader) { article = try ArticleRecord(reading: &$0, mentions: mentions) }
            var record = LabelsRecord(
                id: try reader.required(parts.id, "id"), source: try reader.required(parts.source, "source"),
                labels: try reader.required(parts.labels, "labels"), classifiedAt: try reader.required(parts.classifiedAt, "classified_at"),
                article: try reader.required(article, "article"))
            record.schema = parts.schema ?? schemaName
            return record
        }
    }

    /// Evidence as the archive keeps it: `[{"text","field","paragraph","start","end","weight"}]`.
    public static func evidenceJSON(_ evidence: [Evidence]) -> String {
        var writer = JSONWriter(capacity: 256 * evidence.count + 2)
        writer.objects(evidence, Evidence.write)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
