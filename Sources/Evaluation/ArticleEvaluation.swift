import ArabicText
import ArticleParsing
import Foundation
import MarsadRecord

/// What a labelled article is expected to yield: the `NAME.expected.json` beside `NAME.txt`
/// (or `.html`, `.json`). See `Tests/Fixtures/eval/README.md`.
public struct ExpectedArticle: Decodable, Sendable {
    public struct Entities: Decodable, Sendable {
        public var required: [String]
        public var forbidden: [String]
    }
    public var title: String
    /// `YYYY-MM-DD`, `YYYY-MM`, or `null` when the article states no date.
    public var published: String?
    /// When the file was received (resolves «أمس», «منذ ساعتين», dates without a year).
    public var receivedAt: String?
    public var outlet: String?
    public var entities: Entities
    /// Acceptable paragraph count, `[min, max]`.
    public var paragraphs: [Int]

    enum CodingKeys: String, CodingKey {
        case title, published, outlet, entities, paragraphs
        case receivedAt = "received_at"
    }
}

/// Precision and recall counts of one group (an entity kind, or all linked kinds).
public struct EntityScore: Sendable, Codable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public var precision: Double {
        truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }

    enum CodingKeys: String, CodingKey {
        case truePositives = "true_positives", falsePositives = "false_positives", falseNegatives = "false_negatives"
    }
}

/// A share of cases that came out right.
public struct FieldScore: Sendable, Codable, Equatable {
    public var correct = 0
    public var total = 0
    public var rate: Double { total == 0 ? 1 : Double(correct) / Double(total) }
}

/// The result of running the parser and linker over a labelled directory.
public struct ArticleEvaluationReport: Sendable, Codable {
    public var articles = 0
    public var title = FieldScore()
    /// Over articles that state a date.
    public var date = FieldScore()
    /// Articles that state no date but got one.
    public var spuriousDates = 0
    /// Over articles that state an outlet.
    public var outlet = FieldScore()
    public var paragraphs = FieldScore()
    public var entities = EntityScore()
    public var entitiesByKind: [String: EntityScore] = [:]
    /// One line per mismatch: `file: field: expected …, got …`.
    public var failures: [String] = []

    enum CodingKeys: String, CodingKey {
        case articles, title, date, outlet, paragraphs, entities, failures
        case spuriousDates = "spurious_dates"
        case entitiesByKind = "entities_by_kind"
    }
}

/// Runs the record builder over labelled articles and scores each field.
public struct ArticleEvaluation: Sendable {
    public let builder: RecordBuilder

    public init(builder: RecordBuilder) {
        self.builder = builder
    }

    /// The labelled articles in `directory`: every file with a `NAME.expected.json` beside it.
    public static func labelledFiles(in directory: String) throws -> [(article: String, expected: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        let expectedSuffix = ".expected.json"
        return names.compactMap { name in
            guard !name.hasSuffix(expectedSuffix), !name.hasPrefix("."), name != "README.md" else { return nil }
            let base = (name as NSString).deletingPathExtension
            let expected = base + expectedSuffix
            guard names.contains(expected) else { return nil }
            return (directory + "/" + name, directory + "/" + expected)
        }
    }

    public func evaluate(directory: String, now: Date = Date()) throws -> ArticleEvaluationReport {
        var report = ArticleEvaluationReport()
        let files = try Self.labelledFiles(in: directory)
        for (articlePath, expectedPath) in files {
            let name = (articlePath as NSString).lastPathComponent
            let expected: ExpectedArticle
            do {
                expected = try JSONDecoder().decode(ExpectedArticle.self, from: Data(contentsOf: URL(fileURLWithPath: expectedPath)))
            } catch {
                throw EvaluationError.badExpectation(file: expectedPath, detail: "\(error)")
            }
            report.articles += 1
            let received = expected.receivedAt.flatMap(Self.parseTime) ?? now
            let bytes = Array(FileManager.default.contents(atPath: articlePath) ?? Data())
            let record: ArticleRecord
            do throws(ParseFailure) {
                record = try builder.record(for: SourceFile(name: name, bytes: bytes, receivedAt: received), now: now)
            } catch {
                report.failures.append("\(name): not parsed: \(error.code): \(error.description)")
                report.title.total += 1
                if expected.published != nil { report.date.total += 1 }
                if expected.outlet != nil { report.outlet.total += 1 }
                report.paragraphs.total += 1
                for id in expected.entities.required { report.add(kind: id, \.falseNegatives) }
                continue
            }
            score(record, against: expected, name: name, into: &report)
        }
        return report
    }

    func score(_ record: ArticleRecord, against expected: ExpectedArticle, name: String, into report: inout ArticleEvaluationReport) {
        report.title.total += 1
        if record.title.trimmingCharacters(in: .whitespaces) == expected.title.trimmingCharacters(in: .whitespaces) {
            report.title.correct += 1
        } else {
            report.failures.append("\(name): title: expected «\(expected.title)», got «\(record.title)»")
        }
        let got = record.published.map { "\($0.date) (\($0.basis): «\($0.text.prefix(50))»)" } ?? "none"
        if let date = expected.published {
            report.date.total += 1
            if record.published?.date == date {
                report.date.correct += 1
            } else {
                report.failures.append("\(name): date: expected \(date), got \(got)")
            }
        } else if record.published != nil {
            report.spuriousDates += 1
            report.failures.append("\(name): date: none stated, got \(got)")
        }
        if let outlet = expected.outlet {
            report.outlet.total += 1
            if let found = record.outlet, sameOutlet(found, outlet) {
                report.outlet.correct += 1
            } else {
                report.failures.append("\(name): outlet: expected «\(outlet)», got «\(record.outlet?.name ?? "none")»")
            }
        }
        report.paragraphs.total += 1
        let range = (expected.paragraphs.first ?? 0)...(expected.paragraphs.last ?? Int.max)
        if range.contains(record.paragraphs.count) {
            report.paragraphs.correct += 1
        } else {
            report.failures.append("\(name): paragraphs: expected \(range.lowerBound)–\(range.upperBound), got \(record.paragraphs.count)")
        }
        let found = Set(record.entities.map(\.id))
        let required = Set(expected.entities.required)
        for id in required.sorted() {
            if found.contains(id) {
                report.add(kind: id, \.truePositives)
            } else {
                report.add(kind: id, \.falseNegatives)
                report.failures.append("\(name): entity: missed \(id)")
            }
        }
        for id in found.subtracting(required).sorted() {
            report.add(kind: id, \.falsePositives)
            let texts = record.entities.first { $0.id == id }?.mentions.map(\.text) ?? []
            let forbidden = expected.entities.forbidden.contains(id) ? " (forbidden)" : ""
            report.failures.append("\(name): entity: spurious \(id)\(forbidden) from «\(Set(texts).sorted().joined(separator: "», «"))»")
        }
    }

    /// Outlet names match when their normalised words are equal, when one is the other plus a
    /// generic word («العربية نت», «موقع عنب بلدي»), or when both link to the same outlet.
    func sameOutlet(_ found: ArticleRecord.OutletField, _ expected: String) -> Bool {
        let a = KnownNamesKey.words(found.name)
        let b = KnownNamesKey.words(expected)
        if a == b { return true }
        let generic: Set<String> = ["نت", "موقع", "صحيفه", "وكاله", "قناه", "net", "news", "نيوز", "اونلاين", "الاخباري", "الاخباريه"]
        if Set(a).subtracting(generic) == Set(b).subtracting(generic), !Set(a).subtracting(generic).isEmpty { return true }
        if let id = found.id, let expectedID = builder.outletID(expected), id == expectedID { return true }
        return false
    }

    static func parseTime(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }
}

enum KnownNamesKey {
    static func words(_ text: String) -> [String] { ArabicTokenizer.tokens(of: text).map(\.text) }
}

extension ArticleEvaluationReport {
    mutating func add(kind id: String, _ counter: WritableKeyPath<EntityScore, Int>) {
        let kind = String(id.prefix { $0 != "." })
        entities[keyPath: counter] += 1
        entitiesByKind[kind, default: EntityScore()][keyPath: counter] += 1
    }
}

public enum EvaluationError: Error, CustomStringConvertible {
    case badExpectation(file: String, detail: String)

    public var description: String {
        switch self {
        case .badExpectation(let file, let detail): "\(file): not a valid expectation file: \(detail)"
        }
    }
}
