import ArabicText
import Foundation

/// Names the parser recognises without the linker: places (for bylines such as «بغداد - شفق
/// نيوز») and outlets (a site name above the headline, an agency in a wire dateline). Keys are
/// normalised word sequences (see `KnownNames.key`), filled from the gazetteer.
public struct KnownNames: Sendable {
    public var places: WordSet
    public var media: WordSet

    public init(places: WordSet = [], media: WordSet = []) {
        self.places = places
        self.media = media
    }

    /// The normalised words of `name`, space-separated.
    public static func key(_ name: String) -> String {
        ArabicTokenizer.tokens(of: name).map(\.text).joined(separator: " ")
    }

    func isPlace(_ text: String) -> Bool { places.contains(Self.key(text)) }
    func isMedia(_ text: String) -> Bool { media.contains(Self.key(text)) }
}

/// What a structured source (HTML metadata, a JSON article) already says, so the line parser
/// does not have to find it.
public struct ArticleHints: Sendable {
    public var title: String?
    public var published: PublishedDate?
    public var outlet: Outlet?
    public var url: String?
    /// Indices of lines that are headings (HTML h2–h6): subheadings, never paragraphs.
    public var headingLines: Set<Int> = []

    public init(title: String? = nil, published: PublishedDate? = nil, outlet: Outlet? = nil, url: String? = nil, headingLines: Set<Int> = []) {
        self.title = title
        self.published = published
        self.outlet = outlet
        self.url = url
        self.headingLines = headingLines
    }
}

/// Parses an article given as lines: the headline on its own line near the top, one paragraph
/// per line, site furniture around them. Plain-text files come here directly; HTML and JSON
/// articles come here as the lines of their main content, with hints.
public struct TextArticleParser: Sendable {
    public let markers: BoilerplateMarkers
    public let names: KnownNames

    /// Lines this short, without sentence punctuation, between paragraphs are subheadings.
    static let subheadingMaxWords = 8
    static let subheadingMaxCharacters = 80
    static let sentenceEnds: Set<Character> = [".", "!", "?", "؟", "…", ":", "،", "\"", "”", "»", ")"]
    static let dashes: Set<Character> = ["-", "–", "—"]

    public init(markers: BoilerplateMarkers, names: KnownNames = KnownNames()) {
        self.markers = markers
        self.names = names
    }

    /// Decodes and parses one file's bytes. `reference` (a Unix time, normally when the file was
    /// received) resolves dates written without a year and relative dates.
    public func parse(bytes: [UInt8], reference: Int? = nil) throws(ParseFailure) -> ParsedArticle {
        let (text, encoding) = try TextDecoding.decode(bytes)
        return try parse(text: text, encoding: encoding, reference: reference)
    }

    private enum Mode {
        case body
        case cut(kind: String)
        case related
    }

    /// Parses decoded text.
    public func parse(text: String, encoding: String = "utf-8", reference: Int? = nil) throws(ParseFailure) -> ParsedArticle {
        // Split on the bytes of every line break, CRLF and CR included ("\r\n" is one Character
        // in Swift, and walking Characters costs grapheme breaking on every scalar).
        var lines: [String] = []
        var utf8 = text
        utf8.withUTF8 { bytes in
            var start = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0A || byte == 0x0D {
                    lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self).trimmingWhitespace())
                    if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    start = index + 1
                }
                index += 1
            }
            lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]), as: UTF8.self).trimmingWhitespace())
        }
        return try parse(lines: lines, encoding: encoding, reference: reference, hints: ArticleHints())
    }

    /// Parses an article given as trimmed lines (line numbers count from 1).
    public func parse(lines: [String], encoding: String, reference: Int?, hints: ArticleHints) throws(ParseFailure) -> ParsedArticle {
        var title = hints.title
        var body: [(text: String, line: Int, heading: Bool)] = []
        var removed: [RemovedText] = []
        var related: [RelatedStory] = []
        var published = hints.published
        var outlet = hints.outlet
        var mode = Mode.body
        var sawContent = title != nil
        var shortTitle: (text: String, line: Int)?

        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.isEmpty { continue }
            sawContent = true
            let key = LineKey.make(line)
            func cut(_ kind: String) { removed.append(RemovedText(kind: kind, text: line, line: number)) }

            if case .cut(let kind) = mode {
                cut(kind)
                continue
            }
            if key.isEmpty || markers.navigation.matches(key) || isBreadcrumb(line) || isSpacedMenu(line) {
                cut("navigation")
                continue
            }
            if markers.share.matches(key) {
                cut("share")
                continue
            }
            if markers.commentForm.matches(key) {
                cut("comment_form")
                mode = .cut(kind: "comment_form")
                continue
            }
            if markers.relatedList.matches(key) {
                cut("related_list")
                mode = .cut(kind: "related_list")
                continue
            }
            if markers.seeAlso.matches(key) {
                cut("see_also")
                related.append(RelatedStory(marker: line, title: nil, paragraphs: []))
                mode = .related
                continue
            }
            if markers.keywords.matches(key) {
                cut("keywords")
                continue
            }
            if isEmbed(line) {
                cut("embed")
                continue
            }
            if isMojibake(line) {
                cut("mojibake")
                continue
            }
            if markers.authorLabels.contains(where: { LineKey.hasWordPrefix(key, $0) }),
                line.split(separator: " ").count <= (line.contains(":") ? 8 : 4)
            {
                cut("author")
                continue
            }
            if let date = dateLine(line, key: key, reference: reference) {
                if published == nil { published = PublishedDate(date: date.date, basis: date.basis, text: line) }
                cut("date_line")
                continue
            }
            if let name = labelledValue(line, key: key, labels: markers.outletLabels) {
                if outlet == nil { outlet = Outlet(name: name, basis: .sourceLine, text: line) }
                cut("source_line")
                continue
            }
            if let name = bylineOutlet(line, key: key) {
                if outlet == nil { outlet = Outlet(name: name, basis: .byline, text: line) }
                cut("byline")
                continue
            }
            if body.count < 2, let fields = headerFields(line, reference: reference, afterTitle: title != nil) {
                if outlet == nil, let name = fields.outlet { outlet = Outlet(name: name, basis: fields.basis, text: line) }
                if published == nil, let date = fields.date { published = PublishedDate(date: date.date, basis: date.basis, text: line) }
                cut(fields.outlet != nil && fields.basis == .header ? "site_name" : "byline")
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
                // A headline has at least two words; a lone word above it is site chrome. A
                // short line («عرب وعالم») is a section name when a headline-like line follows.
                let words = key.split(separator: " ").count
                let isShort = words >= 2 && words <= 3 && !Self.endsSentence(line)
                if words < 2 {
                    cut("untitled_line")
                    continue
                }
                if let short = shortTitle {
                    if isShort {
                        // Another short line: the one before was a menu entry.
                        removed.append(RemovedText(kind: "section", text: short.text, line: short.line))
                        shortTitle = (line, number)
                        continue
                    }
                    if words <= 40 && !Self.endsSentence(line) {
                        removed.append(RemovedText(kind: "section", text: short.text, line: short.line))
                        title = line
                        shortTitle = nil
                        continue
                    }
                    title = short.text
                    shortTitle = nil
                } else if isShort {
                    shortTitle = (line, number)
                    continue
                } else {
                    title = line
                    continue
                }
            }
            body.append((line, number, hints.headingLines.contains(offset)))
        }

        if title == nil, let short = shortTitle { title = short.text }
        guard sawContent else { throw .empty }
        guard let title else { throw .noTitle }

        var paragraphs: [String] = []
        var subheadings: [Subheading] = []
        for (index, entry) in body.enumerated() {
            let isLast = index == body.count - 1
            if entry.heading {
                subheadings.append(Subheading(text: entry.text, beforeParagraph: paragraphs.count))
            } else if !isLast && !paragraphs.isEmpty && isSubheading(entry.text) {
                subheadings.append(Subheading(text: entry.text, beforeParagraph: paragraphs.count))
            } else if !isLast, let (paragraph, heading) = gluedSubheading(entry.text) {
                paragraphs.append(paragraph)
                subheadings.append(Subheading(text: heading, beforeParagraph: paragraphs.count))
            } else {
                paragraphs.append(entry.text)
            }
        }

        if published == nil, let first = paragraphs.first, let date = DateReader.dateline(in: first, reference: reference) {
            published = PublishedDate(date: date.date, basis: date.basis, text: String(first.prefix(60)))
        }
        if published == nil {
            for paragraph in paragraphs.prefix(3) {
                guard let found = DateReader.leadDate(in: paragraph, reference: reference) else { continue }
                published = PublishedDate(date: found.date.date, basis: found.date.basis, text: found.text)
                break
            }
        }
        if outlet == nil, let first = paragraphs.first, let agency = datelineAgency(first) {
            outlet = Outlet(name: agency, basis: .dateline, text: String(first.prefix(80)))
        }

        var article = ParsedArticle(
            title: title, paragraphs: paragraphs, subheadings: subheadings, removed: removed, related: related,
            published: published, outlet: outlet, encoding: encoding,
            language: Self.language(of: title + " " + paragraphs.joined(separator: " ")))
        article.url = hints.url
        return article
    }

    /// A publication-date line: a labelled one («تاريخ النشر: …») or one that is only a date.
    func dateLine(_ line: String, key: String, reference: Int?) -> ReadDate? {
        if markers.dateLabels.contains(where: { LineKey.hasWordPrefix(key, $0) }) {
            if let date = ExplicitDateParser.parse(line) { return ReadDate(date: date, basis: .explicitLine) }
            if let date = DateReader.dateLine(line, reference: reference) { return date }
        }
        guard line.hasAtMost(characters: 80) else { return nil }
        return DateReader.dateLine(line, reference: reference)
    }

    /// A short header line made of fields: «بغداد - شفق نيوز», «الشرق الأوسط» alone,
    /// «عنب بلدي | 12 آذار 2024», «دمشق – سانا – 3 أيار 2024».
    /// Before the headline only known outlet names count; after it, a short name after a place.
    func headerFields(_ line: String, reference: Int?, afterTitle: Bool) -> (outlet: String?, basis: Outlet.Basis, date: ReadDate?)? {
        guard line.hasAtMost(characters: 90), let last = line.last, last != "." && last != "،" else { return nil }
        if names.isMedia(line) { return (line, .header, nil) }
        let separators: Set<Character> = Self.dashes.union(["|", "•", "/", "،", "+", ":"])
        let quotes: Set<Character> = ["«", "»", "\"", "“", "”"]
        let segments = line.split(whereSeparator: { separators.contains($0) })
            .map { String($0.filter { !quotes.contains($0) }).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard segments.count >= 2 else { return nil }
        var outlet: String?
        var date: ReadDate?
        var place = false
        for segment in segments {
            let key = LineKey.make(segment)
            if names.isPlace(segment) {
                place = true
            } else if key == "وكالات" || key == "وكالات الانباء" {
                continue  // «الجزيرة + وكالات»
            } else if names.isMedia(segment) || markers.bylineSuffixes.contains(key) {
                if names.isMedia(segment), outlet == nil { outlet = segment }
            } else if let found = DateReader.dateLine(segment, reference: reference) {
                date = date ?? found
            } else if outlet == nil, place, afterTitle, segment.split(separator: " ").count <= 3,
                !segment.contains(where: { Self.sentenceEnds.contains($0) })
            {
                // «بغداد - شفق نيوز»: after a place, a short name is the outlet.
                outlet = segment
            } else {
                return nil
            }
        }
        guard outlet != nil || date != nil else { return nil }
        return (outlet, .byline, date)
    }

    /// «بيروت (رويترز) -», «(أ ف ب) –», «دمشق، 12 آذار (سانا) -»: the agency of a wire dateline.
    func datelineAgency(_ paragraph: String) -> String? {
        var head = paragraph.prefix(100)
        // The agency is in the last parentheses before the dash: «جنديرس (سوريا) (أ ف ب) -».
        if let dash = head.firstIndex(where: { Self.dashes.contains($0) }) { head = head[..<head.index(after: dash)] }
        guard let close = head.lastIndex(of: ")"), let open = head[..<close].lastIndex(of: "(") else { return nil }
        let name = head[head.index(after: open)..<close].trimmingWhitespace()
        let after = head[head.index(after: close)...].trimmingWhitespace()
        guard let next = after.first, Self.dashes.contains(next) || next == ":" else { return nil }
        guard !name.isEmpty, name.split(separator: " ").count <= 4 else { return nil }
        let before = head[..<open]
        guard before.split(separator: " ").count <= 6 else { return nil }
        return name
    }

    /// «الرئيسية > أخبار > سوريا», «Home / World / Middle East»: short segments between
    /// separators.
    /// «الرئيسية | عربي وعالمي», «سياسة | اقتصاد | رياضة»: section links with a bar.
    func isBreadcrumb(_ line: String) -> Bool {
        guard line.utf8.count <= 480, line.unicodeScalars.contains(where: Self.isBreadcrumbSeparator),
            line.hasAtMost(characters: 120), !Self.endsSentence(line)
        else { return false }
        let segments = line.split(whereSeparator: { $0.unicodeScalars.count == 1 && Self.isBreadcrumbSeparator($0.unicodeScalars.first!) }).map {
            $0.trimmingWhitespace()
        }.filter { !$0.isEmpty }
        let minimum = line.contains("|") ? 2 : 3
        guard segments.count >= minimum else { return false }
        for segment in segments {
            guard segment.split(separator: " ").count <= 3, segment.contains(where: \.isLetter) else { return false }
            // A byline («بغداد | شفق نيوز | 12 آذار 2024») has a date or an outlet; two
            // segments with a place are one too.
            if names.isMedia(segment) || DateReader.dateLine(segment, reference: nil) != nil { return false }
            if segments.count == 2 && names.isPlace(segment) { return false }
        }
        return true
    }

    /// > » › / \\ < « ‹ |
    static func isBreadcrumbSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3E, 0x2F, 0x5C, 0x3C, 0x7C, 0xBB, 0xAB, 0x203A, 0x2039: true
        default: false
        }
    }

    /// «الرئيسية  أمنية  سياسية  اقتصادية»: menu entries separated by runs of spaces or tabs.
    func isSpacedMenu(_ line: String) -> Bool {
        guard line.utf8.count <= 600, line.scalarCount <= 150, Self.containsASCII(line, "  ") || Self.containsASCII(line, "\t") else {
            return false
        }
        let runs = line.components(separatedBy: "  ").flatMap { $0.components(separatedBy: "\t") }.map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty }
        return runs.count >= 3 && runs.allSatisfy { $0.split(separator: " ").count <= 2 } && !Self.endsSentence(line)
    }

    /// Whether `text` holds the ASCII `needle`, compared byte by byte (case-insensitively).
    static func containsASCII(_ text: String, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let bytes = Array(text.utf8)
        guard bytes.count >= pattern.count else { return false }
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
        var index = 0
        while index + pattern.count <= bytes.count {
            if lower(bytes[index]) == first {
                var offset = 1
                while offset < pattern.count, lower(bytes[index + offset]) == pattern[offset] { offset += 1 }
                if offset == pattern.count { return true }
            }
            index += 1
        }
        return false
    }

    static func endsSentence(_ line: String) -> Bool {
        guard let last = line.last else { return false }
        return last == "." || last == "؟" || last == "?" || last == "!" || last == "،" || last == ":"
    }

    /// An embedded post: a tweet's link or its «— Name (@handle) date» line.
    func isEmbed(_ line: String) -> Bool {
        // Every form needs ASCII «twitter», «x.com» or «(@»: most lines are rejected on bytes.
        guard Self.containsASCII(line, "twitter") || Self.containsASCII(line, "x.com") || Self.containsASCII(line, "(@") else { return false }
        let lowered = line.lowercased()
        if lowered.contains("pic.twitter.com/") || lowered.contains("twitter.com/") && lowered.contains("/status/") { return true }
        if lowered.contains("x.com/") && lowered.contains("/status/") { return true }
        if let dash = line.firstIndex(where: { $0 == "—" || $0 == "-" }), line[dash...].contains("(@"), line.hasAtMost(characters: 160) {
            return line.distance(from: line.startIndex, to: dash) <= 2
        }
        return false
    }

    /// A run of mojibake: UTF-8 Arabic read as Latin-1 or Windows-1252 («Ø§Ù„Ø¹Ø±Ø§Ù‚») or a
    /// line full of replacement characters.
    func isMojibake(_ line: String) -> Bool {
        // Ø Ù Ú Û are C3 98–9B in UTF-8, U+FFFD is EF BF BD: without those bytes, no mojibake.
        var candidate = false
        var previous: UInt8 = 0
        for byte in line.utf8 {
            if (previous == 0xC3 && (0x98...0x9B).contains(byte)) || (previous == 0xEF && byte == 0xBF) {
                candidate = true
                break
            }
            previous = byte
        }
        guard candidate else { return false }
        var suspicious = 0
        var letters = 0
        for scalar in line.unicodeScalars {
            let value = scalar.value
            if value == 0xFFFD || value == 0xD8 || value == 0xD9 || value == 0xDA || value == 0xDB { suspicious += 1 }
            if scalar.properties.isAlphabetic || value == 0xFFFD { letters += 1 }
        }
        return suspicious >= 4 && suspicious * 4 >= letters
    }

    /// A subheading glued to the end of a paragraph: «…الإقليمي.شراكات أمنية ثنائية».
    func gluedSubheading(_ text: String) -> (paragraph: String, heading: String)? {
        guard let last = text.last, !Self.sentenceEnds.contains(last) else { return nil }
        guard let stop = text.lastIndex(where: { $0 == "." || $0 == "؟" || $0 == "!" }) else { return nil }
        let rest = text[text.index(after: stop)...]
        guard let first = rest.unicodeScalars.first, (0x0621...0x064A).contains(first.value) else { return nil }
        guard stop > text.startIndex else { return nil }
        let before = text[text.index(before: stop)]
        guard !before.isNumber, !before.isWhitespace else { return nil }
        let heading = String(rest).trimmingWhitespace()
        guard isSubheading(heading) else { return nil }
        return (String(text[...stop]), heading)
    }

    func isSubheading(_ line: String) -> Bool {
        guard line.hasAtMost(characters: Self.subheadingMaxCharacters), let last = line.last, !Self.sentenceEnds.contains(last) else { return false }
        return line.split(separator: " ").count <= Self.subheadingMaxWords
    }

    /// «المصدر: البوابة نيوز» → «البوابة نيوز». The label must be followed by a colon or the value
    /// must be short, so a sentence that starts with the same word is not taken for a label.
    func labelledValue(_ line: String, key: String, labels: [String]) -> String? {
        guard labels.contains(where: { LineKey.hasWordPrefix(key, $0) }) else { return nil }
        guard let colon = line.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return nil }
        var value = line[line.index(after: colon)...].trimmingWhitespace()
        // «الجزيرة + وكالات», «بغداد اليوم - وكالات»: the outlet without the agencies.
        for suffix in ["+ وكالات", "+وكالات", "- وكالات", "و وكالات", "ووكالات", "– وكالات"] where value.hasSuffix(suffix) {
            value = String(value.dropLast(suffix.count)).trimmingWhitespace()
        }
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
