import ArabicText
import MarsadConfig

/// The site-furniture markers from `config/boilerplate.toml`, compared on line keys
/// (see `LineKey`), so each marker is listed once in its plain spelling.
public struct BoilerplateMarkers: Sendable {
    /// A group of markers that removes what it matches as one kind.
    public struct Group: Sendable {
        public var lines: Set<String> = []
        public var prefixes: [String] = []

        func matches(_ key: String) -> Bool {
            if lines.contains(key) { return true }
            return prefixes.contains { LineKey.hasWordPrefix(key, $0) }
        }
    }

    /// Whole lines that are menus or navigation; dropped wherever they are.
    public var navigation = Group()
    /// Share buttons.
    public var share = Group()
    /// Keyword and tag lists.
    public var keywords = Group()
    /// A heading after which the page lists teasers: it and all that follows are dropped.
    public var relatedList = Group()
    /// A heading that introduces another story glued to the page: that story goes to `related`.
    public var seeAlso = Group()
    /// The start of a comment form: it and all that follows are dropped.
    public var commentForm = Group()
    /// Labels of an explicit publication-date line («تاريخ النشر:»).
    public var dateLabels: [String] = []
    /// Labels of an outlet line («المصدر:»).
    public var outletLabels: [String] = []
    /// Words that end a byline naming the outlet («SY24 -خاص»).
    public var bylineSuffixes: [String] = []
    /// Labels of an author line («كتب:», «بقلم»), cut as `author`.
    public var authorLabels: [String] = []

    public init() {}

    /// Loads and validates a boilerplate file; unknown sections and keys are errors.
    public static func load(file: String) throws -> BoilerplateMarkers {
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        var markers = BoilerplateMarkers()
        func group(_ name: String) -> Group {
            let table = root.table(name)
            let result = Group(
                lines: Set(table.strings("lines").map(LineKey.make)),
                prefixes: table.strings("prefixes").map(LineKey.make))
            table.rejectUnknownKeys()
            return result
        }
        markers.navigation = group("navigation")
        markers.share = group("share")
        markers.keywords = group("keywords")
        markers.relatedList = group("related_list")
        markers.seeAlso = group("see_also")
        markers.commentForm = group("comment_form")
        let fields = root.table("fields")
        markers.dateLabels = fields.strings("date_labels").map(LineKey.make)
        markers.outletLabels = fields.strings("outlet_labels").map(LineKey.make)
        markers.bylineSuffixes = fields.strings("byline_suffixes").map(LineKey.make)
        markers.authorLabels = fields.strings("author_labels").map(LineKey.make)
        fields.rejectUnknownKeys()
        root.rejectUnknownKeys()
        try document.finish()
        return markers
    }
}

/// The form in which lines are compared with markers: normalised, punctuation and spaces
/// trimmed from both ends, inner white space collapsed. «إقرأ أيضاً:» and «اقرأ ايضا» share a key.
public enum LineKey {
    static let edgeCharacters: Set<Character> = [
        " ", "\t", ":", ".", "…", "-", "–", "—", "|", "*", "!", "?", "؟", "،", "؛", ",", ";", "\"", "'", "(", ")", "[", "]",
        "»", "«", "•", "·", ">", "<", "/", "\\",
    ]

    /// Lines longer than this are keyed by their beginning only: no marker is that long, and
    /// prefix markers sit at the start. Keying a whole paragraph would cost the most for nothing.
    static let keyedLength = 120

    public static func make(_ line: String) -> String {
        let normalized = ArabicNormalizer.normalizedString(line.count > keyedLength ? String(line.prefix(keyedLength)) : line)
        let words = normalized.split(whereSeparator: { $0 == " " || $0 == "\t" })
        var collapsed = words.joined(separator: " ")
        while let first = collapsed.first, edgeCharacters.contains(first) { collapsed.removeFirst() }
        while let last = collapsed.last, edgeCharacters.contains(last) { collapsed.removeLast() }
        return collapsed
    }

    /// Whether `key` starts with the word(s) `prefix`, ending at a word boundary.
    static func hasWordPrefix(_ key: String, _ prefix: String) -> Bool {
        guard !prefix.isEmpty, key.hasPrefix(prefix) else { return false }
        let rest = key.dropFirst(prefix.count)
        guard let next = rest.first else { return true }
        return !(next.isLetter || next.isNumber)
    }
}
