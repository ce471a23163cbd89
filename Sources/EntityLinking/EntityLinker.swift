import ArabicText

/// A text with its normalised form and tokens, computed once and shared by the linker and the
/// reference finder.
public struct AnalyzedText: Sendable {
    public let text: String
    /// `text`'s scalars, which offsets count: decoded once for every stage that needs them.
    public let scalars: [Unicode.Scalar]
    public let normalized: NormalizedText
    public let tokens: [Token]
    /// Each token's forms without proclitics (`Proclitics.strippings`), with stems of at least
    /// three letters, and the stems of at least two: worked out once for the linker, the
    /// cited-source finder and the person finder, which all ask.
    public let strippings: [[(stem: String, prefix: Int)]]
    public let shortStems: [[String]]

    public init(_ text: String) {
        self.init(text, memo: WordAnalyses(capacity: Self.memoCapacity))
    }

    /// A word's `strippings` and `shortStems`.
    public struct WordAnalysis: Sendable {
        public let strippings: [(stem: String, prefix: Int)]
        public let shortStems: [String]

        init(_ word: String) {
            strippings = Proclitics.strippings(of: word, minimumStem: 3)
            shortStems = Proclitics.stems(of: word, minimumStem: 2)
        }
    }

    /// Words taken apart once, for every article the memo sees (`RecordBuilder` keeps one across
    /// articles and parsing threads).
    public typealias WordAnalyses = SharedWordMemo<WordAnalysis>

    /// Words a `WordAnalyses` keeps: 20,000, not `WordMemo.limit`. On 2,000 articles drawn from
    /// 120,000 distinct words, `marsad bench parse` peaked 14 MB above a memo of one article at
    /// 50,000, and 4.6 MB above it at 20,000; the most frequent forms, which are most of an
    /// article's words, fit in far fewer.
    public static let memoCapacity = 20_000

    public init(_ text: String, memo: WordAnalyses) {
        self.text = text
        scalars = text.scalarArray
        normalized = ArabicNormalizer.normalize(scalars: scalars)
        tokens = ArabicTokenizer.tokens(of: normalized)
        let analyses = memo.values(of: tokens.map(\.text), compute: WordAnalysis.init)
        strippings = analyses.map(\.strippings)
        shortStems = analyses.map(\.shortStems)
    }
}

/// One place where an entity is named.
public struct EntityMention: Sendable, Equatable {
    public let entityID: String
    /// The text as written (proclitics such as و or ب in front of the name left out).
    public let text: String
    /// Scalar offsets into the text that was searched.
    public let range: Range<Int>
    /// Found by one of the entity's weak (ambiguous) names.
    public let weak: Bool

    public init(entityID: String, text: String, range: Range<Int>, weak: Bool = false) {
        self.entityID = entityID
        self.text = text
        self.range = range
        self.weak = weak
    }
}

/// Finds gazetteer names in text: on normalised tokens, a name's first word may carry Arabic
/// proclitics (و ف ب ل ك س, لل for ل + ال), and the longest name wins — «عين الأسد» is the air
/// base, never «الأسد».
public struct EntityLinker: Sendable {
    public let gazetteer: Gazetteer

    private struct Candidate: Sendable {
        let words: [String]
        let entity: Int
        let weak: Bool
    }

    /// First word → candidates, longest first.
    private let index: [WordKey: [Candidate]]
    /// Words that, up to three words before it, make a weak name of an outlet safe: citation
    /// cues and media nouns («حسب الأناضول», «وكالة فارس»), from `config/linking.toml`.
    public var mediaCues: WordSet = []
    /// The bare names of outlets listed with their noun («صحيفة الشرق الأوسط» → «الشرق الاوسط»):
    /// a quoted mention of such a name is the outlet («لـ«الشرق الأوسط»»), not the place.
    private let quotedMedia: [String: Int]

    /// Nouns that stand before a newspaper's or magazine's name. Only print titles are cited
    /// bare in quotes («لـ«الشرق الأوسط»»); «تلفزيون سوريا» quoted bare would be Syria itself.
    static let mediaNouns: WordSet = ["صحيفه", "جريده", "مجله"]

    /// «صحيفة الشرق الأوسط» → «الشرق الاوسط» (normalised key); `nil` without a leading noun.
    public static func bareMediaName(_ name: String) -> String? {
        let words = ArabicTokenizer.tokens(of: name).map(\.text)
        guard words.count >= 2, mediaNouns.contains(words[0]) else { return nil }
        return words.dropFirst().joined(separator: " ")
    }

    public init(gazetteer: Gazetteer) {
        self.gazetteer = gazetteer
        var index: [WordKey: [Candidate]] = [:]
        for (position, entity) in gazetteer.entities.enumerated() {
            for (names, weak) in [(entity.names, false), (entity.weakNames, true)] {
                for name in names {
                    let words = ArabicTokenizer.tokens(of: name).map(\.text)
                    guard let first = words.first else { continue }
                    index[WordKey(first), default: []].append(Candidate(words: words, entity: position, weak: weak))
                }
            }
        }
        for key in index.keys { index[key]!.sort { $0.words.count > $1.words.count } }
        self.index = index
        var quoted: [String: Int] = [:]
        for (position, entity) in gazetteer.entities.enumerated() where entity.isMedia {
            for name in entity.names + entity.weakNames { if let bare = Self.bareMediaName(name) { quoted[bare] = position } }
        }
        self.quotedMedia = quoted
    }

    /// The normalised word sequence a name is matched by, as one string.
    public static func nameKey(_ name: String) -> String {
        ArabicTokenizer.tokens(of: name).map(\.text).joined(separator: " ")
    }

    /// Every entity mention in `text`, in order, without overlaps.
    public func mentions(in text: String) -> [EntityMention] {
        let original = text.scalarArray
        let normalized = ArabicNormalizer.normalize(scalars: original)
        return mentions(in: original, normalized: normalized, tokens: ArabicTokenizer.tokens(of: normalized))
    }

    /// The same, on text already decoded (`original`, its scalars), normalised and tokenised
    /// (`tokens` of `normalized`), with each token's `Proclitics.strippings(minimumStem: 3)`
    /// when they are known.
    public func mentions(
        in original: [Unicode.Scalar], normalized: NormalizedText, tokens: [Token], strippings: [[(stem: String, prefix: Int)]]? = nil
    ) -> [EntityMention] {
        guard !tokens.isEmpty else { return [] }
        var mentions: [EntityMention] = []
        var position = 0
        while position < tokens.count {
            var best: (candidate: Candidate, prefix: Int)?
            for (stem, prefix) in strippings?[position] ?? Proclitics.strippings(of: tokens[position].text, minimumStem: 3) {
                guard let candidates = index[WordKey(stem)] else { continue }
                for candidate in candidates {
                    if let current = best, current.candidate.words.count >= candidate.words.count { break }
                    if matches(candidate.words, tokens: tokens, at: position) {
                        best = (candidate, prefix)
                        break
                    }
                }
            }
            guard let (candidate, prefix) = best else {
                position += 1
                continue
            }
            let first = tokens[position]
            let last = tokens[position + candidate.words.count - 1]
            let start = normalized.originalStarts[first.normalizedRange.lowerBound + prefix]
            let end = last.originalRange.upperBound
            let written = String(scalars: original[start..<end])
            var entity = candidate.entity
            var weak = candidate.weak
            if !quotedMedia.isEmpty, Self.isQuoted(original, start..<end),
                let outlet = quotedMedia[candidate.words.joined(separator: " ")]
            {
                entity = outlet
                weak = false
            }
            mentions.append(EntityMention(entityID: gazetteer.entities[entity].id, text: written, range: start..<end, weak: weak))
            position += candidate.words.count
        }
        return mentions
    }

    /// The mentions of each text of one article (title, paragraphs …), with the context rule
    /// applied: a weak name counts only when the article also names the entity by a strong name,
    /// or one of the entity's context words stands in the same text.
    public func mentions(inArticle texts: [String]) -> [[EntityMention]] {
        mentions(inArticle: texts.map(AnalyzedText.init))
    }

    /// The same, on texts normalised and tokenised once for every stage of a record.
    public func mentions(inArticle analyzed: [AnalyzedText]) -> [[EntityMention]] {
        let found = analyzed.map { mentions(in: $0.scalars, normalized: $0.normalized, tokens: $0.tokens, strippings: $0.strippings) }
        var strong: Set<String> = []
        for list in found { for mention in list where !mention.weak { strong.insert(mention.entityID) } }
        return zip(analyzed, found).map { item, list in
            guard list.contains(where: { $0.weak && !strong.contains($0.entityID) }) else { return list }
            let words = Set(item.strippings.flatMap { $0.map(\.stem) })
            let tokens = item.tokens
            return list.filter { mention in
                guard mention.weak, !strong.contains(mention.entityID), let entity = gazetteer.entity(id: mention.entityID) else { return true }
                if !entity.context.isDisjoint(with: words) { return true }
                guard entity.isMedia, !mediaCues.isEmpty,
                    let position = tokens.firstIndex(where: { $0.originalRange.upperBound > mention.range.lowerBound })
                else { return false }
                return item.shortStems[max(0, position - 3)..<position].contains { stems in stems.contains(where: mediaCues.contains) }
            }
        }
    }

    static let quotes: Set<Unicode.Scalar> = ["\"", "“", "”", "«", "»", "'", "‘", "’"]

    /// Whether the text at `range` stands between quotation marks.
    static func isQuoted(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        var before = range.lowerBound - 1
        while before >= 0, scalars[before] == " " { before -= 1 }
        var after = range.upperBound
        while after < scalars.count, scalars[after] == " " { after += 1 }
        return before >= 0 && after < scalars.count && quotes.contains(scalars[before]) && quotes.contains(scalars[after])
    }

    private func matches(_ words: [String], tokens: [Token], at position: Int) -> Bool {
        guard position + words.count <= tokens.count else { return false }
        for offset in 1..<max(words.count, 1) where !tokens[position + offset].text.utf8.elementsEqual(words[offset].utf8) { return false }
        return true
    }
}
