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

/// A batch as both backends store it: each message with the fields its tables need and the
/// search forms of its text, computed before any database lock is taken.
struct PreparedBatch {
    let items: [(message: StreamMessage, record: ArchivedFields, document: SearchDocument)]

    init(_ messages: [StreamMessage], cache: SearchFormsCache) throws {
        let decoder = JSONDecoder()
        items = try messages.map { message in
            let record = try decoder.decode(ArchivedFields.self, from: message.payload)
            return (message, record, SearchDocument([record.title] + record.paragraphs, cache: cache))
        }
    }
}
