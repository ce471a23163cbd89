import ArabicText
import ArticleParsing
import Crypto
import EntityLinking
import Foundation

/// The file an article came from.
public struct SourceFile: Sendable {
    public var name: String
    public var bytes: [UInt8]
    public var receivedAt: Date

    public init(name: String, bytes: [UInt8], receivedAt: Date) {
        self.name = name
        self.bytes = bytes
        self.receivedAt = receivedAt
    }
}

/// Turns a file into a `marsad.article/1` record: parse, link entities, compute the identity.
public struct RecordBuilder: Sendable {
    public let parser: TextArticleParser
    public let linker: EntityLinker

    public init(parser: TextArticleParser, linker: EntityLinker) {
        self.parser = parser
        self.linker = linker
    }

    /// Builds the record for `file`, or throws why the file cannot be one.
    public func record(for file: SourceFile, now: Date = Date()) throws(ParseFailure) -> ArticleRecord {
        let article = try parser.parse(bytes: file.bytes)
        return record(for: article, file: file, now: now)
    }

    public func record(for article: ParsedArticle, file: SourceFile, now: Date = Date()) -> ArticleRecord {
        ArticleRecord(
            id: Self.identity(title: article.title, paragraphs: article.paragraphs),
            title: article.title,
            published: article.published.map {
                .init(date: $0.date.iso, precision: $0.date.precision.rawValue, basis: $0.basis.rawValue, text: $0.text)
            },
            outlet: article.outlet.map { .init(name: $0.name, basis: $0.basis.rawValue, text: $0.text) },
            url: nil,
            lang: article.language,
            encoding: article.encoding,
            paragraphs: article.paragraphs,
            subheadings: article.subheadings.map { .init(text: $0.text, beforeParagraph: $0.beforeParagraph) },
            removed: article.removed.map { .init(kind: $0.kind, text: $0.text, line: $0.line) },
            related: article.related.map { .init(marker: $0.marker, title: $0.title, paragraphs: $0.paragraphs) },
            entities: entities(of: article),
            files: [
                .init(
                    name: file.name, sha256: Self.hex(SHA256.hash(data: file.bytes)), size: file.bytes.count,
                    receivedAt: Timestamp.iso(file.receivedAt))
            ],
            ingestedAt: Timestamp.iso(now))
    }

    /// Entities in order of first mention, title first.
    func entities(of article: ParsedArticle) -> [ArticleRecord.EntityField] {
        var order: [String] = []
        var mentions: [String: [ArticleRecord.MentionField]] = [:]
        func collect(_ text: String, field: String, paragraph: Int?) {
            for mention in linker.mentions(in: text) {
                if mentions[mention.entityID] == nil { order.append(mention.entityID) }
                mentions[mention.entityID, default: []].append(
                    .init(field: field, paragraph: paragraph, start: mention.range.lowerBound, end: mention.range.upperBound, text: mention.text))
            }
        }
        collect(article.title, field: "title", paragraph: nil)
        for (index, paragraph) in article.paragraphs.enumerated() { collect(paragraph, field: "paragraph", paragraph: index) }
        return order.compactMap { id in
            guard let entity = linker.gazetteer.entity(id: id), let found = mentions[id] else { return nil }
            return .init(
                id: id, kind: entity.kind.rawValue, nameAr: entity.nameArabic, nameEn: entity.nameEnglish, wikidata: entity.wikidata,
                count: found.count, mentions: found)
        }
    }

    /// Record identity: SHA-256 over the normalised title and paragraphs, one per line,
    /// truncated to 128 bits (32 hex digits).
    public static func identity(title: String, paragraphs: [String]) -> String {
        var text = ArabicNormalizer.normalizedString(title)
        for paragraph in paragraphs {
            text += "\n"
            text += ArabicNormalizer.normalizedString(paragraph)
        }
        return String(hex(SHA256.hash(data: Data(text.utf8))).prefix(32))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}

/// ISO 8601 timestamps in UTC with milliseconds, as every Marsad record and envelope writes them.
public enum Timestamp {
    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
