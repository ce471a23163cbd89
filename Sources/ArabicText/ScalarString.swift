extension String {
    /// A string of `scalars`, encoded straight into the string's storage. Building a string
    /// through `String.UnicodeScalarView.append(contentsOf:)` or `UnicodeScalarView(_:)` goes
    /// scalar by scalar through generic code and was one tenth of the pipeline's CPU.
    @inlinable
    public init(scalars: some Collection<Unicode.Scalar>) {
        var count = 0
        for scalar in scalars {
            let value = scalar.value
            count += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4
        }
        self.init(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            for scalar in scalars {
                let value = scalar.value
                if value < 0x80 {
                    buffer[index] = UInt8(truncatingIfNeeded: value)
                    index += 1
                } else if value < 0x800 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xC0 | value >> 6)
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                    index += 2
                } else if value < 0x10000 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xE0 | value >> 12)
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F)
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                    index += 3
                } else {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xF0 | value >> 18)
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | value >> 12 & 0x3F)
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F)
                    buffer[index + 3] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                    index += 4
                }
            }
            return index
        }
    }
}

extension String {
    /// The string's scalars, decoded from its UTF-8 in one pass (`Array(unicodeScalars)` counts
    /// them first and then decodes each through generic code).
    @inlinable
    public var scalarArray: [Unicode.Scalar] {
        var text = self
        return text.withUTF8 { utf8 in
            [Unicode.Scalar](unsafeUninitializedCapacity: utf8.count) { buffer, count in
                var index = 0
                var written = 0
                while index < utf8.count {
                    let lead = UInt32(utf8[index])
                    var value: UInt32
                    // A String's storage is valid UTF-8: every continuation byte is there.
                    if lead < 0x80 {
                        value = lead
                        index += 1
                    } else if lead < 0xE0 {
                        value = (lead & 0x1F) << 6 | UInt32(utf8[index + 1] & 0x3F)
                        index += 2
                    } else if lead < 0xF0 {
                        value = (lead & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F)
                        index += 3
                    } else {
                        value =
                            (lead & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12 | UInt32(utf8[index + 2] & 0x3F) << 6
                            | UInt32(utf8[index + 3] & 0x3F)
                        index += 4
                    }
                    buffer[written] = unsafeBitCast(value, to: Unicode.Scalar.self)
                    written += 1
                }
                count = written
            }
        }
    }

    /// The number of scalars, counted on the UTF-8 bytes (every byte that does not continue one).
    @inlinable
    public var scalarCount: Int {
        var text = self
        return text.withUTF8 { utf8 in
            var count = 0
            for byte in utf8 where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }
}

extension StringProtocol {
    /// Whether the text has at most `limit` characters, looking at no more than `limit` of them
    /// (`count` walks every grapheme of a long paragraph to compare it with a small number).
    ///
    /// A long paragraph is told apart by its scalars first: a letter, digit or ASCII mark that
    /// follows another such scalar or an Arabic vowel sign always starts a new character (no
    /// rule of Unicode's grapheme breaking joins them), so more than `limit` of those settle it
    /// without breaking graphemes. Otherwise the characters are counted.
    @inlinable
    public func hasAtMost(characters limit: Int) -> Bool {
        if utf8.count <= limit { return true }
        var sureStarts = 0
        var previousIsPlain = true  // the first scalar starts a character
        for scalar in unicodeScalars {
            let value = scalar.value
            let isBase =
                (0x20...0x7E).contains(value) || (0x0621...0x063A).contains(value) || (0x0641...0x064A).contains(value)
                || (0x0660...0x0669).contains(value) || (0x0671...0x06D3).contains(value)
            if isBase && previousIsPlain {
                sureStarts += 1
                if sureStarts > limit { return false }
            }
            previousIsPlain = isBase || (0x064B...0x065F).contains(value) || value == 0x0670
        }
        return dropFirst(limit).isEmpty
    }
}
