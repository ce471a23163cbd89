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

    /// Everything but the article.
    struct Header: Codable {
        var schema: String
        var id: String
        var source: Source
        var labels: [Label]
        var classifiedAt: String
        enum CodingKeys: String, CodingKey {
            case schema, id, source, labels
            case classifiedAt = "classified_at"
        }
    }

    static let articleKey = Array(#","article":"#.utf8)

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
            writer.objects("evidence", label.evidence) { writer, evidence in
                writer.string("text", evidence.text)
                writer.place(field: evidence.field, paragraph: evidence.paragraph, start: evidence.start, end: evidence.end)
                writer.double("weight", evidence.weight)
            }
        }
        writer.string("classified_at", classifiedAt)
        // `,"article":` and the article as it is: `split` finds it by that key.
        writer.key("article")
        writer.raw(articleJSON)
        writer.endObject()
        return Data(writer.bytes)
    }

    /// Splits a labels record written by `jsonData(…articleJSON:)` into its labels and the
    /// article's JSON, without decoding the article. `nil` for any other layout (then decode it
    /// whole).
    public static func split(_ data: Data) -> (labels: [Label], articleJSON: Data)? {
        let bytes = [UInt8](data)
        guard bytes.last == UInt8(ascii: "}"), let start = firstIndex(of: articleKey, in: bytes) else { return nil }
        var header = Data(bytes[0..<start])
        header.append(UInt8(ascii: "}"))
        guard let decoded = try? JSONDecoder().decode(Header.self, from: header) else { return nil }
        return (decoded.labels, Data(bytes[(start + articleKey.count)..<(bytes.count - 1)]))
    }

    /// The first top-level `,"article":` — inside a JSON string a quote is always escaped, and no
    /// key of the header or of the article is "article", so the first match is the key.
    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    public static func decode(_ data: Data) throws -> LabelsRecord { try JSONDecoder().decode(LabelsRecord.self, from: data) }

    /// The record with its article's entities but not their mentions (`ArticleRecord.withoutMentions`).
    public static func decodeWithoutMentions(_ data: Data) throws -> LabelsRecord {
        let decoder = JSONDecoder()
        decoder.userInfo[ArticleRecord.withoutMentions] = true
        return try decoder.decode(LabelsRecord.self, from: data)
    }
}
