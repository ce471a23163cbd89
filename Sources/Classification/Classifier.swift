import ArabicText
import Foundation

/// A label assigned to an article, with its score and the words that carried it.
public struct AssignedLabel: Sendable, Equatable, Codable {
    public struct Evidence: Sendable, Equatable, Codable {
        /// The words as written in the article.
        public var text: String
        /// `title` or `paragraph`, the paragraph index, and scalar offsets into that text.
        public var field: String
        public var paragraph: Int?
        public var start: Int
        public var end: Int
        /// How much these words added to the label's score.
        public var weight: Double

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(field, forKey: .field)
            try container.encode(paragraph, forKey: .paragraph)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
            try container.encode(weight, forKey: .weight)
        }
    }

    public var label: String
    /// Probability in [0, 1] of the best-scoring sentence.
    public var score: Double
    public var evidence: [Evidence]
}

/// Labels articles: each sentence of the title and paragraphs is scored by the model, a label's
/// score is its best sentence's, and its evidence is the features that raised that score most.
public struct Classifier: Sendable {
    public let catalog: LabelCatalog
    /// Each label's name, bias and threshold, in the model's order; the model's weights live on
    /// only as `rows` (the decoded weight tables took about 5 MB for as long as the worker ran).
    private let labels: [(name: String, bias: Double, threshold: Double)]
    public let extractor: FeatureExtractor
    /// Evidence spans kept per label.
    public var evidenceLimit = 5

    /// Feature → its number in `rows`: one lookup per feature occurrence.
    private let featureNumbers: [WordKey: Int]
    /// A weighted feature's weights, as (label index, weight) pairs: one row scores every label.
    private let rows: [[(label: Int, weight: Double)]]
    /// The light stems that weighted bigrams (`b:<first>_<second>`) are made of, numbered, and
    /// each such bigram's feature number by its two stems' numbers: a bigram is looked up by two
    /// integers instead of being built as a string and hashed.
    private let bigramStems: [WordKey: Int32]
    private let bigramNumbers: [Int64: Int]
    /// `lex:<label>` → its feature number.
    private let lexiconNumbers: [String: Int]

    public init(catalog: LabelCatalog, model: LabelModel) {
        self.catalog = catalog
        labels = model.labels.map { ($0.name, $0.bias, $0.threshold) }
        self.extractor = FeatureExtractor(catalog: catalog)
        var numbers: [WordKey: Int] = [:]
        var rows: [[(label: Int, weight: Double)]] = []
        for (position, label) in model.labels.enumerated() {
            for (feature, weight) in label.weights {
                let key = WordKey(feature)
                let number: Int
                if let known = numbers[key] {
                    number = known
                } else {
                    number = rows.count
                    numbers[key] = number
                    rows.append([])
                }
                rows[number].append((position, weight))
            }
        }
        featureNumbers = numbers
        self.rows = rows
        var stems: [WordKey: Int32] = [:]
        func stemNumber(_ stem: Substring) -> Int32 {
            let key = WordKey(String(stem))
            if let known = stems[key] { return known }
            let number = Int32(stems.count)
            stems[key] = number
            return number
        }
        var bigrams: [Int64: Int] = [:]
        var lexicon: [String: Int] = [:]
        for (key, number) in numbers {
            let feature = key.text
            if feature.hasPrefix("b:") {
                // Stems have no underscore, but should one ever have, every split is a candidate.
                let body = feature.dropFirst(2)
                for separator in body.indices where body[separator] == "_" {
                    let pair = Self.pair(stemNumber(body[..<separator]), stemNumber(body[body.index(after: separator)...]))
                    bigrams[pair] = number
                }
            } else if feature.hasPrefix("lex:") {
                lexicon[String(feature.dropFirst(4))] = number
            }
        }
        bigramStems = stems
        bigramNumbers = bigrams
        lexiconNumbers = lexicon
    }

    static func pair(_ first: Int32, _ second: Int32) -> Int64 { Int64(first) << 32 | Int64(UInt32(bitPattern: second)) }

    /// What one distinct word contributes to the scores, worked out once: its features (for
    /// bigrams and lexicon phrases), the numbers of its weighted `w:` and `s:` features in order,
    /// and its light stem's number among the stems of weighted bigrams.
    /// A class, so that a memo's answer is one reference to copy.
    public final class Word: Sendable {
        let features: FeatureExtractor.WordFeatures
        let unigrams: [Int]
        let stem: Int32?

        init(features: FeatureExtractor.WordFeatures, unigrams: [Int], stem: Int32?) {
            self.features = features
            self.unigrams = unigrams
            self.stem = stem
        }
    }

    /// Word → what it contributes, shared by the texts of one article or by all a worker
    /// classifies with this classifier (numbers belong to its model); `WordMemo.trim` bounds it.
    public typealias Memo = [WordKey: Word]

    func word(_ text: String, memo: inout Memo) -> Word {
        let key = WordKey(text)
        if let known = memo[key] { return known }
        let features = FeatureExtractor.features(of: text)
        let word = Word(
            features: features, unigrams: features.unigrams.compactMap { featureNumbers[WordKey($0)] },
            stem: bigramStems[WordKey(features.variants[0])])
        memo[key] = word
        return word
    }

    /// The weighted feature occurrences of a text, by number: what `numbers(of:
    /// extractor.occurrences(in:))` gives without its `nil`s, in the same order (unigrams, then
    /// bigrams, then lexicon phrases), without building a string per feature.
    /// The text comes decoded into its scalars, which the ranges count.
    func numberedOccurrences(in scalars: [Unicode.Scalar], memo: inout Memo) -> [(number: Int, range: Range<Int>)] {
        let tokens = ArabicTokenizer.tokens(of: ArabicNormalizer.normalize(scalars: scalars))
        var words: [Word] = []
        words.reserveCapacity(tokens.count)
        var result: [(number: Int, range: Range<Int>)] = []
        result.reserveCapacity(tokens.count * 2)
        for token in tokens {
            let word = word(token.text, memo: &memo)
            words.append(word)
            for number in word.unigrams { result.append((number, token.originalRange)) }
        }
        for index in tokens.indices.dropLast() where !words[index].features.numeric {
            guard let first = words[index].stem, let second = words[index + 1].stem, let number = bigramNumbers[Self.pair(first, second)] else {
                continue
            }
            result.append((number, tokens[index].originalRange.lowerBound..<tokens[index + 1].originalRange.upperBound))
        }
        for match in extractor.lexiconMatches(tokens: tokens, words: words.map(\.features)) {
            if let number = lexiconNumbers[match.label] { result.append((number, match.range)) }
        }
        return result
    }

    /// The weighted features of some occurrences, by number (`nil` for a feature the model does
    /// not weigh).
    func numbers(of occurrences: [FeatureOccurrence]) -> [Int?] {
        occurrences.map { featureNumbers[WordKey($0.feature)] }
    }

    /// The linear scores (before the sigmoid) of the features of one text, for every label; a
    /// feature counts once however often it occurs. `seen` (one slot per weighted feature) marks
    /// the features counted with `stamp`, so no set is built per text.
    func logits(_ numbers: some Sequence<Int>, seen: inout [Int], stamp: Int) -> [Double] {
        var z = labels.map(\.bias)
        for number in numbers where seen[number] != stamp {
            seen[number] = stamp
            for (label, weight) in rows[number] { z[label] += weight }
        }
        return z
    }

    /// Scores of one text for every label (no threshold).
    public func scores(of text: String) -> [String: Double] {
        var seen = [Int](repeating: -1, count: rows.count)
        let z = logits(numbers(of: extractor.occurrences(in: text)).lazy.compactMap { $0 }, seen: &seen, stamp: 0)
        var result: [String: Double] = [:]
        for (index, label) in labels.enumerated() { result[label.name] = LabelModel.sigmoid(z[index]) }
        return result
    }

    /// The labels of an article whose texts are its title and paragraphs.
    public func classify(title: String, paragraphs: [String]) -> [AssignedLabel] {
        var memo: Memo = [:]
        return classify(title: title, paragraphs: paragraphs, memo: &memo)
    }

    /// The same, reusing `memo`, the features of words already seen: a worker keeps one across
    /// articles (most of an article's words were in earlier ones), `WordMemo.trim` bounds it.
    public func classify(title: String, paragraphs: [String], memo: inout Memo) -> [AssignedLabel] {
        struct Unit {
            let field: String
            let paragraph: Int?
            let offset: Int
            /// The sentence's scalars, which its occurrences' ranges count.
            let scalars: [Unicode.Scalar]
        }
        var units: [Unit] = [Unit(field: "title", paragraph: nil, offset: 0, scalars: title.scalarArray)]
        for (index, paragraph) in paragraphs.enumerated() {
            let scalars = paragraph.scalarArray
            for sentence in Self.sentences(of: scalars) {
                units.append(Unit(field: "paragraph", paragraph: index, offset: sentence.lowerBound, scalars: Array(scalars[sentence])))
            }
        }
        var best: [String: (score: Double, units: [(unit: Int, z: Double)])] = [:]
        let occurrences = units.map { numberedOccurrences(in: $0.scalars, memo: &memo) }
        var seen = [Int](repeating: -1, count: rows.count)
        let unitLogits = occurrences.indices.map { index in
            self.logits(occurrences[index].lazy.map(\.number), seen: &seen, stamp: index)
        }
        for (position, label) in labels.enumerated() {
            var top = 0.0
            var hits: [(unit: Int, z: Double)] = []
            for (index, z) in unitLogits.enumerated() {
                let probability = LabelModel.sigmoid(z[position])
                top = max(top, probability)
                if probability >= label.threshold { hits.append((index, z[position])) }
            }
            if top >= label.threshold { best[label.name] = (top, hits) }
        }
        var assigned: [AssignedLabel] = []
        for (labelIndex, label) in labels.enumerated() {
            guard let found = best[label.name] else { continue }
            var evidence: [AssignedLabel.Evidence] = []
            // Normalised words, so compared by their bytes (`WordKey`): `String` hashing
            // normalises Unicode, which took a tenth of the classify thread.
            var seen: Set<WordKey> = []
            for (index, _) in found.units.sorted(by: { $0.z > $1.z }) {
                let unit = units[index]
                for occurrence in occurrences[index] {
                    guard let weight = rows[occurrence.number].first(where: { $0.label == labelIndex })?.weight, weight > 0.25 else { continue }
                    let text = String(scalars: unit.scalars[occurrence.range])
                    let words = ArabicTokenizer.tokens(of: text).map(\.text)
                    guard !words.isEmpty, !words.allSatisfy({ catalog.evidenceStopWords.contains($0) || $0.count <= 2 }) else { continue }
                    guard seen.insert(WordKey(words.joined(separator: " "))).inserted else { continue }
                    evidence.append(
                        AssignedLabel.Evidence(
                            text: text, field: unit.field, paragraph: unit.paragraph, start: unit.offset + occurrence.range.lowerBound,
                            end: unit.offset + occurrence.range.upperBound, weight: (weight * 100).rounded() / 100))
                }
            }
            evidence = Self.withoutOverlaps(evidence.sorted { $0.weight > $1.weight })
            assigned.append(
                AssignedLabel(label: label.name, score: (found.score * 1000).rounded() / 1000, evidence: Array(evidence.prefix(evidenceLimit))))
        }
        return assigned.sorted { $0.score > $1.score }
    }

    /// Drops evidence that overlaps a heavier one in the same text.
    static func withoutOverlaps(_ sorted: [AssignedLabel.Evidence]) -> [AssignedLabel.Evidence] {
        var kept: [AssignedLabel.Evidence] = []
        for item in sorted {
            if kept.contains(where: { $0.field == item.field && $0.paragraph == item.paragraph && $0.start < item.end && item.start < $0.end }) {
                continue
            }
            kept.append(item)
        }
        return kept
    }

    /// The sentences of a paragraph (its scalars), as ranges of them: split after . ! ? ؟ and
    /// before a following space.
    static func sentences(of scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            let value = scalars[index]
            let isEnd = value == "." || value == "!" || value == "?" || value == "؟"
            if isEnd, index + 1 < scalars.count, scalars[index + 1] == " " {
                if index + 1 - start > 1 { result.append(start..<index + 1) }
                start = index + 2
                index += 2
                continue
            }
            index += 1
        }
        if start < scalars.count { result.append(start..<scalars.count) }
        return result
    }
}

/// Precision, recall and F1 of each label on a set of examples.
public struct LabelEvaluation: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var label: String
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var precision: Double { truePositives + falsePositives == 0 ? 0 : Double(truePositives) / Double(truePositives + falsePositives) }
        public var recall: Double { truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        public var support: Int { truePositives + falseNegatives }
    }

    public var rows: [Row]
    public var examples: Int
    public var trainedOn: Int

    /// Micro-averaged over all labels.
    public var micro: Row {
        var total = Row(label: "micro")
        for row in rows {
            total.truePositives += row.truePositives
            total.falsePositives += row.falsePositives
            total.falseNegatives += row.falseNegatives
        }
        return total
    }

    /// The mean F1 of the labels that occur in the examples.
    public var macroF1: Double {
        let present = rows.filter { $0.support > 0 }
        return present.isEmpty ? 0 : present.map(\.f1).reduce(0, +) / Double(present.count)
    }

    /// Trains on the examples that are not held out and scores the held-out ones.
    public static func heldOut(examples: [TrainingExample], catalog: LabelCatalog) -> LabelEvaluation {
        let extractor = FeatureExtractor(catalog: catalog)
        let training = examples.filter { !$0.isHeldOut }
        let test = examples.filter(\.isHeldOut)
        let model = LabelModel.train(examples: training, catalog: catalog, extractor: extractor)
        let classifier = Classifier(catalog: catalog, model: model)
        var rows = catalog.labels.map { Row(label: $0.name) }
        for example in test {
            let predicted = Set(classifier.classify(title: example.text, paragraphs: []).map(\.label))
            let truth = Set(example.labels)
            for index in rows.indices {
                let name = rows[index].label
                switch (predicted.contains(name), truth.contains(name)) {
                case (true, true): rows[index].truePositives += 1
                case (true, false): rows[index].falsePositives += 1
                case (false, true): rows[index].falseNegatives += 1
                case (false, false): break
                }
            }
        }
        return LabelEvaluation(rows: rows, examples: test.count, trainedOn: training.count)
    }
}
