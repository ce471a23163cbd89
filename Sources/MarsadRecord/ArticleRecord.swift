import Foundation

/// The `marsad.article/1` record: what ingest publishes for each article. Documented field by
/// field in `docs/record.md`. All text is as the article wrote it; offsets count Unicode scalars.
public struct ArticleRecord: Codable, Sendable, Equatable {
    public static let schemaName = "marsad.article/1"

    public var schema = ArticleRecord.schemaName
    /// Hex SHA-256 (first 128 bits) of the normalised title and body: the same article under
    /// any file name has the same id.
    public var id: String
    public var title: String
    public var published: Published?
    public var outlet: OutletField?
    public var url: String?
    public var lang: String
    public var encoding: String
    public var paragraphs: [String]
    public var subheadings: [SubheadingField]
    public var removed: [RemovedField]
    public var related: [RelatedField]
    public var entities: [EntityField]
    /// Outlets and agencies the article cites («حسب الأناضول»).
    public var citedSources: [CitedSourceField]
    /// People named after a title whom the gazetteer does not know.
    public var candidates: [CandidateField]
    public var files: [FileField]
    public var ingestedAt: String

    public init(
        id: String, title: String, published: Published?, outlet: OutletField?, url: String?, lang: String, encoding: String,
        paragraphs: [String], subheadings: [SubheadingField], removed: [RemovedField], related: [RelatedField], entities: [EntityField],
        citedSources: [CitedSourceField] = [], candidates: [CandidateField] = [], files: [FileField], ingestedAt: String
    ) {
        self.id = id
        self.title = title
        self.published = published
        self.outlet = outlet
        self.url = url
        self.lang = lang
        self.encoding = encoding
        self.paragraphs = paragraphs
        self.subheadings = subheadings
        self.removed = removed
        self.related = related
        self.entities = entities
        self.citedSources = citedSources
        self.candidates = candidates
        self.files = files
        self.ingestedAt = ingestedAt
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, title, published, outlet, url, lang, encoding, paragraphs, subheadings, removed, related,
            entities, candidates, files
        case citedSources = "cited_sources"
        case ingestedAt = "ingested_at"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(String.self, forKey: .title)
        published = try container.decodeIfPresent(Published.self, forKey: .published)
        outlet = try container.decodeIfPresent(OutletField.self, forKey: .outlet)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        lang = try container.decode(String.self, forKey: .lang)
        encoding = try container.decode(String.self, forKey: .encoding)
        paragraphs = try container.decode([String].self, forKey: .paragraphs)
        subheadings = try container.decode([SubheadingField].self, forKey: .subheadings)
        removed = try container.decode([RemovedField].self, forKey: .removed)
        related = try container.decode([RelatedField].self, forKey: .related)
        entities = try container.decode([EntityField].self, forKey: .entities)
        // Records journaled before these fields existed have neither.
        citedSources = try container.decodeIfPresent([CitedSourceField].self, forKey: .citedSources) ?? []
        candidates = try container.decodeIfPresent([CandidateField].self, forKey: .candidates) ?? []
        files = try container.decode([FileField].self, forKey: .files)
        ingestedAt = try container.decode(String.self, forKey: .ingestedAt)
    }

    // Written by hand so that absent values appear as `null`: every record has every key.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(published, forKey: .published)
        try container.encode(outlet, forKey: .outlet)
        try container.encode(url, forKey: .url)
        try container.encode(lang, forKey: .lang)
        try container.encode(encoding, forKey: .encoding)
        try container.encode(paragraphs, forKey: .paragraphs)
        try container.encode(subheadings, forKey: .subheadings)
        try container.encode(removed, forKey: .removed)
        try container.encode(related, forKey: .related)
        try container.encode(entities, forKey: .entities)
        try container.encode(citedSources, forKey: .citedSources)
        try container.encode(candidates, forKey: .candidates)
        try container.encode(files, forKey: .files)
        try container.encode(ingestedAt, forKey: .ingestedAt)
    }

    public struct Published: Codable, Sendable, Equatable {
        public init(date: String, precision: String, basis: String, text: String) {
            self.date = date
            self.precision = precision
            self.basis = basis
            self.text = text
        }

        /// ISO 8601: `2024-10-26`, `2024-10` or `2024`.
        public var date: String
        /// `day`, `month` or `year`.
        public var precision: String
        /// How the date was found: `explicit-line`, `metadata`, `dateline`, `weekday-inferred`, `relative`.
        public var basis: String
        /// The text it was read from.
        public var text: String
    }

    public struct OutletField: Codable, Sendable, Equatable {
        public init(name: String, basis: String, text: String, id: String? = nil) {
            self.name = name
            self.basis = basis
            self.text = text
            self.id = id
        }

        public var name: String
        /// `source-line` («المصدر:»), `byline` («SY24 -خاص», «بغداد - شفق نيوز»), `header` (the
        /// site name above the headline), `dateline` («(رويترز) -»), `metadata` (HTML, JSON).
        public var basis: String
        public var text: String
        /// The gazetteer id of the outlet, when it is a known one.
        public var id: String?

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(basis, forKey: .basis)
            try container.encode(text, forKey: .text)
            try container.encode(id, forKey: .id)
        }
    }

    public struct CitedSourceField: Codable, Sendable, Equatable {
        public init(id: String?, name: String, text: String, field: String, paragraph: Int?, start: Int, end: Int) {
            self.id = id
            self.name = name
            self.text = text
            self.field = field
            self.paragraph = paragraph
            self.start = start
            self.end = end
        }

        /// Gazetteer id, or `null` for a quoted name the gazetteer does not know.
        public var id: String?
        /// Canonical Arabic name (or the quoted name).
        public var name: String
        /// First citation: the text as written, `title` or `paragraph`, and scalar offsets.
        public var text: String
        public var field: String
        public var paragraph: Int?
        public var start: Int
        public var end: Int

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(text, forKey: .text)
            try container.encode(field, forKey: .field)
            try container.encode(paragraph, forKey: .paragraph)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
        }
    }

    public struct CandidateField: Codable, Sendable, Equatable {
        public init(name: String, title: String, field: String, paragraph: Int?, start: Int, end: Int) {
            self.name = name
            self.title = title
            self.field = field
            self.paragraph = paragraph
            self.start = start
            self.end = end
        }

        /// The name as written, and the title that introduced it.
        public var name: String
        public var title: String
        public var field: String
        public var paragraph: Int?
        public var start: Int
        public var end: Int

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(title, forKey: .title)
            try container.encode(field, forKey: .field)
            try container.encode(paragraph, forKey: .paragraph)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
        }
    }

    public struct SubheadingField: Codable, Sendable, Equatable {
        public init(text: String, beforeParagraph: Int) {
            self.text = text
            self.beforeParagraph = beforeParagraph
        }

        public var text: String
        public var beforeParagraph: Int
        enum CodingKeys: String, CodingKey {
            case text
            case beforeParagraph = "before_paragraph"
        }
    }

    public struct RemovedField: Codable, Sendable, Equatable {
        public init(kind: String, text: String, line: Int) {
            self.kind = kind
            self.text = text
            self.line = line
        }

        public var kind: String
        public var text: String
        public var line: Int
    }

    public struct RelatedField: Codable, Sendable, Equatable {
        public init(marker: String, title: String?, paragraphs: [String]) {
            self.marker = marker
            self.title = title
            self.paragraphs = paragraphs
        }

        public var marker: String
        public var title: String?
        public var paragraphs: [String]

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(marker, forKey: .marker)
            try container.encode(title, forKey: .title)
            try container.encode(paragraphs, forKey: .paragraphs)
        }
    }

    public struct EntityField: Codable, Sendable, Equatable {
        public init(id: String, kind: String, nameAr: String, nameEn: String, wikidata: String?, count: Int, mentions: [MentionField]) {
            self.id = id
            self.kind = kind
            self.nameAr = nameAr
            self.nameEn = nameEn
            self.wikidata = wikidata
            self.count = count
            self.mentions = mentions
        }

        public var id: String
        public var kind: String
        public var nameAr: String
        public var nameEn: String
        public var wikidata: String?
        public var count: Int
        public var mentions: [MentionField]
        enum CodingKeys: String, CodingKey {
            case id, kind, wikidata, count, mentions
            case nameAr = "name_ar"
            case nameEn = "name_en"
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            kind = try container.decode(String.self, forKey: .kind)
            nameAr = try container.decode(String.self, forKey: .nameAr)
            nameEn = try container.decode(String.self, forKey: .nameEn)
            wikidata = try container.decodeIfPresent(String.self, forKey: .wikidata)
            count = try container.decode(Int.self, forKey: .count)
            mentions = try container.decode([MentionField].self, forKey: .mentions)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(kind, forKey: .kind)
            try container.encode(nameAr, forKey: .nameAr)
            try container.encode(nameEn, forKey: .nameEn)
            try container.encode(wikidata, forKey: .wikidata)
            try container.encode(count, forKey: .count)
            try container.encode(mentions, forKey: .mentions)
        }
    }

    public struct MentionField: Codable, Sendable, Equatable {
        public init(field: String, paragraph: Int?, start: Int, end: Int, text: String) {
            self.field = field
            self.paragraph = paragraph
            self.start = start
            self.end = end
            self.text = text
        }

        /// `title` or `paragraph`.
        public var field: String
        /// Paragraph index when `field` is `paragraph`.
        public var paragraph: Int?
        /// Scalar offsets into the title or that paragraph.
        public var start: Int
        public var end: Int
        public var text: String

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(field, forKey: .field)
            try container.encode(paragraph, forKey: .paragraph)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
            try container.encode(text, forKey: .text)
        }
    }

    public struct FileField: Codable, Sendable, Equatable {
        public init(name: String, sha256: String, size: Int, receivedAt: String, line: Int? = nil) {
            self.name = name
            self.sha256 = sha256
            self.size = size
            self.receivedAt = receivedAt
            self.line = line
        }

        public var name: String
        /// SHA-256 and size of the file — of the line, for a `.jsonl` line.
        public var sha256: String
        public var size: Int
        public var receivedAt: String
        /// The line of a `.jsonl` file the record came from; `null` for whole files.
        public var line: Int?
        enum CodingKeys: String, CodingKey {
            case name, sha256, size, line
            case receivedAt = "received_at"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(size, forKey: .size)
            try container.encode(receivedAt, forKey: .receivedAt)
            try container.encode(line, forKey: .line)
        }
    }
}

extension ArticleRecord {
    /// The part of an article record a classifier reads; decoding only it skips the entities and
    /// their mentions, most of a record.
    public struct Text: Decodable, Sendable {
        public var schema: String
        public var id: String
        public var title: String
        public var paragraphs: [String]

        public static func decode(_ data: Data) throws -> Text {
            let text = try JSONReader.read(data) { try Text(reading: &$0) }
            guard text.schema == ArticleRecord.schemaName else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "schema \(text.schema), not \(ArticleRecord.schemaName)"))
            }
            return text
        }
    }

    /// Compact JSON, keys in schema order, slashes unescaped, every key present (`null` when
    /// absent): the journal and wire form. Written by `JSONWriter`; `encode(to:)` writes the same
    /// keys for any `Encoder`.
    public func jsonData() -> Data {
        var writer = JSONWriter(capacity: 4096 + paragraphs.reduce(0) { $0 + $1.utf8.count } * 2)
        write(to: &writer)
        return Data(writer.bytes)
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.string("schema", schema)
        writer.string("id", id)
        writer.string("title", title)
        writer.key("published")
        if let published {
            writer.beginObject()
            writer.string("date", published.date)
            writer.string("precision", published.precision)
            writer.string("basis", published.basis)
            writer.string("text", published.text)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("outlet")
        if let outlet {
            writer.beginObject()
            writer.string("name", outlet.name)
            writer.string("basis", outlet.basis)
            writer.string("text", outlet.text)
            writer.string("id", outlet.id)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.string("url", url)
        writer.string("lang", lang)
        writer.string("encoding", encoding)
        writer.strings("paragraphs", paragraphs)
        writer.objects("subheadings", subheadings) { writer, subheading in
            writer.string("text", subheading.text)
            writer.int("before_paragraph", subheading.beforeParagraph)
        }
        writer.objects("removed", removed) { writer, item in
            writer.string("kind", item.kind)
            writer.string("text", item.text)
            writer.int("line", item.line)
        }
        writer.objects("related", related) { writer, item in
            writer.string("marker", item.marker)
            writer.string("title", item.title)
            writer.strings("paragraphs", item.paragraphs)
        }
        writer.objects("entities", entities) { writer, entity in
            writer.string("id", entity.id)
            writer.string("kind", entity.kind)
            writer.string("name_ar", entity.nameAr)
            writer.string("name_en", entity.nameEn)
            writer.string("wikidata", entity.wikidata)
            writer.int("count", entity.count)
            writer.objects("mentions", entity.mentions) { writer, mention in
                writer.place(field: mention.field, paragraph: mention.paragraph, start: mention.start, end: mention.end)
                writer.string("text", mention.text)
            }
        }
        writer.objects("cited_sources", citedSources) { writer, source in
            writer.string("id", source.id)
            writer.string("name", source.name)
            writer.string("text", source.text)
            writer.place(field: source.field, paragraph: source.paragraph, start: source.start, end: source.end)
        }
        writer.objects("candidates", candidates) { writer, candidate in
            writer.string("name", candidate.name)
            writer.string("title", candidate.title)
            writer.place(field: candidate.field, paragraph: candidate.paragraph, start: candidate.start, end: candidate.end)
        }
        writer.objects("files", files) { writer, file in
            writer.string("name", file.name)
            writer.string("sha256", file.sha256)
            writer.int("size", file.size)
            writer.string("received_at", file.receivedAt)
            writer.int("line", file.line)
        }
        writer.string("ingested_at", ingestedAt)
        writer.endObject()
    }

    public static func decode(_ data: Data) throws -> ArticleRecord {
        try JSONReader.read(data) { try ArticleRecord(reading: &$0) }
    }

    /// The record with its entities' counts but not their mentions.
    public static func decodeWithoutMentions(_ data: Data) throws -> ArticleRecord {
        try JSONReader.read(data) { try ArticleRecord(reading: &$0, mentions: false) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
