import Foundation

/// Turns a file's bytes into text, or says why it cannot.
public enum TextDecoding {
    /// Decodes UTF-8 (with or without BOM) and UTF-16 with a BOM; refuses binary data.
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
            throw .undecodable("invalid UTF-8 at byte \(firstInvalidUTF8Offset(body) + (body.count == bytes.count ? 0 : 3))")
        }
        try refuseBinary(text)
        return (text, "utf-8")
    }

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
