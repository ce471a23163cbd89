/// The forms under which a word is indexed and searched, so that a search finds an article
/// however either spells the word:
///
/// - `stem`: the normalised word without a conjunction (و ف) and without the article and the
///   prepositions fused with it (ال، بال، كال، فال، وال، لل) — a light stemmer in the manner of
///   Larkey's light10: «وبالانسحاب», «للانسحاب» and «الانسحاب» all index as «انسحاب».
/// - `variants`: the stem without a single fused preposition (ب ل ك) as well: «لداعش» also
///   indexes «داعش». Kept apart because «بغداد» must not only be «غداد».
/// - `skeleton`: the stem without its inner long vowels (ا و ي) and with foreign g, v, p, ch
///   letters folded (غ گ چ → ج, ڤ → ف, پ → ب), for the vowel-letter and transliteration variants of
///   names: «الأمريكية» and «الأميركية» share «امركه»; «البنتاغون» and «البنتاجون» share «بنتجن».
///   Only words of five letters or more get one.
public struct SearchForms: Sendable, Equatable {
    public let stem: String
    public let variants: [String]
    public let skeleton: String?

    /// The forms of one already-normalised word (see `ArabicNormalizer`).
    public init(normalizedWord word: String) {
        let stem = Self.lightStem(word)
        self.stem = stem
        var variants: [String] = []
        for (stripped, prefix) in Proclitics.strippings(of: word, minimumStem: 3) where prefix > 0 {
            let form = Self.lightStem(stripped)
            if form != stem && !variants.contains(form) { variants.append(form) }
        }
        self.variants = variants
        self.skeleton = Self.skeleton(of: stem)
    }

    static let alef: Unicode.Scalar = "\u{0627}"
    static let lam: Unicode.Scalar = "\u{0644}"

    /// Light10-style prefix removal on a normalised word.
    public static func lightStem(_ word: String) -> String {
        // Only words starting with و ف ب ك ا ل can lose a prefix.
        guard let head = word.unicodeScalars.first, isStemPrefixLetter(head.value) else { return word }
        var scalars = word.scalarArray
        var start = 0
        if scalars.count >= 4, scalars[0] == "\u{0648}" || scalars[0] == "\u{0641}" {
            start = 1  // و / ف
        }
        for prefix in stemPrefixes where scalars.count - start - prefix.count >= 2 {
            if scalars[start..<(start + prefix.count)].elementsEqual(prefix) {
                start += prefix.count
                break
            }
        }
        guard start > 0 else { return word }
        scalars.removeFirst(start)
        return String(scalars: scalars)
    }

    /// و ف ب ك ا ل
    static func isStemPrefixLetter(_ value: UInt32) -> Bool {
        switch value {
        case 0x0648, 0x0641, 0x0628, 0x0643, 0x0627, 0x0644: true
        default: false
        }
    }
    static let stemPrefixes: [[Unicode.Scalar]] = ["\u{0628}\u{0627}\u{0644}", "\u{0643}\u{0627}\u{0644}", "\u{0627}\u{0644}", "\u{0644}\u{0644}"].map
    {
        $0.scalarArray
    }

    static func skeleton(of stem: String) -> String? {
        let scalars = stem.scalarArray
        guard scalars.count >= 5 else { return nil }
        var result: [Unicode.Scalar] = []
        for (index, scalar) in scalars.enumerated() {
            let inner = index > 0 && index < scalars.count - 1
            if inner && (scalar.value == 0x0627 || scalar.value == 0x0648 || scalar.value == 0x064A) { continue }  // inner ا و ي
            switch scalar.value {
            case 0x063A, 0x06AF, 0x0686: result.append("\u{062C}")  // غ گ چ → ج
            case 0x06A4: result.append("\u{0641}")  // ڤ → ف
            case 0x067E: result.append("\u{0628}")  // پ → ب
            default: result.append(scalar)
            }
        }
        return String(scalars: result)
    }
}

/// Index text for a search engine: the three form columns of `SearchForms` for a whole text,
/// words separated by spaces, in order.
public struct SearchDocument: Sendable, Equatable {
    public let stems: String
    public let variants: String
    public let skeletons: String

    public init(_ texts: [String], cache: SearchFormsCache = SearchFormsCache()) {
        var words = SearchFormsCache.Words()
        for text in texts { words.add(ArabicNormalizer.normalizedScalars(text)) }
        var columns = SearchFormsCache.Columns(capacity: words.bytes.count)
        cache.append(words, to: &columns)
        stems = String(decoding: columns.stems, as: UTF8.self)
        variants = String(decoding: columns.variants, as: UTF8.self)
        skeletons = String(decoding: columns.skeletons, as: UTF8.self)
    }
}
