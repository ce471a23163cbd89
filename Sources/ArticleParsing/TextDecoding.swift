/// Turns a file's bytes into text, or says why it cannot.
public enum TextDecoding {
    /// Decodes UTF-8 (with or without BOM), UTF-16 with a BOM and Windows-1256 (legacy Arabic
    /// pages: bytes that are not UTF-8 but read as mostly Arabic letters in that code page);
    /// refuses binary data.
    public static func decode(_ bytes: [UInt8]) throws(ParseFailure) -> (text: String, encoding: String) {
        if bytes.isEmpty { throw .empty }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            let body = bytes.dropFirst(2)
            guard body.count % 2 == 0 else { throw .undecodable("UTF-16 text with an odd number of bytes (truncated)") }
            var units: [UInt16] = []
            units.reserveCapacity(body.count / 2)
            var index = body.startIndex
            while index < body.endIndex {
                let a = UInt16(body[index])
                let b = UInt16(body[index + 1])
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                index += 2
            }
            var text = ""
            var decoder = UTF16()
            var iterator = units.makeIterator()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): text.unicodeScalars.append(scalar)
                case .emptyInput: break loop
                case .error: throw .undecodable("invalid UTF-16 (unpaired surrogate)")
                }
            }
            try refuseBinary(text)
            return (text, littleEndian ? "utf-16le" : "utf-16be")
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if body.contains(0) { throw .binary }
        guard let text = String(validating: body, as: UTF8.self) else {
            if let legacy = windows1256(body) {
                try refuseBinary(legacy)
                return (legacy, "windows-1256")
            }
            throw .undecodable("invalid UTF-8 at byte \(firstInvalidUTF8Offset(body) + (body.count == bytes.count ? 0 : 3))")
        }
        try refuseBinary(text)
        return (text, "utf-8")
    }

    /// Windows-1256 text, when the bytes look like it: at least 70 % of the bytes above 0x7F are
    /// Arabic letters in that code page. Broken UTF-8 Arabic fails this (its continuation bytes
    /// are punctuation and Latin letters there), so it stays undecodable.
    static func windows1256(_ bytes: [UInt8]) -> String? {
        var high = 0
        var arabic = 0
        for byte in bytes {
            if byte >= 0x80 {
                high += 1
                let scalar = windows1256Table[Int(byte - 0x80)]
                if (0x0621...0x0652).contains(scalar) { arabic += 1 }
            }
        }
        guard high >= 8, arabic * 10 >= high * 7 else { return nil }
        var text = String.UnicodeScalarView()
        for byte in bytes {
            let value = byte < 0x80 ? UInt32(byte) : UInt32(windows1256Table[Int(byte - 0x80)])
            text.append(Unicode.Scalar(value)!)
        }
        return String(text)
    }

    /// Bytes 0x80–0xFF of Windows-1256, as Unicode scalar values.
    static let windows1256Table: [UInt16] = [
        0x20AC, 0x067E, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0679, 0x2039, 0x0152, 0x0686, 0x0698, 0x0688,
        0x06AF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x06A9, 0x2122, 0x0691, 0x203A, 0x0153, 0x200C, 0x200D, 0x06BA,
        0x00A0, 0x060C, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x06BE, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
        0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x061B, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x061F,
        0x06C1, 0x0621, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627, 0x0628, 0x0629, 0x062A, 0x062B, 0x062C, 0x062D, 0x062E, 0x062F,
        0x0630, 0x0631, 0x0632, 0x0633, 0x0634, 0x0635, 0x0636, 0x00D7, 0x0637, 0x0638, 0x0639, 0x063A, 0x0640, 0x0641, 0x0642, 0x0643,
        0x00E0, 0x0644, 0x00E2, 0x0645, 0x0646, 0x0647, 0x0648, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0649, 0x064A, 0x00EE, 0x00EF,
        0x064B, 0x064C, 0x064D, 0x064E, 0x00F4, 0x064F, 0x0650, 0x00F7, 0x0651, 0x00F9, 0x0652, 0x00FB, 0x00FC, 0x200E, 0x200F, 0x06D2,
    ]

    /// Text where more than one scalar in twenty is a control character is binary.
    static func refuseBinary(_ text: String) throws(ParseFailure) {
        var controls = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            let value = scalar.value
            if value == 0 { throw .binary }
            if value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D && value != 0x0C { controls += 1 }
        }
        if total > 0 && controls * 20 > total { throw .binary }
    }

    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
