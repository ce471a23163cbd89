import ArabicText

/// Parses plain-text articles: the headline on its own line near the top, one paragraph per
/// line, site furniture around them.
public struct TextArticleParser: Sendable {
    public let markers: BoilerplateMarkers

    /// Lines this short, without sentence punctuation, between paragraphs are subheadings.
    static let subheadingMaxWords = 8
    static let subheadingMaxCharacters = 80
    static let sentenceEnds: Set<Character> = [".", "!", "?", "؟", "…", ":", "،", "\"", "”", "»", ")"]

    public init(markers: BoilerplateMarkers) {
        self.markers = markers
    }

    /// Decodes and parses one file's bytes.
    public func parse(bytes: [UInt8]) throws(ParseFailure) -> ParsedArticle {
        let (text, encoding) = try TextDecoding.decode(bytes)
        return try parse(text: text, encoding: encoding)
    }

    private enum Mode {
        case body
        case cut(kind: String)
        case related
    }

    /// Parses decoded text.
    public func parse(text: String, encoding: String = "utf-8") throws(ParseFailure) -> ParsedArticle {
        var title: String?
        var body: [(text: String, line: Int)] = []
        var removed: [RemovedText] = []
        var related: [RelatedStory] = []
        var published: PublishedDate?
        var outlet: Outlet?
        var mode = Mode.body
        var sawContent = false

        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty { continue }
            sawContent = true
            let key = LineKey.make(line)

            if case .cut(let kind) = mode {
                removed.append(RemovedText(kind: kind, text: line, line: number))
                continue
            }
            if key.isEmpty || markers.navigation.matches(key) {
                removed.append(RemovedText(kind: "navigation", text: line, line: number))
                continue
            }
            if markers.share.matches(key) {
                removed.append(RemovedText(kind: "share", text: line, line: number))
                continue
            }
            if markers.commentForm.matches(key) {
                removed.append(RemovedText(kind: "comment_form", text: line, line: number))
                mode = .cut(kind: "comment_form")
                continue
            }
            if markers.relatedList.matches(key) {
                removed.append(RemovedText(kind: "related_list", text: line, line: number))
                mode = .cut(kind: "related_list")
                continue
            }
            if markers.seeAlso.matches(key) {
                removed.append(RemovedText(kind: "see_also", text: line, line: number))
                related.append(RelatedStory(marker: line, title: nil, paragraphs: []))
                mode = .related
                continue
            }
            if markers.keywords.matches(key) {
                removed.append(RemovedText(kind: "keywords", text: line, line: number))
                continue
            }
            if published == nil, markers.dateLabels.contains(where: { LineKey.hasWordPrefix(key, $0) }),
                let date = ExplicitDateParser.parse(line)
            {
                published = PublishedDate(date: date, basis: .explicitLine, text: line)
                removed.append(RemovedText(kind: "date_line", text: line, line: number))
                continue
            }
            if let name = labelledValue(line, key: key, labels: markers.outletLabels) {
                if outlet == nil { outlet = Outlet(name: name, basis: .sourceLine, text: line) }
                removed.append(RemovedText(kind: "source_line", text: line, line: number))
                continue
            }
            if let name = bylineOutlet(line, key: key) {
                if outlet == nil { outlet = Outlet(name: name, basis: .byline, text: line) }
                removed.append(RemovedText(kind: "byline", text: line, line: number))
                continue
            }
            if case .related = mode {
                if related[related.count - 1].title == nil {
                    related[related.count - 1].title = line
                } else {
                    related[related.count - 1].paragraphs.append(line)
                }
                continue
            }
            if title == nil {
                // A headline has at least two words; a lone word above it is site chrome.
                if key.split(separator: " ").count >= 2 {
                    title = line
                } else {
                    removed.append(RemovedText(kind: "untitled_line", text: line, line: number))
                }
                continue
            }
            body.append((line, number))
        }

        guard sawContent else { throw .empty }
        guard let title else { throw .noTitle }

        var paragraphs: [String] = []
        var subheadings: [Subheading] = []
        for (index, entry) in body.enumerated() {
            let isLast = index == body.count - 1
            if !isLast && !paragraphs.isEmpty && isSubheading(entry.text) {
                subheadings.append(Subheading(text: entry.text, beforeParagraph: paragraphs.count))
            } else {
                paragraphs.append(entry.text)
            }
        }

        return ParsedArticle(
            title: title, paragraphs: paragraphs, subheadings: subheadings, removed: removed, related: related,
            published: published, outlet: outlet, encoding: encoding,
            language: Self.language(of: title + " " + paragraphs.joined(separator: " ")))
    }

    func isSubheading(_ line: String) -> Bool {
        guard line.count <= Self.subheadingMaxCharacters, let last = line.last, !Self.sentenceEnds.contains(last) else { return false }
        return line.split(separator: " ").count <= Self.subheadingMaxWords
    }

    /// «المصدر: البوابة نيوز» → «البوابة نيوز». The label must be followed by a colon or the value
    /// must be short, so a sentence that starts with the same word is not taken for a label.
    func labelledValue(_ line: String, key: String, labels: [String]) -> String? {
        guard labels.contains(where: { LineKey.hasWordPrefix(key, $0) }) else { return nil }
        guard let colon = line.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return nil }
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        guard !value.isEmpty, value.split(separator: " ").count <= 6 else { return nil }
        return value
    }

    /// «SY24 -خاص» → «SY24»: a short name, a dash, and a byline suffix.
    func bylineOutlet(_ line: String, key: String) -> String? {
        guard markers.bylineSuffixes.contains(where: { key.hasSuffix($0) }) else { return nil }
        guard let dash = line.lastIndex(where: { $0 == "-" || $0 == "–" || $0 == "—" }) else { return nil }
        let name = line[..<dash].trimmingWhitespace()
        let suffix = LineKey.make(String(line[line.index(after: dash)...]))
        guard markers.bylineSuffixes.contains(suffix), !name.isEmpty, name.split(separator: " ").count <= 4 else { return nil }
        return name
    }

    static func language(of text: String) -> String {
        var arabic = 0
        var latin = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0600...0x06FF, 0x0750...0x077F, 0xFB50...0xFDFF, 0xFE70...0xFEFF: arabic += 1
            case 0x41...0x5A, 0x61...0x7A: latin += 1
            default: break
            }
        }
        if arabic > latin { return "ar" }
        if latin > arabic { return "en" }
        return "und"
    }
}

extension StringProtocol {
    /// The text without white space (including no-break and zero-width spaces) at either end.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\u{200B}" || $0 == "\u{FEFF}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
