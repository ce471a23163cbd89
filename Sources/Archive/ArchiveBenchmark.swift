import ArabicText
import Foundation
import MarsadRecord
import MarsadStream

/// Loads generated articles into an archive and times typical searches (`marsad bench archive`).
public struct ArchiveBenchmark {
    /// Paragraphs of real articles with their entities, recombined into new articles.
    public struct Template {
        var titles: [String]
        var paragraphs: [(text: String, entities: [ArticleRecord.EntityField])]
        var outlets: [String?]
    }

    /// Builds the templates from parsed records (the seeds).
    public static func template(from records: [ArticleRecord]) -> Template {
        var paragraphs: [(String, [ArticleRecord.EntityField])] = []
        for record in records {
            for (index, text) in record.paragraphs.enumerated() {
                let entities = record.entities.compactMap { entity -> ArticleRecord.EntityField? in
                    let mentions = entity.mentions.filter { $0.paragraph == index }
                    guard !mentions.isEmpty else { return nil }
                    var copy = entity
                    copy.mentions = mentions
                    copy.count = mentions.count
                    return copy
                }
                paragraphs.append((text, entities))
            }
        }
        return Template(titles: records.map(\.title), paragraphs: paragraphs, outlets: records.map { $0.outlet?.name })
    }

    /// Article `index`: a seed's title, 4 to 12 paragraphs drawn from all seeds, one sentence
    /// that makes it unique, a date spread over 2023–2025. Deterministic for an index.
    public static func record(_ index: Int, template: Template) -> ArticleRecord {
        var generator = SplitMix(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let count = 4 + Int(generator.next() % 9)
        var chosen: [(text: String, entities: [ArticleRecord.EntityField])] = []
        for _ in 0..<count { chosen.append(template.paragraphs[Int(generator.next() % UInt64(template.paragraphs.count))]) }
        chosen.append(("وأشار التقرير إلى الملف المرجعي رقم \(index) الذي يوثق هذه التطورات.", []))
        var entities: [String: ArticleRecord.EntityField] = [:]
        var order: [String] = []
        for (paragraph, item) in chosen.enumerated() {
            for entity in item.entities {
                var mentions = entity.mentions.map { mention -> ArticleRecord.MentionField in
                    var moved = mention
                    moved.paragraph = paragraph
                    return moved
                }
                if var existing = entities[entity.id] {
                    existing.mentions += mentions
                    existing.count = existing.mentions.count
                    entities[entity.id] = existing
                } else {
                    var copy = entity
                    copy.mentions = mentions
                    mentions.removeAll()
                    entities[entity.id] = copy
                    order.append(entity.id)
                }
            }
        }
        let seedIndex = Int(generator.next() % UInt64(template.titles.count))
        let day = Int(generator.next() % (3 * 365))
        let date = Date(timeIntervalSince1970: 1_672_531_200 + Double(day) * 86_400)
        let iso = String(StreamClock.iso(date).prefix(10))
        return ArticleRecord(
            id: String(format: "%032llx", UInt64(index) &* 0x9E37_79B9_7F4A_7C15),
            title: template.titles[seedIndex], published: .init(date: iso, precision: "day", basis: "explicit-line", text: iso),
            outlet: template.outlets[seedIndex].map { .init(name: $0, basis: "source-line", text: $0) }, url: nil, lang: "ar",
            encoding: "utf-8", paragraphs: chosen.map(\.text), subheadings: [], removed: [], related: [],
            entities: order.map { entities[$0]! },
            files: [.init(name: "bench-\(index).txt", sha256: String(repeating: "0", count: 64), size: 0, receivedAt: iso)],
            ingestedAt: StreamClock.iso(Date()))
    }

    /// The searches an analyst runs first.
    public static let queries: [(name: String, query: SearchQuery)] = {
        func query(_ text: String, entities: [String] = [], since: String? = nil) -> SearchQuery {
            var query = SearchQuery(text: text)
            query.entities = entities
            query.since = since
            return query
        }
        return [
            ("word: انسحاب", query("انسحاب")),
            ("two words: القوات الأمريكية", query("القوات الأمريكية")),
            ("phrase: \"قوات سوريا الديمقراطية\"", query("\"قوات سوريا الديمقراطية\"")),
            ("variant spelling: الأميركيه", query("الأميركيه")),
            ("entity org.sdf + انسحاب", query("انسحاب", entities: ["org.sdf"])),
            ("entity org.pentagon since 2025-06", query("", entities: ["org.pentagon"], since: "2025-06")),
            ("rare word: البيشمركة", query("البيشمركة")),
        ]
    }()
}

/// A small, fast, deterministic random number generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
