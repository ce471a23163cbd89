import ArabicText
import MarsadConfig

/// The rules in `config/linking.toml`: cues of cited sources and titles of unnamed people.
public struct LinkingRules: Sendable {
    /// Normalised cue words («حسب», «نقلت» …).
    public var cues: WordSet = []
    /// Normalised nouns that stand before a medium's name («وكالة», «صحيفة» …).
    public var mediaNouns: WordSet = []
    /// Titles as normalised word sequences, longest first.
    public var titles: [[String]] = [] {
        didSet {
            titlesByFirstWord = [:]
            for title in titles { titlesByFirstWord[WordKey(title[0]), default: []].append(title) }
        }
    }
    /// The titles by their first word, longest first.
    public private(set) var titlesByFirstWord: [WordKey: [[String]]] = [:]
    /// Normalised words that end a name.
    public var stopWords: WordSet = []
    /// Normalised words of institutions that follow a title («وزير دفاع», «رئيس هيئة»): skipped.
    public var institutionWords: WordSet = []

    public init() {}

    public static func load(file: String) throws -> LinkingRules {
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        var rules = LinkingRules()
        func words(_ list: [String]) -> WordSet { WordSet(list.flatMap { ArabicTokenizer.tokens(of: $0).map(\.text) }) }
        let cited = root.table("cited_sources")
        rules.cues = words(cited.strings("cues"))
        rules.mediaNouns = words(cited.strings("media_nouns"))
        cited.rejectUnknownKeys()
        let candidates = root.table("candidates")
        rules.titles = candidates.strings("titles").map { ArabicTokenizer.tokens(of: $0).map(\.text) }.filter { !$0.isEmpty }
            .sorted { $0.count > $1.count }
        rules.stopWords = words(candidates.strings("stop_words"))
        rules.institutionWords = words(candidates.strings("institution_words"))
        candidates.rejectUnknownKeys()
        root.rejectUnknownKeys()
        try document.finish()
        return rules
    }
}

/// A source an article cites: a known outlet or agency (with its id), or a quoted name after
/// «صحيفة», «وكالة» … that the gazetteer does not know.
public struct CitedSource: Sendable, Equatable {
    public let id: String?
    public let name: String
    /// The text as written and where: index of the text searched, scalar offsets into it.
    public let text: String
    public let textIndex: Int
    public let range: Range<Int>
}

/// A person named after a title whom the gazetteer does not know.
public struct PersonCandidate: Sendable, Equatable {
    public let name: String
    /// The title as written («المتحدثة باسم البنتاغون»).
    public let title: String
    public let textIndex: Int
    public let range: Range<Int>
}

/// Finds cited sources and unlinked people in an article's texts, given the entity mentions.
public struct ReferenceFinder: Sendable {
    public let gazetteer: Gazetteer
    public let rules: LinkingRules
    static let quotes: Set<Character> = ["\"", "“", "”", "«", "»", "'", "‘", "’"]
    static let quoteScalars: Set<Unicode.Scalar> = ["\"", "“", "”", "«", "»", "'", "‘", "’"]

    public init(gazetteer: Gazetteer, rules: LinkingRules) {
        self.gazetteer = gazetteer
        self.rules = rules
    }

    /// Cited sources in `texts` (the title first, then paragraphs), in order of first citation,
    /// each once; `excluding` is the article's own outlet.
    public func citedSources(in texts: [String], mentions: [[EntityMention]], excluding outletID: String?) -> [CitedSource] {
        citedSources(in: texts.map(AnalyzedText.init), mentions: mentions, excluding: outletID)
    }

    public func citedSources(in analyzed: [AnalyzedText], mentions: [[EntityMention]], excluding outletID: String?) -> [CitedSource] {
        var found: [CitedSource] = []
        var seen: Set<String> = []
        for (index, item) in analyzed.enumerated() {
            let tokens = item.tokens
            let scalars = item.scalars
            for mention in mentions[index] {
                guard let entity = gazetteer.entity(id: mention.entityID), entity.isMedia, entity.id != outletID else { continue }
                guard let position = tokens.firstIndex(where: { $0.originalRange.upperBound > mention.range.lowerBound }) else { continue }
                let before = item.shortStems[max(0, position - 3)..<position].joined()
                let cued =
                    before.contains { rules.cues.contains($0) || rules.mediaNouns.contains($0) }
                    || Self.inParentheses(scalars, mention.range)
                guard cued, seen.insert(entity.id).inserted else { continue }
                found.append(CitedSource(id: entity.id, name: entity.nameArabic, text: mention.text, textIndex: index, range: mention.range))
            }
            // «صحيفة "ذا تايمز"»: a quoted name after a media noun.
            for (position, token) in tokens.enumerated() where item.strippings[position].contains(where: { rules.mediaNouns.contains($0.stem) }) {
                let after = token.originalRange.upperBound
                var cursor = after
                while cursor < scalars.count, scalars[cursor] == " " { cursor += 1 }
                guard cursor < scalars.count, Self.quotes.contains(Character(scalars[cursor])) else { continue }
                let start = cursor + 1
                var end = start
                while end < scalars.count, end - start <= 40, !Self.quotes.contains(Character(scalars[end])) { end += 1 }
                guard end < scalars.count, end > start, end - start <= 40 else { continue }
                let name = String(scalars: scalars[start..<end])
                let words = ArabicTokenizer.tokens(of: name)
                guard (1...5).contains(words.count) else { continue }
                if mentions[index].contains(where: { $0.range.overlaps(start..<end) }) { continue }
                let key = "name:" + words.map(\.text).joined(separator: " ")
                guard seen.insert(key).inserted else { continue }
                _ = position
                found.append(CitedSource(id: nil, name: name, text: name, textIndex: index, range: start..<end))
            }
        }
        return found
    }

    /// People named after a title whom the gazetteer does not know, each once.
    public func candidates(in texts: [String], mentions: [[EntityMention]]) -> [PersonCandidate] {
        candidates(in: texts.map(AnalyzedText.init), mentions: mentions)
    }

    public func candidates(in analyzed: [AnalyzedText], mentions: [[EntityMention]]) -> [PersonCandidate] {
        var found: [PersonCandidate] = []
        var seen: Set<String> = []
        for (index, item) in analyzed.enumerated() {
            let tokens = item.tokens
            let scalars = item.scalars
            let linked = mentions[index]
            func linkedEntity(_ token: Token) -> String? { linked.first { $0.range.overlaps(token.originalRange) }?.entityID }
            func isLinked(_ token: Token) -> Bool { linkedEntity(token) != nil }
            let stems = item.shortStems
            func hasArticle(_ index: Int) -> Bool { stems[index].contains { $0.utf8.starts(with: Self.article) } }
            func isInstitution(_ index: Int) -> Bool { stems[index].contains(where: rules.institutionWords.contains) }
            func gapIsSpace(_ a: Token, _ b: Token) -> Bool {
                // Two tokens from one original scalar («¾» normalises to «3⁄4») have no gap at all.
                guard a.originalRange.upperBound <= b.originalRange.lowerBound else { return false }
                return scalars[a.originalRange.upperBound..<b.originalRange.lowerBound].allSatisfy { $0 == " " || $0 == "\u{00A0}" }
            }
            var position = 0
            while position < tokens.count {
                guard let title = titleLength(tokens, stems: stems, at: position) else {
                    position += 1
                    continue
                }
                let titleStart = position
                var cursor = position + title
                // Chained titles («نائب رئيس الوزراء»), the institution («باسم البنتاغون»,
                // «الخارجية الأمريكي», «دفاع النظام») and linked names after the title are
                // skipped. A linked person there is the one the title introduces: no candidate.
                var namedPerson = false
                // «المتحدث باسم قوى الأمن»: the word after «باسم» heads the institution.
                if tokens[cursor - 1].text == "باسم", cursor < tokens.count, !isLinked(tokens[cursor]) { cursor += 1 }
                while cursor < tokens.count {
                    if let more = titleLength(tokens, stems: stems, at: cursor) {
                        cursor += more
                    } else if let entity = linkedEntity(tokens[cursor]) {
                        if entity.hasPrefix("per.") {
                            namedPerson = true
                            break
                        }
                        cursor += 1
                    } else if tokens[cursor].text == "باسم" {
                        // «باسم قوى الأمن الداخلي»: the word after «باسم» heads the institution.
                        cursor += 2
                    } else if hasArticle(cursor) || isInstitution(cursor) {
                        cursor += 1
                    } else {
                        break
                    }
                }
                if namedPerson {
                    position = cursor + 1
                    continue
                }
                var nameTokens: [Token] = []
                while cursor < tokens.count, nameTokens.count < 4 {
                    let token = tokens[cursor]
                    if let previous = nameTokens.last ?? (cursor > 0 ? tokens[cursor - 1] : nil), !nameTokens.isEmpty, !gapIsSpace(previous, token) {
                        break
                    }
                    if rules.stopWords.contains(token.text) || isLinked(token) || isInstitution(cursor) || token.text.allSatisfy(\.isNumber) { break }
                    if nameTokens.isEmpty && hasArticle(cursor) { break }
                    if titleLength(tokens, stems: stems, at: cursor) != nil { break }
                    nameTokens.append(token)
                    cursor += 1
                }
                if nameTokens.count >= 2, let first = nameTokens.first, let last = nameTokens.last {
                    // Bounds kept in order even where normalisation split one scalar into tokens.
                    let range = first.originalRange.lowerBound..<max(first.originalRange.lowerBound, last.originalRange.upperBound)
                    let name = String(scalars: scalars[range])
                    let titleStartScalar = tokens[titleStart].originalRange.lowerBound
                    let titleEndScalar = max(titleStartScalar, tokens[max(titleStart, cursor - nameTokens.count - 1)].originalRange.upperBound)
                    let titleText = String(scalars: scalars[titleStartScalar..<titleEndScalar])
                    if seen.insert(nameTokens.map(\.text).joined(separator: " ")).inserted {
                        found.append(PersonCandidate(name: name, title: titleText, textIndex: index, range: range))
                    }
                }
                position = max(cursor, position + 1)
            }
        }
        return found
    }

    /// «ال» as bytes: a stem that starts with it has the article.
    static let article = Array("ال".utf8)

    /// The number of tokens of a title starting at `position` (the first word may carry
    /// proclitics), or `nil`.
    func titleLength(_ tokens: [Token], stems: [[String]], at position: Int) -> Int? {
        var best: Int?
        for first in stems[position] {
            guard let candidates = rules.titlesByFirstWord[WordKey(first)] else { continue }
            for title in candidates where position + title.count <= tokens.count && title.count > (best ?? 0) {
                var matches = true
                for offset in 1..<max(title.count, 1) where !tokens[position + offset].text.utf8.elementsEqual(title[offset].utf8) {
                    matches = false
                    break
                }
                if matches { best = title.count }
            }
        }
        return best
    }

    static func inParentheses(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        var before = range.lowerBound - 1
        while before >= 0, scalars[before] == " " || quotes.contains(Character(scalars[before])) { before -= 1 }
        var after = range.upperBound
        while after < scalars.count, scalars[after] == " " || quotes.contains(Character(scalars[after])) { after += 1 }
        return before >= 0 && scalars[before] == "(" && after < scalars.count && scalars[after] == ")"
    }
}
