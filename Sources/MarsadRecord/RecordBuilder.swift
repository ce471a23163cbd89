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

/// One record a file yielded, or why a part of it could not be one. Single-article files yield
/// one outcome; `.jsonl` files one per non-blank line.
public struct RecordOutcome: Sendable {
    /// The `.jsonl` line, `nil` for whole files.
    public let line: Int?
    public let result: Result<ArticleRecord, ParseFailure>
    /// The line's bytes (for quarantining a bad line alone); `nil` for whole files.
    public let lineBytes: [UInt8]?
}

/// Turns a file into `marsad.article/1` records: parse, link entities, find cited sources and
/// unknown people, compute the identity.
public struct RecordBuilder: Sendable {
    public let parser: ArticleParser
    public let linker: EntityLinker
    public let references: ReferenceFinder
    /// Each word's proclitic strippings, kept across articles and shared by the threads that
    /// parse a batch.
    public let wordAnalyses = AnalyzedText.WordAnalyses(capacity: AnalyzedText.memoCapacity)

    public init(parser: ArticleParser, linker: EntityLinker, rules: LinkingRules = LinkingRules()) {
        self.parser = parser
        var linker = linker
        linker.mediaCues = rules.cues.union(rules.mediaNouns)
        self.linker = linker
        self.references = ReferenceFinder(gazetteer: linker.gazetteer, rules: rules)
    }

    /// Builds the record of a single-article file, or throws why the file cannot be one.
    /// A `.jsonl` file yields its first line's record here; use `records(for:)` for all.
    public func record(for file: SourceFile, now: Date = Date()) throws(ParseFailure) -> ArticleRecord {
        let outcomes = try records(for: file, now: now)
        guard let first = outcomes.first else { throw .empty }
        return try first.result.get()
    }

    /// Builds every record of a file. Throws when the file as a whole cannot be read (unknown
    /// type, not text, empty); a bad `.jsonl` line is a failed outcome, not a thrown error.
    public func records(for file: SourceFile, now: Date = Date()) throws(ParseFailure) -> [RecordOutcome] {
        guard let format = ArticleFormat(fileName: file.name) else {
            throw .unsupportedType(ArticleFormat.dottedExtension(of: file.name))
        }
        let reference = Int(file.receivedAt.timeIntervalSince1970)
        if format == .jsonl {
            return try parser.parseLines(bytes: file.bytes, reference: reference).map { line in
                RecordOutcome(
                    line: line.line,
                    result: line.result.map { record(for: $0, file: file, line: (line.line, line.bytes), now: now) },
                    lineBytes: line.bytes)
            }
        }
        let article = try parser.parse(bytes: file.bytes, format: format, reference: reference)
        return [RecordOutcome(line: nil, result: .success(record(for: article, file: file, now: now)), lineBytes: nil)]
    }

    public func record(
        for article: ParsedArticle, file: SourceFile, line: (number: Int, bytes: [UInt8])? = nil, now: Date = Date()
    )
        -> ArticleRecord
    {
        let texts = ([article.title] + article.paragraphs).map { AnalyzedText($0, memo: wordAnalyses) }
        let mentions = linker.mentions(inArticle: texts)
        let outletEntity = article.outlet.flatMap { self.outletID($0.name) }
        func place(_ index: Int) -> (field: String, paragraph: Int?) { index == 0 ? ("title", nil) : ("paragraph", index - 1) }
        let sourceBytes = line?.bytes ?? file.bytes
        let cited: [ArticleRecord.CitedSourceField] = references.citedSources(in: texts, mentions: mentions, excluding: outletEntity).map {
            source in
            let (field, paragraph) = place(source.textIndex)
            return ArticleRecord.CitedSourceField(
                id: source.id, name: source.name, text: source.text, field: field, paragraph: paragraph, start: source.range.lowerBound,
                end: source.range.upperBound)
        }
        let candidates: [ArticleRecord.CandidateField] = references.candidates(in: texts, mentions: mentions).map { candidate in
            let (field, paragraph) = place(candidate.textIndex)
            return ArticleRecord.CandidateField(
                name: candidate.name, title: candidate.title, field: field, paragraph: paragraph, start: candidate.range.lowerBound,
                end: candidate.range.upperBound)
        }
        let fileField = ArticleRecord.FileField(
            name: file.name, sha256: Self.hex(SHA256.hash(data: sourceBytes)), size: sourceBytes.count, receivedAt: Timestamp.iso(file.receivedAt),
            line: line?.number)
        let published: ArticleRecord.Published? = article.published.map {
            ArticleRecord.Published(date: $0.date.iso, precision: $0.date.precision.rawValue, basis: $0.basis.rawValue, text: $0.text)
        }
        let outlet: ArticleRecord.OutletField? = article.outlet.map {
            ArticleRecord.OutletField(name: $0.name, basis: $0.basis.rawValue, text: $0.text, id: outletEntity)
        }
        return ArticleRecord(
            id: Self.identity(normalized: texts.map(\.normalized)),
            title: article.title,
            published: published,
            outlet: outlet,
            url: article.url,
            lang: article.language,
            encoding: article.encoding,
            paragraphs: article.paragraphs,
            subheadings: article.subheadings.map { .init(text: $0.text, beforeParagraph: $0.beforeParagraph) },
            removed: article.removed.map { .init(kind: $0.kind, text: $0.text, line: $0.line) },
            related: article.related.map { .init(marker: $0.marker, title: $0.title, paragraphs: $0.paragraphs) },
            entities: entities(mentions),
            citedSources: cited,
            candidates: candidates,
            files: [fileField],
            ingestedAt: Timestamp.iso(now))
    }

    /// The gazetteer id of an outlet name: the name must be one known outlet, whole.
    public func outletID(_ name: String) -> String? {
        let found = linker.mentions(in: name)
        guard found.count == 1, let mention = found.first, let entity = linker.gazetteer.entity(id: mention.entityID), entity.isMedia else {
            return nil
        }
        let covered = mention.range.count
        return covered * 2 >= name.scalarCount ? entity.id : nil
    }

    /// Entities in order of first mention, title first.
    func entities(_ found: [[EntityMention]]) -> [ArticleRecord.EntityField] {
        var order: [String] = []
        var mentions: [String: [ArticleRecord.MentionField]] = [:]
        func collect(_ list: [EntityMention], field: String, paragraph: Int?) {
            for mention in list {
                if mentions[mention.entityID] == nil { order.append(mention.entityID) }
                mentions[mention.entityID, default: []].append(
                    .init(field: field, paragraph: paragraph, start: mention.range.lowerBound, end: mention.range.upperBound, text: mention.text))
            }
        }
        collect(found[0], field: "title", paragraph: nil)
        for index in found.indices.dropFirst() { collect(found[index], field: "paragraph", paragraph: index - 1) }
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
        identity(normalized: ([title] + paragraphs).map(ArabicNormalizer.normalize))
    }

    /// The same, from the title and paragraphs already normalised.
    static func identity(normalized texts: [NormalizedText]) -> String {
        var hasher = SHA256()
        for (index, text) in texts.enumerated() {
            if index > 0 { hasher.update(data: [UInt8(ascii: "\n")]) }
            var utf8 = text.text
            utf8.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return String(hex(hasher.finalize()).prefix(32))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// ISO 8601 timestamps in UTC with milliseconds, as every Marsad record and envelope writes them.
public enum Timestamp {
    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
