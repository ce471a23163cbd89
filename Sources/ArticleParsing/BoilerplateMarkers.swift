import ArabicText
import MarsadConfig

/// The site-furniture markers from `config/boilerplate.toml`, compared on line keys
/// (see `LineKey`), so each marker is listed once in its plain spelling.
public struct BoilerplateMarkers: Sendable {
    /// A group of markers that removes what it matches as one kind.
    public struct Group: Sendable {
        public var lines: WordSet = []
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
                lines: WordSet(table.strings("lines").map(LineKey.make)),
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

    static let edgeScalars: Set<Unicode.Scalar> = Set(edgeCharacters.compactMap { $0.unicodeScalars.count == 1 ? $0.unicodeScalars.first : nil })

    public static func make(_ line: String) -> String {
        // The first `keyedLength` scalars (not Characters: counting graphemes costs more than the key).
        var head = line
        if line.utf8.count > keyedLength {
            head = String(line.unicodeScalars.prefix(keyedLength))
        }
        let normalized = ArabicNormalizer.normalize(head).scalars
        // Collapse runs of spaces and tabs, and trim edge punctuation, scalar by scalar.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(normalized.count)
        var pendingSpace = false
        for scalar in normalized {
            if scalar == " " || scalar == "\t" {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(scalar)
        }
        var start = 0
        var end = scalars.count
        while start < end, edgeScalars.contains(scalars[start]) { start += 1 }
        while end > start, edgeScalars.contains(scalars[end - 1]) { end -= 1 }
        return String(scalars: scalars[start..<end])
    }

    /// Whether `key` starts with the word(s) `prefix`, ending at a word boundary.
    /// Both are keys (`make`), so their bytes are compared: `String.hasPrefix` would compare
    /// them by canonical equivalence, normalising both on every line.
    static func hasWordPrefix(_ key: String, _ prefix: String) -> Bool {
        guard !prefix.isEmpty, key.utf8.starts(with: prefix.utf8) else { return false }
        let rest = key.utf8.dropFirst(prefix.utf8.count)
        // What follows the prefix must not go on with its word: a letter or a digit (as
        // `Character.isLetter` and `isNumber` judge a character, by its first scalar).
        guard let next = Substring(rest).unicodeScalars.first else { return true }
        return !(next.properties.isAlphabetic || next.properties.numericType != nil)
    }
}
