import ArabicText

/// One place where an entity is named.
public struct EntityMention: Sendable, Equatable {
    public let entityID: String
    /// The text as written (proclitics such as و or ب in front of the name left out).
    public let text: String
    /// Scalar offsets into the text that was searched.
    public let range: Range<Int>
}

/// Finds gazetteer names in text: on normalised tokens, a name's first word may carry Arabic
/// proclitics (و ف ب ل ك س, لل for ل + ال), and the longest name wins — «عين الأسد» is the air
/// base, never «الأسد».
public struct EntityLinker: Sendable {
    public let gazetteer: Gazetteer

    private struct Candidate: Sendable {
        let words: [String]
        let entity: Int
    }

    /// First word → candidates, longest first.
    private let index: [String: [Candidate]]

    public init(gazetteer: Gazetteer) {
        self.gazetteer = gazetteer
        var index: [String: [Candidate]] = [:]
        for (position, entity) in gazetteer.entities.enumerated() {
            for name in entity.names {
                let words = ArabicTokenizer.tokens(of: name).map(\.text)
                guard let first = words.first else { continue }
                index[first, default: []].append(Candidate(words: words, entity: position))
            }
        }
        for key in index.keys { index[key]!.sort { $0.words.count > $1.words.count } }
        self.index = index
    }

    /// The normalised word sequence a name is matched by, as one string.
    public static func nameKey(_ name: String) -> String {
        ArabicTokenizer.tokens(of: name).map(\.text).joined(separator: " ")
    }

    /// Every entity mention in `text`, in order, without overlaps.
    public func mentions(in text: String) -> [EntityMention] {
        let normalized = ArabicNormalizer.normalize(text)
        let tokens = ArabicTokenizer.tokens(of: normalized)
        guard !tokens.isEmpty else { return [] }
        let original = Array(text.unicodeScalars)
        var mentions: [EntityMention] = []
        var position = 0
        while position < tokens.count {
            var best: (candidate: Candidate, prefix: Int)?
            for (stem, prefix) in Proclitics.strippings(of: tokens[position].text, minimumStem: 3) {
                guard let candidates = index[stem] else { continue }
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
            var view = String.UnicodeScalarView()
            view.append(contentsOf: original[start..<end])
            mentions.append(EntityMention(entityID: gazetteer.entities[candidate.entity].id, text: String(view), range: start..<end))
            position += candidate.words.count
        }
        return mentions
    }

    private func matches(_ words: [String], tokens: [Token], at position: Int) -> Bool {
        guard position + words.count <= tokens.count else { return false }
        for offset in 1..<max(words.count, 1) where tokens[position + offset].text != words[offset] { return false }
        return true
    }
}
