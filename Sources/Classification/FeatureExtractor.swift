import ArabicText

/// One feature occurrence: the feature and the scalar range of the original text that carries it.
public struct FeatureOccurrence: Sendable, Equatable {
    public let feature: String
    public let range: Range<Int>
}

/// Turns text into the features the classifier weighs: light stems of words (`w:`), the same
/// without common suffixes (`s:`), stem bigrams (`b:`) and lexicon phrases (`lex:<LABEL>`).
/// Every occurrence keeps its place in the original text, so evidence can be shown as written.
public struct FeatureExtractor: Sendable {
    /// Phrase → labels, keyed by the phrase's first feature word.
    private let phrases: [WordKey: [(words: [String], label: String)]]

    public init(catalog: LabelCatalog) {
        var index: [WordKey: [(words: [String], label: String)]] = [:]
        for label in catalog.labels {
            for phrase in label.phrases { index[WordKey(phrase[0]), default: []].append((phrase, label.name)) }
        }
        for key in index.keys { index[key]!.sort { $0.words.count > $1.words.count } }
        phrases = index
    }

    /// Suffixes stripped for the `s:` form, longest first.
    static let suffixes = ["تهم", "تها", "اتها", "ات", "ون", "ين", "وا", "ها", "هم", "ان", "ته", "يه", "ه", "ت", "ي"]

    /// The two word forms a normalised token contributes: its light stem and that stem without
    /// a common suffix (when at least three letters remain).
    static func forms(of token: String) -> (stem: String, bare: String?) {
        let stem = SearchForms.lightStem(token)
        // Compared as scalars: normalised words have no combining marks, so a scalar is a letter.
        let scalars = stem.scalarArray
        for suffix in suffixScalars where scalars.count >= suffix.count + 3 && scalars.suffix(suffix.count).elementsEqual(suffix) {
            return (stem, String(scalars: scalars.dropLast(suffix.count)))
        }
        return (stem, nil)
    }

    static let suffixScalars = suffixes.map { $0.scalarArray }

    /// A lexicon phrase as the sequence of light stems it is matched by.
    public static func phraseKey(_ phrase: String) -> [String] {
        ArabicTokenizer.tokens(of: phrase).map { SearchForms.lightStem($0.text) }
    }

    /// The light stems a token may stand for: its own, and those without a single fused
    /// preposition (ب ل ك: «بقصف» is also «قصف»).
    static func variants(of token: String) -> [String] {
        var result = [SearchForms.lightStem(token)]
        for (stripped, prefix) in Proclitics.strippings(of: token, minimumStem: 3) where prefix > 0 {
            let stem = SearchForms.lightStem(stripped)
            if !result.contains(stem) { result.append(stem) }
        }
        return result
    }

    /// What one distinct word contributes wherever it occurs: worked out once per text (or per
    /// article, when the caller shares the memo across its sentences), as news repeats its words.
    /// A class, so that a memo's answer is one reference to copy, not four.
    public final class WordFeatures: Sendable {
        /// `variants(of:)`, its own light stem first.
        let variants: [String]
        /// A number: no unigram features, no bigram starting here.
        let numeric: Bool
        /// Its `w:` and `s:` features, in order.
        let unigrams: [String]
        /// `variants` as keys, for the lexicon.
        let keys: [WordKey]

        init(variants: [String], numeric: Bool, unigrams: [String], keys: [WordKey]) {
            self.variants = variants
            self.numeric = numeric
            self.unigrams = unigrams
            self.keys = keys
        }
    }

    /// Word → its features, shared by the texts of one article.
    public typealias Memo = [WordKey: WordFeatures]

    static func features(of word: String) -> WordFeatures {
        let variants = Self.variants(of: word)
        let numeric = variants[0].allSatisfy(\.isNumber)
        var unigrams: [String] = []
        if !numeric {
            var bares: Set<WordKey> = []
            for (index, variant) in variants.enumerated() {
                if index == 0 || variant.count >= 3 { unigrams.append("w:" + variant) }
                if let bare = Self.forms(of: variant).bare, bares.insert(WordKey(bare)).inserted { unigrams.append("s:" + bare) }
            }
        }
        return WordFeatures(variants: variants, numeric: numeric, unigrams: unigrams, keys: variants.map(WordKey.init))
    }

    /// The feature occurrences of `text`.
    public func occurrences(in text: String) -> [FeatureOccurrence] {
        var memo: Memo = [:]
        return occurrences(in: text, memo: &memo)
    }

    /// The feature occurrences of `text`, reusing (and filling) `memo`.
    public func occurrences(in text: String, memo: inout Memo) -> [FeatureOccurrence] {
        let tokens = ArabicTokenizer.tokens(of: text)
        var words: [WordFeatures] = []
        words.reserveCapacity(tokens.count)
        var result: [FeatureOccurrence] = []
        result.reserveCapacity(tokens.count * 4)
        for token in tokens {
            let key = WordKey(token.text)
            let word: WordFeatures
            if let known = memo[key] {
                word = known
            } else {
                word = Self.features(of: token.text)
                memo[key] = word
            }
            words.append(word)
            for feature in word.unigrams { result.append(FeatureOccurrence(feature: feature, range: token.originalRange)) }
        }
        for index in tokens.indices.dropLast() where !words[index].numeric {
            result.append(
                FeatureOccurrence(
                    feature: "b:" + words[index].variants[0] + "_" + words[index + 1].variants[0],
                    range: tokens[index].originalRange.lowerBound..<tokens[index + 1].originalRange.upperBound))
        }
        for match in lexiconMatches(tokens: tokens, words: words) {
            result.append(FeatureOccurrence(feature: "lex:" + match.label, range: match.range))
        }
        return result
    }

    /// Lexicon phrases in a text: at each word, the longest phrase of each label that matches
    /// there, with the original range it covers.
    func lexiconMatches(tokens: [Token], words: [WordFeatures]) -> [(label: String, range: Range<Int>)] {
        var result: [(label: String, range: Range<Int>)] = []
        for position in tokens.indices {
            var matchedLabels: Set<String> = []
            for start in words[position].keys {
                guard let candidates = phrases[start] else { continue }
                for candidate in candidates where position + candidate.words.count <= tokens.count && !matchedLabels.contains(candidate.label) {
                    var matches = true
                    for offset in 1..<max(candidate.words.count, 1)
                    where !words[position + offset].variants.contains(where: { $0.utf8.elementsEqual(candidate.words[offset].utf8) }) {
                        matches = false
                        break
                    }
                    guard matches else { continue }
                    let last = tokens[position + candidate.words.count - 1]
                    result.append((candidate.label, tokens[position].originalRange.lowerBound..<last.originalRange.upperBound))
                    matchedLabels.insert(candidate.label)
                }
            }
        }
        return result
    }
}
