import ArabicText
import Foundation
import Testing

@testable import Classification

/// A memo of word features kept across articles (as the classify worker keeps one) must not
/// change any label, score or evidence.
@Suite struct FeatureMemoTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let classifier: Classifier = {
        let catalog = try! LabelCatalog.load(file: root.appendingPathComponent("config/classify.toml").path)
        let model = try! LabelModel.load(file: root.appendingPathComponent("config/classify-model.json").path)
        return Classifier(catalog: catalog, model: model)
    }()

    /// The seed articles: first line the title, the other non-empty lines paragraphs.
    static let articles: [(title: String, paragraphs: [String])] = {
        let seeds = root.appendingPathComponent("seeds").path
        return try! FileManager.default.contentsOfDirectory(atPath: seeds).filter { $0.hasSuffix(".txt") }.sorted().map { name in
            let lines = try! String(contentsOfFile: seeds + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init).filter {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            }
            return (lines[0], Array(lines.dropFirst()))
        }
    }()

    @Test func aSharedMemoGivesTheSameLabelsInAnyOrder() {
        let fresh = Self.articles.map { Self.classifier.classify(title: $0.title, paragraphs: $0.paragraphs) }
        #expect(fresh.contains { !$0.isEmpty })
        var memo: Classifier.Memo = [:]
        for (index, article) in Self.articles.enumerated().reversed() {
            #expect(Self.classifier.classify(title: article.title, paragraphs: article.paragraphs, memo: &memo) == fresh[index])
        }
        #expect(!memo.isEmpty)
        for (index, article) in Self.articles.enumerated() {
            #expect(Self.classifier.classify(title: article.title, paragraphs: article.paragraphs, memo: &memo) == fresh[index])
        }
    }

    @Test func aMemoPastItsLimitStartsAgain() {
        var memo: Classifier.Memo = [:]
        let word = Self.classifier.word("كلمة", memo: &memo)
        for index in 0..<WordMemo.limit { memo[.init("w\(index)")] = word }
        WordMemo.trim(&memo)
        #expect(memo.isEmpty)
    }

    /// The classifier scores features by number, without building their strings: the same
    /// weighted features, in the same order, as the extractor's strings give.
    @Test func numberedFeaturesAreTheExtractorsWeightedFeatures() {
        var memo: Classifier.Memo = [:]
        var texts = Self.articles.flatMap { [$0.title] + $0.paragraphs }
        texts.append("قصف 12 مدفعي، وانسحاب القوات من المدينة بعد 3 أيام والقصف المدفعي")
        var compared = 0
        for text in texts {
            let fromStrings = Self.classifier.extractor.occurrences(in: text).compactMap { occurrence in
                Self.classifier.numbers(of: [occurrence])[0].map { (number: $0, range: occurrence.range) }
            }
            let numbered = Self.classifier.numberedOccurrences(in: text.scalarArray, memo: &memo)
            #expect(numbered.map(\.number) == fromStrings.map(\.number))
            #expect(numbered.map(\.range) == fromStrings.map(\.range))
            compared += numbered.count
        }
        #expect(compared > 500)
    }
}
