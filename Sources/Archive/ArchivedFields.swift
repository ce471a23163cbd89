import ArabicText
import Foundation
import MarsadRecord
import MarsadStream

/// The parts of a `marsad.article/1` record the archive's tables need. Decoding only these (and
/// not every mention with its offsets) halves the cost of archiving a record; the full record is
/// stored as it came.
struct ArchivedFields: Decodable {
    struct Entity: Decodable {
        let id: String
        let kind: String
        let nameAr: String
        let nameEn: String
        let wikidata: String?
        let count: Int

        enum CodingKeys: String, CodingKey {
            case id, kind, wikidata, count
            case nameAr = "name_ar"
            case nameEn = "name_en"
        }
    }

    struct Published: Decodable {
        let date: String
        let precision: String
    }

    struct Outlet: Decodable { let name: String }

    let id: String
    let title: String
    let published: Published?
    let outlet: Outlet?
    let lang: String
    let paragraphs: [String]
    let entities: [Entity]
    let files: [ArticleRecord.FileField]
    let ingestedAt: String

    enum CodingKeys: String, CodingKey {
        case id, title, published, outlet, lang, paragraphs, entities, files
        case ingestedAt = "ingested_at"
    }
}

/// A label of an archived article, as the `labels` table keeps it.
struct ArchivedLabel {
    let label: String
    let score: Double
    /// The evidence as JSON: `[{"text","field","paragraph","start","end","weight"}]`.
    let evidence: String
}

/// One message as both backends store it.
struct PreparedItem {
    let message: StreamMessage
    let record: ArchivedFields
    let document: SearchDocument
    /// The `marsad.article/1` record as JSON (the payload itself, or the article inside a
    /// labels record).
    let recordJSON: String
    let labels: [ArchivedLabel]
}

/// A batch as both backends store it: each message with the fields its tables need and the
/// search forms of its text, computed before any database lock is taken. Messages of the
/// article stream carry the article; messages of the labels stream carry the article and its
/// labels, which are stored too.
struct PreparedBatch {
    let items: [PreparedItem]
    /// Labels of articles already archived (from the article stream, when the archive follows
    /// both): only the labels are stored, nothing of the article is decoded or indexed again.
    let labelsOnly: [(id: String, labels: [ArchivedLabel])]

    /// The article ids of the labels records among `messages`: a backend looks up which it
    /// already holds and passes them as `archived`.
    static func labelledIDs(in messages: [StreamMessage]) -> [String] {
        messages.compactMap { $0.envelope.schema == LabelsRecord.schemaName ? $0.envelope.id : nil }
    }

    /// `archived`: ids of articles the archive already holds, so their labels records need
    /// only the labels.
    init(_ messages: [StreamMessage], cache: SearchFormsCache, archived: Set<String> = []) throws {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func archivedLabels(_ labels: [LabelsRecord.Label]) throws -> [ArchivedLabel] {
            try labels.map {
                ArchivedLabel(label: $0.label, score: $0.score, evidence: String(decoding: try encoder.encode($0.evidence), as: UTF8.self))
            }
        }
        var labelsOnly: [(id: String, labels: [ArchivedLabel])] = []
        var full: [StreamMessage] = []
        for message in messages {
            if message.envelope.schema == LabelsRecord.schemaName, let id = message.envelope.id, archived.contains(id),
                let split = LabelsRecord.split(message.payload)
            {
                labelsOnly.append((id, try archivedLabels(split.labels)))
            } else {
                full.append(message)
            }
        }
        self.labelsOnly = labelsOnly
        items = try full.map { message in
            if message.envelope.schema == LabelsRecord.schemaName {
                // The classify worker embeds the article's JSON as it is: take it without
                // decoding the whole record (other layouts are decoded and re-encoded).
                let parts: (labels: [LabelsRecord.Label], articleJSON: Data)
                if let split = LabelsRecord.split(message.payload) {
                    parts = split
                } else {
                    let labelled = try LabelsRecord.decode(message.payload)
                    parts = (labelled.labels, try labelled.article.jsonData())
                }
                let json = parts.articleJSON
                let record = try decoder.decode(ArchivedFields.self, from: json)
                return PreparedItem(
                    message: message, record: record, document: SearchDocument([record.title] + record.paragraphs, cache: cache),
                    recordJSON: String(decoding: json, as: UTF8.self), labels: try archivedLabels(parts.labels))
            }
            let record = try decoder.decode(ArchivedFields.self, from: message.payload)
            return PreparedItem(
                message: message, record: record, document: SearchDocument([record.title] + record.paragraphs, cache: cache),
                recordJSON: String(decoding: message.payload, as: UTF8.self), labels: [])
        }
    }
}
