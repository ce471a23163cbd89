/// A word of normalised text with where it sits in the normalised and the original text.
public struct Token: Sendable, Equatable {
    /// The normalised word.
    public let text: String
    /// Scalar range in the normalised text.
    public let normalizedRange: Range<Int>
    /// Scalar range in the original text.
    public let originalRange: Range<Int>
}

/// Splits normalised text into words: runs of letters and digits.
public enum ArabicTokenizer {
    /// The words of `normalized`, in order.
    public static func tokens(of normalized: NormalizedText) -> [Token] {
        var tokens: [Token] = []
        // Building each word from UTF-8 bytes is several times cheaper than appending scalars.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        let scalars = normalized.scalars
        var index = 0
        while index < scalars.count {
            guard isWordScalar(scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            buffer.removeAll(keepingCapacity: true)
            while index < scalars.count, isWordScalar(scalars[index]) {
                UTF8.encode(scalars[index]) { buffer.append($0) }
                index += 1
            }
            tokens.append(
                Token(
                    text: String(decoding: buffer, as: UTF8.self),
                    normalizedRange: start..<index,
                    originalRange: normalized.originalRange(of: start..<index)
                ))
        }
        return tokens
    }

    /// Just the words of normalised scalars (`ArabicNormalizer.normalizedScalars`), without their
    /// ranges: for readers that need the words and not where they are.
    public static func words(ofNormalized scalars: [Unicode.Scalar]) -> [String] {
        var words: [String] = []
        var bytes: [UInt8] = []
        appendWords(ofNormalized: scalars, to: &bytes) { word, _ in words.append(String(decoding: word, as: UTF8.self)) }
        return words
    }

    /// Appends the UTF-8 bytes of the words of normalised scalars to `bytes`, one after another
    /// with nothing between them, and calls `wordEnded` with each word's bytes and where it ends
    /// in `bytes`, once the word is complete.
    static func appendWords(
        ofNormalized scalars: [Unicode.Scalar], to bytes: inout [UInt8], wordEnded: (_ word: UnsafeBufferPointer<UInt8>, _ end: Int) -> Void
    ) {
        var start = bytes.count
        func close() {
            guard bytes.count > start else { return }
            bytes.withUnsafeBufferPointer { wordEnded(UnsafeBufferPointer(rebasing: $0[start...]), $0.count) }
            start = bytes.count
        }
        for scalar in scalars {
            guard isWordScalar(scalar) else {
                close()
                continue
            }
            let value = scalar.value
            if value < 0x80 {
                bytes.append(UInt8(value))
            } else if value < 0x800 {
                bytes.append(UInt8(0xC0 | value >> 6))
                bytes.append(UInt8(0x80 | value & 0x3F))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
        close()
    }

    /// Normalises and tokenises `text` in one step.
    public static func tokens(of text: String) -> [Token] {
        tokens(of: ArabicNormalizer.normalize(text))
    }

    /// Below U+0700 (ASCII, Latin-1, Arabic: nearly every scalar of an Arabic article) the
    /// answer is one load from `lowTable`, worked out from `isWordScalarSlowly` once.
    @inline(__always)
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < lowTableEnd ? lowTable[Int(value)] : isWordScalarSlowly(scalar)
    }

    private static let lowTableEnd: UInt32 = 0x0700
    private static let lowTable: [Bool] = (0..<lowTableEnd).map { Unicode.Scalar($0).map(isWordScalarSlowly) ?? false }

    static func isWordScalarSlowly(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
        }
        if value >= 0x0621 && value <= 0x064A { return true }
        if value >= 0x0600 && value <= 0x06FF {
            return value >= 0x0671 && value <= 0x06D3 || value == 0x06D5 || (value >= 0x06FA && value <= 0x06FC)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType == .decimal
    }
}

/// Arabic proclitics: the conjunctions و ف, the prepositions ب ل ك and the future particle س,
/// which attach to the front of a word. After ل the article ال is written لل: «للتحالف» is
/// ل + التحالف.
public enum Proclitics {
    /// و ف ب ل ك س: the letters a proclitic starts with.
    static func isProcliticLetter(_ value: UInt32) -> Bool {
        switch value {
        case 0x0648, 0x0641, 0x0628, 0x0644, 0x0643, 0x0633: true
        default: false
        }
    }

    /// Every form `word` may have without its proclitics, the word itself first. The article is
    /// kept (or restored, for لل), so «بالعراق» and «للعراق» both offer «العراق» but «عراق» is
    /// never offered for them. A stem shorter than `minimumStem` letters is not offered, so short
    /// words are not taken apart («بل» stays «بل»).
    public static func stems(of word: String, minimumStem: Int = 2) -> [String] {
        strippings(of: word, minimumStem: minimumStem).map(\.stem)
    }

    /// Like `stems(of:)`, with the number of leading scalars of `word` that are not part of the
    /// name as written. For لل nothing of it is: «للتحالف» shows the name as «للتحالف», since
    /// «التحالف» is not in the text as such.
    public static func strippings(of word: String, minimumStem: Int = 2) -> [(stem: String, prefix: Int)] {
        // Most words start with no proclitic letter: nothing to take apart.
        guard let head = word.unicodeScalars.first, isProcliticLetter(head.value) else { return [(word, 0)] }
        let scalars = word.scalarArray
        var results: [(stem: String, prefix: Int)] = [(word, 0)]
        func add(_ offset: Int, restoringArticle: Bool = false) {
            guard offset > 0, scalars.count - offset >= minimumStem else { return }
            let stem = restoringArticle ? "\u{0627}\u{0644}" + String(scalars: scalars[offset...]) : String(scalars: scalars[offset...])
            if !results.contains(where: { $0.stem == stem }) { results.append((stem, restoringArticle ? offset - 2 : offset)) }
        }
        let lam: Unicode.Scalar = "\u{0644}"
        func at(_ index: Int) -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        var afterConjunction = [0]
        if let first = at(0), first == "\u{0648}" || first == "\u{0641}" {
            afterConjunction.append(1)
            add(1)
        }
        for start in afterConjunction {
            guard let letter = at(start), "\u{0628}\u{0644}\u{0643}\u{0633}".unicodeScalars.contains(letter) else { continue }
            add(start + 1)
            if letter == lam, at(start + 1) == lam {
                add(start + 2, restoringArticle: true)
            }
        }
        return results
    }
}
