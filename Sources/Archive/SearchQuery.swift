import ArabicText
import Foundation

/// What `marsad search` asks for: words (all must match), quoted phrases, and filters.
public struct SearchQuery: Sendable, Equatable {
    public var text: String
    /// Every one of these entities must be mentioned.
    public var entities: [String] = []
    /// Every one of these labels must be attached.
    public var labels: [String] = []
    /// The outlet, compared after normalisation.
    public var outlet: String?
    /// Publication date range, inclusive, ISO `YYYY-MM-DD` (or a prefix: `2024`, `2024-01`).
    /// Articles without a stated date are dated by when they were ingested.
    public var since: String?
    public var until: String?
    public var limit = 20

    public init(text: String) { self.text = text }

    /// A word or phrase of the query, in its search forms.
    struct Term: Equatable {
        var words: [SearchForms]
        var isPhrase: Bool { words.count > 1 }
    }

    /// Splits the query: `"…"` is a phrase, other words are terms; punctuation separates.
    var terms: [Term] {
        var terms: [Term] = []
        let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            let words = ArabicTokenizer.tokens(of: String(part)).map { SearchForms(normalizedWord: $0.text) }
            if index % 2 == 1 {
                if !words.isEmpty { terms.append(Term(words: words)) }
            } else {
                terms += words.map { Term(words: [$0]) }
            }
        }
        return terms
    }

    /// The FTS5 MATCH expression, or `nil` for a query with no words.
    ///
    /// A word matches its stem or any of its clitic variants in the stems and variants columns,
    /// or its consonant skeleton; a phrase matches its stems in order.
    var matchExpression: String? {
        let terms = self.terms
        guard !terms.isEmpty else { return nil }
        return terms.map { term -> String in
            if term.isPhrase {
                return "stems : \"" + term.words.map(\.stem).joined(separator: " ") + "\""
            }
            let word = term.words[0]
            var alternatives = ([word.stem] + word.variants).map { "{stems variants} : \"\($0)\"" }
            if let skeleton = word.skeleton { alternatives.append("skeletons : \"\(skeleton)\"") }
            return "(" + alternatives.joined(separator: " OR ") + ")"
        }.joined(separator: " AND ")
    }
}

extension SearchQuery {
    /// The PostgreSQL `tsquery` (config `simple`) equivalent of `matchExpression`: stems and
    /// variants carry weights A and B, skeletons C.
    var tsQuery: String? {
        let terms = self.terms
        guard !terms.isEmpty else { return nil }
        return terms.map { term -> String in
            if term.isPhrase { return "(" + term.words.map { "'\($0.stem)':A" }.joined(separator: " <-> ") + ")" }
            let word = term.words[0]
            var alternatives = ([word.stem] + word.variants).map { "'\($0)':AB" }
            if let skeleton = word.skeleton { alternatives.append("'\(skeleton)':C") }
            return "(" + alternatives.joined(separator: " | ") + ")"
        }.joined(separator: " & ")
    }
}
