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
    public var files: [FileField]
    public var ingestedAt: String

    public init(
        id: String, title: String, published: Published?, outlet: OutletField?, url: String?, lang: String, encoding: String,
        paragraphs: [String], subheadings: [SubheadingField], removed: [RemovedField], related: [RelatedField], entities: [EntityField],
        files: [FileField], ingestedAt: String
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
        self.files = files
        self.ingestedAt = ingestedAt
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, title, published, outlet, url, lang, encoding, paragraphs, subheadings, removed, related,
            entities, files
        case ingestedAt = "ingested_at"
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
        /// How the date was found: `explicit-line`.
        public var basis: String
        /// The text it was read from.
        public var text: String
    }

    public struct OutletField: Codable, Sendable, Equatable {
        public init(name: String, basis: String, text: String) {
            self.name = name
            self.basis = basis
            self.text = text
        }

        public var name: String
        /// `source-line` («المصدر:») or `byline` («SY24 -خاص»).
        public var basis: String
        public var text: String
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
        public init(name: String, sha256: String, size: Int, receivedAt: String) {
            self.name = name
            self.sha256 = sha256
            self.size = size
            self.receivedAt = receivedAt
        }

        public var name: String
        public var sha256: String
        public var size: Int
        public var receivedAt: String
        enum CodingKeys: String, CodingKey {
            case name, sha256, size
            case receivedAt = "received_at"
        }
    }
}

extension ArticleRecord {
    /// Compact JSON, keys in schema order, slashes unescaped.
    public func jsonData() throws -> Data {
        try ArticleRecord.encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> ArticleRecord {
        try JSONDecoder().decode(ArticleRecord.self, from: data)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
