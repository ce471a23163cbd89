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
        var memo: FeatureExtractor.Memo = [:]
        for (index, article) in Self.articles.enumerated().reversed() {
            #expect(Self.classifier.classify(title: article.title, paragraphs: article.paragraphs, memo: &memo) == fresh[index])
        }
        #expect(!memo.isEmpty)
        for (index, article) in Self.articles.enumerated() {
            #expect(Self.classifier.classify(title: article.title, paragraphs: article.paragraphs, memo: &memo) == fresh[index])
        }
    }

    @Test func aMemoPastItsLimitStartsAgain() {
        var memo: FeatureExtractor.Memo = [:]
        for index in 0..<FeatureExtractor.memoLimit { memo[.init("w\(index)")] = FeatureExtractor.features(of: "كلمة") }
        FeatureExtractor.trim(&memo)
        #expect(memo.isEmpty)
    }
}
