import Foundation
import MarsadRecord
import MarsadStream
import Testing

@testable import Alerting

/// Word conditions of alert rules: words and phrases matched by their light stems, in order,
/// with the alert state in a real SQLite store.
@Suite struct WordConditionTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-alerting-\(UUID().uuidString.prefix(8))").path

    /// The rules of `Tests/Fixtures/alerts/word-conditions.toml`.
    func engine() throws -> AlertEngine {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/alerts/word-conditions.toml")
        return AlertEngine(rules: try AlertRules.load(file: fixture.standardized.path, knownLabels: []))
    }

    func rules(firedBy paragraphs: [String]) throws -> [String] {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try engine()
        let article = ArticleRecord(
            id: String(format: "%032x", 1), title: "خبر", published: nil, outlet: nil, url: nil, lang: "ar", encoding: "utf-8",
            paragraphs: paragraphs, subheadings: [], removed: [], related: [], entities: [], files: [],
            ingestedAt: "2026-11-23T07:00:00.000Z")
        let labelled = LabelsRecord(
            id: article.id, source: .init(stream: "ingest", epoch: 1, seq: 1), labels: [], classifiedAt: "2026-11-23T07:00:01.000Z",
            article: article)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try AlertStore(path: directory + "/alerts.sqlite")
        var memo: AlertEngine.StemMemo = [:]
        let alerts = try store.commit(checkpoint: Checkpoint(stream: "labels", epoch: 1, seq: 1)) { transaction in
            try engine.evaluate(labelled, store: transaction, now: Date(), memo: &memo)
        }
        return alerts.map(\.rule).sorted()
    }

    @Test func aPhraseMatchesItsWordsInOrderWhateverTheirPrefixes() throws {
        #expect(try rules(firedBy: ["أعلن البنتاغون بدء الانسحاب للقوات الأمريكية من القاعدة."]) == ["base-withdrawal"])
        #expect(try rules(firedBy: ["وقال إن وبالانسحاب القوات تنتهي المهمة."]) == ["base-withdrawal"])
    }

    @Test func aPhraseWhoseWordsAreApartOrReversedDoesNotMatch() throws {
        #expect(try rules(firedBy: ["بدأ الانسحاب أمس، وعادت القوات إلى مواقعها."]).isEmpty)
        #expect(try rules(firedBy: ["القوات أعلنت الانسحاب."]).isEmpty)
    }

    @Test func aRepeatedFirstWordIsTriedAtEachOccurrence() throws {
        #expect(try rules(firedBy: ["الانسحاب الجزئي ثم الانسحاب الكامل ثم انسحاب القوات."]) == ["base-withdrawal"])
    }

    @Test func anyOfSeveralPhrasesAcrossParagraphs() throws {
        #expect(try rules(firedBy: ["وصلت المساعدات.", "عبرت الشاحنات معبر التنف صباحا."]) == ["camp-or-crossing"])
        #expect(try rules(firedBy: ["مخيم قرب الركبان."]).isEmpty)
        #expect(
            try rules(firedBy: ["انسحاب القوات من محيط مخيم الركبان."]) == ["base-withdrawal", "camp-or-crossing"])
    }
}
