import ArabicText
import MarsadConfig

/// The labels the classifier assigns, with their lexicon, from `config/classify.toml`.
public struct LabelCatalog: Sendable {
    public struct Label: Sendable, Equatable {
        /// `ASSAULT`, `force_withdrawal` …: the name in records and in `label.<name>.` topics.
        public let name: String
        /// `plover` (event categories) or `topic` (domain topics).
        public let family: String
        public let description: String
        public let descriptionArabic: String
        /// Lexicon phrases as feature sequences (see `FeatureExtractor.phraseKey`).
        public let phrases: [[String]]
    }

    public let labels: [Label]
    /// Normalised words never shown as evidence (compared by their bytes: see `WordSet`).
    public let evidenceStopWords: WordSet

    public init(labels: [Label], evidenceStopWords: Set<String> = []) {
        self.labels = labels
        self.evidenceStopWords = WordSet(evidenceStopWords)
    }

    public func label(named name: String) -> Label? { labels.first { $0.name == name } }

    /// Loads and validates the catalog: names are unique and made of letters, digits and `_`,
    /// every label has a family and at least one phrase.
    public static func load(file: String) throws -> LabelCatalog {
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        var labels: [Label] = []
        var seen: Set<String> = []
        for table in root.tables("label") {
            let name = table.string("name", default: "")
            let family = table.string("family", default: "")
            let description = table.string("description", default: "")
            let descriptionArabic = table.string("description_ar", default: "")
            let phrases = table.strings("phrases")
            table.rejectUnknownKeys()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                table.report("name", "\"\(name)\" is not a label name", hint: "use ASCII letters, digits and _")
                continue
            }
            guard seen.insert(name).inserted else {
                table.report("name", "\"\(name)\" is used twice")
                continue
            }
            if family != "plover" && family != "topic" { table.report("family", "\"\(family)\" is not plover or topic") }
            if phrases.isEmpty { table.report("phrases", "is empty", hint: "list the words that carry this label") }
            let keys = phrases.map(FeatureExtractor.phraseKey).filter { !$0.isEmpty }
            labels.append(
                Label(name: name, family: family, description: description, descriptionArabic: descriptionArabic, phrases: keys))
        }
        let stopWords = Set(root.strings("evidence_stop_words").flatMap { ArabicTokenizer.tokens(of: $0).map(\.text) })
        root.rejectUnknownKeys()
        try document.finish()
        return LabelCatalog(labels: labels, evidenceStopWords: stopWords)
    }
}
