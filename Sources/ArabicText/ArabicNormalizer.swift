import Foundation

/// Text prepared for matching: the normalised scalars plus, for each of them, the range of
/// original scalars it came from, so every match maps back to the text as written.
///
/// Offsets count Unicode scalars (code points), which is what Python's `str` indexes.
public struct NormalizedText: Sendable {
    /// The normalised scalars.
    public let scalars: [Unicode.Scalar]
    /// For each normalised scalar, the first original scalar it came from.
    public let originalStarts: [Int]
    /// For each normalised scalar, one past the last original scalar it came from (including
    /// diacritics and tatweel that were dropped right after it).
    public let originalEnds: [Int]

    /// The normalised text as a string.
    public var text: String {
        String(scalars: scalars)
    }

    /// The original scalar range that the normalised range `range` came from.
    public func originalRange(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let at = range.lowerBound < originalStarts.count ? originalStarts[range.lowerBound] : (originalEnds.last ?? 0)
            return at..<at
        }
        return originalStarts[range.lowerBound]..<originalEnds[range.upperBound - 1]
    }
}

/// The one Arabic normaliser, used for matching, linking and search — never for display.
///
/// It applies NFKC, drops tatweel, harakat and Quranic marks, unifies alef forms (أ إ آ ٱ → ا),
/// ى → ي, ة → ه, Persian ی ک → ي ك, maps Arabic-Indic and Persian digits to ASCII, drops bidi and
/// zero-width marks, unifies quotation marks and lowercases Latin letters.
public enum ArabicNormalizer {
    /// Normalises `text`, keeping the map back to its original scalars.
    public static func normalize(_ text: String) -> NormalizedText {
        normalize(scalars: text.scalarArray)
    }

    /// The same, for text already decoded into its scalars (`String.scalarArray`).
    public static func normalize(scalars input: [Unicode.Scalar]) -> NormalizedText {
        normalize(scalars: input, offsets: true)
    }

    /// The normalised scalars of `text` alone, without the map back (for indexing, which does
    /// not point into the text).
    public static func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        normalize(scalars: text.scalarArray, offsets: false).scalars
    }

    /// Without `offsets`, `originalStarts` and `originalEnds` stay empty.
    @inline(__always)
    private static func normalize(scalars input: [Unicode.Scalar], offsets: Bool) -> NormalizedText {
        var scalars: [Unicode.Scalar] = []
        var starts: [Int] = []
        var ends: [Int] = []
        scalars.reserveCapacity(input.count)
        if offsets {
            starts.reserveCapacity(input.count)
            ends.reserveCapacity(input.count)
        }

        var index = 0
        while index < input.count {
            let scalar = input[index]
            // A base followed by a non-Arabic combining mark is normalised as one unit, so NFKC
            // can compose it (e + U+0301 → é), exactly as a precomposed é would be.
            var chunkEnd = index + 1
            while chunkEnd < input.count, isForeignCombiningMark(input[chunkEnd]) { chunkEnd += 1 }

            if chunkEnd == index + 1, let mapped = fastMap(scalar) {
                switch mapped {
                case .drop:
                    // Diacritics belong to the letter before them: extend its original range.
                    if offsets, !ends.isEmpty, ends[ends.count - 1] == index { ends[ends.count - 1] = index + 1 }
                case .keep(let out):
                    if out.value == 0x0654, let last = scalars.last, let composed = composeHamza(last) {
                        // و/ي + combining hamza above is ؤ/ئ, as in precomposed text.
                        scalars[scalars.count - 1] = composed
                        if offsets { ends[ends.count - 1] = index + 1 }
                    } else {
                        scalars.append(out)
                        if offsets {
                            starts.append(index)
                            ends.append(index + 1)
                        }
                    }
                }
                index += 1
                continue
            }

            let folded = String(scalars: input[index..<chunkEnd]).precomposedStringWithCompatibilityMapping.lowercased()
            for out in folded.unicodeScalars {
                let kept: Unicode.Scalar
                switch fastMap(out) {
                case .drop: continue
                case .keep(let mapped): kept = mapped
                case nil: kept = out
                }
                scalars.append(kept)
                if offsets {
                    starts.append(index)
                    ends.append(chunkEnd)
                }
            }
            index = chunkEnd
        }
        return NormalizedText(scalars: scalars, originalStarts: starts, originalEnds: ends)
    }

    /// The normalised form of `text` as a plain string (no offsets).
    public static func normalizedString(_ text: String) -> String {
        normalize(text).text
    }

    enum Mapping { case keep(Unicode.Scalar), drop }

    /// The mapping of scalars whose normal form is known without NFKC; `nil` means "ask NFKC".
    /// Below U+0700 (ASCII, Latin-1, Arabic: nearly every scalar of an Arabic article) it is one
    /// load from `lowTable`, worked out from `mapping` once.
    @inline(__always)
    static func fastMap(_ scalar: Unicode.Scalar) -> Mapping? {
        let value = scalar.value
        guard value < lowTableEnd else { return mapping(scalar) }
        let entry = lowTable[Int(value)]
        switch entry {
        case dropEntry: return .drop
        case askEntry: return nil
        default: return .keep(Unicode.Scalar(entry).unsafelyUnwrapped)
        }
    }

    private static let lowTableEnd: UInt32 = 0x0700
    private static let dropEntry = UInt32.max
    private static let askEntry = UInt32.max - 1
    private static let lowTable: [UInt32] = (0..<lowTableEnd).map { value in
        guard let scalar = Unicode.Scalar(value) else { return askEntry }
        switch mapping(scalar) {
        case .drop: return dropEntry
        case .keep(let kept): return kept.value
        case nil: return askEntry
        }
    }

    /// The mapping itself, scalar by scalar.
    static func mapping(_ scalar: Unicode.Scalar) -> Mapping? {
        let value = scalar.value
        switch value {
        case 0x41...0x5A: return .keep(Unicode.Scalar(value + 0x20)!)
        case 0x00...0x7F: return .keep(scalar)
        // Arabic
        case 0x0640: return .drop  // tatweel
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06DC, 0x06DF...0x06E8, 0x06EA...0x06ED:
            return value == 0x0654 ? .keep(scalar) : .drop  // harakat and Quranic marks
        case 0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673: return .keep("\u{0627}")  // alef forms
        case 0x0649, 0x06CC: return .keep("\u{064A}")  // alef maqsura, Persian yeh
        case 0x0629: return .keep("\u{0647}")  // teh marbuta
        case 0x06A9, 0x06AA: return .keep("\u{0643}")  // Persian keheh, swash kaf
        case 0x0660...0x0669: return .keep(Unicode.Scalar(value - 0x0660 + 0x30)!)
        case 0x06F0...0x06F9: return .keep(Unicode.Scalar(value - 0x06F0 + 0x30)!)
        case 0x0675...0x0678: return nil  // high-hamza letters have compatibility decompositions
        case 0x0600...0x06FF: return .keep(scalar)
        // Bidi controls, zero-width characters, BOM, soft hyphen, Arabic letter mark
        case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C, 0xFEFF, 0x00AD, 0x2060:
            return .drop
        // Quotation marks
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2033, 0x301D, 0x301E, 0xFF02: return .keep("\"")
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0xFF07: return .keep("'")
        // Spaces of every width
        case 0x00A0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return .keep(" ")
        default: return nil
        }
    }

    static func isForeignCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value >= 0x0600 && value <= 0x06FF { return false }
        if value < 0x0300 { return false }
        return scalar.properties.canonicalCombiningClass != .notReordered
    }

    static func composeHamza(_ base: Unicode.Scalar) -> Unicode.Scalar? {
        switch base.value {
        case 0x0648: return "\u{0624}"  // و → ؤ
        case 0x064A: return "\u{0626}"  // ي (also from ى) → ئ
        case 0x0627: return "\u{0627}"  // alef forms are unified anyway
        default: return nil
        }
    }
}
