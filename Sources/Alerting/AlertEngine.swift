import ArabicText
import Crypto
import Foundation
import MarsadRecord

/// Decides which alerts an article raises, given the rules and what the store remembers
/// (throttles, earlier alerts, counts for spikes). Pure apart from the store it is handed.
public struct AlertEngine: Sendable {
    public let rules: AlertRules
    /// The first stem of every word condition's phrase: the only stems whose positions matter.
    let phraseStarts: Set<WordKey>

    public init(rules: AlertRules) {
        self.rules = rules
        phraseStarts = Set(rules.rules.flatMap { $0.wordsAny + $0.wordsAll }.compactMap(\.first).map(WordKey.init))
    }

    /// The words of an article as light stems, for word conditions, and where each stem that
    /// starts a phrase of the rules (`indexing`) occurs.
    struct Words {
        let stems: [WordKey]
        let positions: [WordKey: [Int]]

        init(_ record: ArticleRecord, indexing: Set<WordKey>, memo: inout StemMemo) {
            var stems: [WordKey] = []
            for text in [record.title] + record.paragraphs {
                for token in ArabicTokenizer.words(ofNormalized: ArabicNormalizer.normalizedScalars(text)) {
                    let word = WordKey(token)
                    if let stem = memo[word] {
                        stems.append(stem)
                    } else {
                        let stem = WordKey(SearchForms.lightStem(token))
                        memo[word] = stem
                        stems.append(stem)
                    }
                }
            }
            var positions: [WordKey: [Int]] = [:]
            for (index, stem) in stems.enumerated() where indexing.contains(stem) { positions[stem, default: []].append(index) }
            self.stems = stems
            self.positions = positions
        }

        /// Whether the stems of `phrase` occur one after the other.
        func contains(phrase: [String]) -> Bool {
            guard let first = phrase.first, let starts = positions[WordKey(first)] else { return false }
            let rest = phrase.dropFirst().map(WordKey.init)
            return starts.contains { start in
                start + rest.count < stems.count && rest.enumerated().allSatisfy { stems[start + 1 + $0.offset] == $0.element }
            }
        }
    }

    /// Word → its light stem, kept across articles by a worker (news repeats its words).
    public typealias StemMemo = [WordKey: WordKey]

    /// The alerts of one labels record. `store` answers and records throttles, duplicates and
    /// spike counts; it is the same transaction the alerts are then written in.
    public func evaluate(_ labelled: LabelsRecord, store: AlertStateStore, now: Date) throws -> [AlertRecord] {
        var memo: StemMemo = [:]
        return try evaluate(labelled, store: store, now: now, memo: &memo)
    }

    /// The same, reusing (and bounding) `memo`.
    public func evaluate(_ labelled: LabelsRecord, store: AlertStateStore, now: Date, memo: inout StemMemo) throws -> [AlertRecord] {
        WordMemo.trim(&memo)
        let article = labelled.article
        let time = Self.parseTime(article.ingestedAt) ?? now
        let entityIDs = Set(article.entities.map(\.id))
        var alerts: [AlertRecord] = []
        var words: Words?
        let summary = AlertRecord.Article(
            id: article.id, title: article.title, outlet: article.outlet?.name, published: article.published?.date, url: article.url)

        for rule in rules.rules {
            guard rule.entitiesAll.allSatisfy(entityIDs.contains) else { continue }
            guard rule.entitiesAny.isEmpty || rule.entitiesAny.contains(where: entityIDs.contains) else { continue }
            guard !rule.entitiesNone.contains(where: entityIDs.contains) else { continue }
            let matchedLabels = labelled.labels.filter { rule.labels.contains($0.label) && $0.score >= rule.minScore }
            guard rule.labels.isEmpty || !matchedLabels.isEmpty else { continue }
            if !rule.outlets.isEmpty {
                guard let outlet = article.outlet else { continue }
                let name = ArabicNormalizer.normalizedString(outlet.name)
                guard rule.outlets.contains(name) || outlet.id.map(rule.outlets.contains) == true else { continue }
            }
            var matchedWords: [String] = []
            if !rule.wordsAny.isEmpty || !rule.wordsAll.isEmpty {
                let stems = words ?? Words(article, indexing: phraseStarts, memo: &memo)
                words = stems
                guard rule.wordsAll.allSatisfy({ stems.contains(phrase: $0) }) else { continue }
                let anyHits = rule.wordsAny.filter { stems.contains(phrase: $0) }
                guard rule.wordsAny.isEmpty || !anyHits.isEmpty else { continue }
                matchedWords = (rule.wordsAll + anyHits).map { $0.joined(separator: " ") }
            }
            if try store.hasAlert(rule: rule.name, record: article.id) { continue }
            let matchedEntities = Array(entityIDs.intersection(rule.entitiesAll + rule.entitiesAny)).sorted()
            let throttleKey = matchedEntities.joined(separator: ",")
            if rule.throttleSeconds > 0 {
                if let last = try store.lastAlertTime(rule: rule.name, key: throttleKey), time.timeIntervalSince(last) < Double(rule.throttleSeconds)
                {
                    try store.noteSuppressed(rule: rule.name)
                    continue
                }
            }
            let alert = AlertRecord(
                id: Self.alertID(rule.name, article.id), rule: rule.name, kind: "match", severity: rule.severity.rawValue,
                description: rule.description, entities: matchedEntities,
                labels: matchedLabels.map { .init(label: $0.label, score: $0.score, evidence: $0.evidence.map(\.text)) }, words: matchedWords,
                article: summary, window: nil, time: Timestamp.iso(time), createdAt: Timestamp.iso(now))
            try store.remember(alert, rule: rule.name, record: article.id, throttleKey: throttleKey, time: time)
            alerts.append(alert)
        }

        for spike in rules.spikes {
            let labelOK: Bool
            if let label = spike.label {
                labelOK = labelled.labels.contains { $0.label == label && $0.score >= spike.minScore }
            } else {
                labelOK = true
            }
            guard labelOK else { continue }
            for entity in article.entities.map(\.id) where spike.watches(entity) {
                let key = entity + (spike.label.map { "+" + $0 } ?? "")
                try store.countEvent(rule: spike.name, key: key, record: article.id, time: time)
                let windowStart = time.addingTimeInterval(-Double(spike.windowSeconds))
                let count = try store.events(rule: spike.name, key: key, after: windowStart, through: time)
                guard count > spike.minArticles else { continue }
                var baseline: Double?
                if let factor = spike.baselineFactor, spike.baselineSeconds > 0 {
                    let before = try store.events(
                        rule: spike.name, key: key, after: windowStart.addingTimeInterval(-Double(spike.baselineSeconds)), through: windowStart)
                    let perWindow = Double(before) * Double(spike.windowSeconds) / Double(spike.baselineSeconds)
                    baseline = (perWindow * 100).rounded() / 100
                    guard Double(count) >= factor * max(perWindow, 1) else { continue }
                }
                if let last = try store.lastAlertTime(rule: spike.name, key: key), time.timeIntervalSince(last) < Double(spike.cooldownSeconds) {
                    continue
                }
                let alert = AlertRecord(
                    id: Self.alertID(spike.name, key + "@" + article.id), rule: spike.name, kind: "spike", severity: spike.severity.rawValue,
                    description: spike.description, entities: [entity],
                    labels: labelled.labels.filter { $0.label == spike.label }.map {
                        .init(label: $0.label, score: $0.score, evidence: $0.evidence.map(\.text))
                    }, words: [], article: summary,
                    window: .init(
                        entity: entity, label: spike.label, from: Timestamp.iso(windowStart), to: Timestamp.iso(time), count: count,
                        baseline: baseline),
                    time: Timestamp.iso(time), createdAt: Timestamp.iso(now))
                try store.remember(alert, rule: spike.name, record: article.id, throttleKey: key, time: time)
                alerts.append(alert)
            }
        }
        return alerts
    }

    /// A stable alert id: the first 128 bits of SHA-256 over the rule and what it fired on.
    static func alertID(_ rule: String, _ subject: String) -> String {
        SHA256.hash(data: Data((rule + "\n" + subject).utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    static func parseTime(_ text: String) -> Date? {
        try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// What the engine needs remembered, inside the transaction that commits a batch.
public protocol AlertStateStore {
    func hasAlert(rule: String, record: String) throws -> Bool
    func lastAlertTime(rule: String, key: String) throws -> Date?
    func remember(_ alert: AlertRecord, rule: String, record: String, throttleKey: String, time: Date) throws
    func noteSuppressed(rule: String) throws
    func countEvent(rule: String, key: String, record: String, time: Date) throws
    func events(rule: String, key: String, after: Date, through: Date) throws -> Int
}
