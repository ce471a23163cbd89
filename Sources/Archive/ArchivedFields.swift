import ArabicText
import Foundation
import MarsadRecord
import MarsadStream

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
    /// The article, its entities without their mentions (the full record is stored as it came).
    let record: ArticleRecord
    /// The search forms, or `nil` for an article the archive already holds (another of its
    /// consumers stored it first): such an article only gains its files.
    let document: SearchDocument?
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

    /// The article ids of `messages`: a backend looks up which it already holds and passes them
    /// as `archived`.
    static func articleIDs(in messages: [StreamMessage]) -> [String] {
        messages.compactMap(\.envelope.id)
    }

    /// `archived`: ids of articles the archive already holds. Their labels records need only the
    /// labels, and their article records only the files: when the archive follows both streams,
    /// whichever consumer comes second does not decode and index the text again.
    init(_ messages: [StreamMessage], cache: SearchFormsCache, archived: Set<String> = []) throws {
        func archivedLabels(_ labels: [LabelsRecord.Label]) -> [ArchivedLabel] {
            labels.map { ArchivedLabel(label: $0.label, score: $0.score, evidence: LabelsRecord.evidenceJSON($0.evidence)) }
        }
        var labelsOnly: [(id: String, labels: [ArchivedLabel])] = []
        var full: [StreamMessage] = []
        for message in messages {
            if message.envelope.schema == LabelsRecord.schemaName, let id = message.envelope.id, archived.contains(id) {
                labelsOnly.append((id, archivedLabels(try LabelsRecord.split(message.payload).labels)))
            } else {
                full.append(message)
            }
        }
        self.labelsOnly = labelsOnly
        items = try full.map { message in
            if message.envelope.schema == LabelsRecord.schemaName {
                // The article's JSON as it is in the record, read once.
                let parts = try LabelsRecord.split(message.payload)
                let json = parts.articleJSON
                let record = try ArticleRecord.decodeWithoutMentions(json)
                return PreparedItem(
                    message: message, record: record, document: SearchDocument([record.title] + record.paragraphs, cache: cache),
                    recordJSON: String(decoding: json, as: UTF8.self), labels: archivedLabels(parts.labels))
            }
            let record = try ArticleRecord.decodeWithoutMentions(message.payload)
            let isArchived = message.envelope.id.map(archived.contains) ?? false
            return PreparedItem(
                message: message, record: record,
                document: isArchived ? nil : SearchDocument([record.title] + record.paragraphs, cache: cache),
                recordJSON: isArchived ? "" : String(decoding: message.payload, as: UTF8.self), labels: [])
        }
    }
}
