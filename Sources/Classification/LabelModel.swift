import Foundation

/// A labelled example of the training data: `{"text": "…", "labels": ["ASSAULT", …]}`.
public struct TrainingExample: Codable, Sendable, Equatable {
    public var text: String
    public var labels: [String]

    public init(text: String, labels: [String]) {
        self.text = text
        self.labels = labels
    }

    /// Reads every `.jsonl` file of `directory` (sorted by name); a bad line or an unknown label
    /// is an error naming the file and line.
    public static func load(directory: String, catalog: LabelCatalog) throws -> [TrainingExample] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }.sorted()
        guard !names.isEmpty else { throw ClassificationError("\(directory): no .jsonl training files") }
        let known = Set(catalog.labels.map(\.name))
        var examples: [TrainingExample] = []
        for name in names {
            let path = directory + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                let example: TrainingExample
                do {
                    example = try JSONDecoder().decode(TrainingExample.self, from: Data(trimmed.utf8))
                } catch {
                    throw ClassificationError("\(path):\(offset + 1): not a {\"text\", \"labels\"} object")
                }
                for label in example.labels where !known.contains(label) {
                    throw ClassificationError("\(path):\(offset + 1): unknown label \"\(label)\" (labels are listed in classify.toml)")
                }
                examples.append(example)
            }
        }
        return examples
    }

    /// Whether an example belongs to the held-out part: a fixed fifth chosen by a hash of its
    /// text, so the split is the same on every machine and run.
    public var isHeldOut: Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash % 5 == 0
    }
}

public struct ClassificationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One-vs-rest logistic regression over binary features: a weight per feature and a bias per
/// label. Trained deterministically (fixed order, fixed seed), stored as JSON.
public struct LabelModel: Codable, Sendable {
    public static let schemaName = "marsad.classifier/1"

    public struct LabelWeights: Codable, Sendable {
        public var name: String
        public var bias: Double
        /// A label is assigned when its probability reaches this.
        public var threshold: Double
        public var weights: [String: Double]
    }

    public var schema = LabelModel.schemaName
    public var labels: [LabelWeights]
    /// How many examples it was trained on.
    public var examples: Int

    /// Training settings.
    public struct Settings: Sendable {
        public var epochs = 25
        public var learningRate = 0.3
        public var l2 = 1e-3
        /// Prior weight of a lexicon hit for its own label, before training adjusts it.
        public var lexiconPrior = 2.0
        /// Smaller weights are dropped from the stored model (they barely move a score).
        public var keepThreshold = 0.15
        /// A feature must occur in this many examples to be learned.
        public var minimumCount = 2
        public init() {}
    }

    /// Trains on `examples`. Features are numbered once, so each step is array arithmetic.
    public static func train(
        examples: [TrainingExample], catalog: LabelCatalog, extractor: FeatureExtractor, settings: Settings = Settings()
    )
        -> LabelModel
    {
        var numbers: [String: Int] = [:]
        var names: [String] = []
        func number(_ feature: String) -> Int {
            if let known = numbers[feature] { return known }
            numbers[feature] = names.count
            names.append(feature)
            return names.count - 1
        }
        // Features seen in fewer than `minimumCount` examples are left out: they cannot be
        // learned from and would only bloat the model.
        let rawSets = examples.map { Set(extractor.occurrences(in: $0.text).map(\.feature)) }
        var counts: [String: Int] = [:]
        for set in rawSets { for feature in set { counts[feature, default: 0] += 1 } }
        let featureSets: [[Int]] = rawSets.map { set in
            set.filter { counts[$0, default: 0] >= settings.minimumCount || $0.hasPrefix("lex:") }.map(number).sorted()
        }
        var trained: [LabelWeights] = []
        for label in catalog.labels {
            var weights = [Double](repeating: 0, count: names.count)
            var squared = [Double](repeating: 0, count: names.count)
            if let lexicon = numbers["lex:" + label.name] { weights[lexicon] = settings.lexiconPrior }
            var bias = -2.0
            var biasSquared = 0.0
            var generator = SplitMix64(seed: 0x6d61_7273_6164)
            var order = Array(examples.indices)
            let targets = examples.map { $0.labels.contains(label.name) ? 1.0 : 0.0 }
            for _ in 0..<settings.epochs {
                order.shuffle(using: &generator)
                for index in order {
                    let features = featureSets[index]
                    var z = bias
                    for feature in features { z += weights[feature] }
                    let error = sigmoid(z) - targets[index]
                    // AdaGrad steps with L2 on the weights touched.
                    for feature in features {
                        let gradient = error + settings.l2 * weights[feature]
                        squared[feature] += gradient * gradient
                        weights[feature] -= settings.learningRate * gradient / (squared[feature].squareRoot() + 1e-8)
                    }
                    biasSquared += error * error
                    bias -= settings.learningRate * error / (biasSquared.squareRoot() + 1e-8)
                }
            }
            var kept: [String: Double] = [:]
            for (index, weight) in weights.enumerated() where abs(weight) >= settings.keepThreshold {
                kept[names[index]] = (weight * 1000).rounded() / 1000
            }
            trained.append(LabelWeights(name: label.name, bias: (bias * 1000).rounded() / 1000, threshold: 0.5, weights: kept))
        }
        return LabelModel(labels: trained, examples: examples.count)
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    public static func load(file: String) throws -> LabelModel {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ClassificationError("\(file): cannot read the model (run `marsad train` to build it)")
        }
        let model: LabelModel
        do {
            model = try JSONDecoder().decode(LabelModel.self, from: data)
        } catch {
            throw ClassificationError("\(file): not a classifier model: \(error)")
        }
        guard model.schema == schemaName else { throw ClassificationError("\(file): schema \(model.schema), expected \(schemaName)") }
        return model
    }

    /// Key-sorted JSON: retraining on the same data gives the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// A small, fast, seedable generator (SplitMix64) so training is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
