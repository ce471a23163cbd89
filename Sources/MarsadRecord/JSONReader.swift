import Foundation

/// Reads JSON from bytes, value by value, in the order they come: what the records'
/// `decode(_:)` use instead of `JSONDecoder` (several times faster, no tree of the whole record
/// is built, and what a reader does not need — mentions, other fields — is skipped without
/// making strings of it). It reads what `JSONWriter` and `JSONEncoder` write and any other valid
/// JSON; strings must be valid UTF-8 and their escapes valid, as `JSONDecoder` requires.
///
/// Objects are read with `beginObject()` and `nextKey()`, arrays with `beginArray()` and
/// `nextElement()`; every value of a key or element must be read or skipped before the next.
public struct JSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var position = 0
    /// Whether the container being read has had a member yet (a comma comes before the next).
    private var needsComma = false
    /// Containers open in `skipValue`, which recurses: bounded, as `JSONDecoder` bounds it.
    private var skipDepth = 0
    static let maxSkipDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads `data` with `body`, and checks nothing but whitespace follows the value it read.
    public static func read<Result>(_ data: Data, _ body: (inout JSONReader) throws -> Result) throws -> Result {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            let result = try body(&reader)
            reader.skipWhitespace()
            guard reader.position == reader.bytes.count else { throw reader.failure("unexpected content after the value") }
            return result
        }
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// Byte offset into the JSON.
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    func failure(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

    /// A key the record must have and did not.
    public func missing(_ key: String) -> Failure { failure("missing key \"\(key)\"") }

    // MARK: Containers

    public mutating func beginObject() throws {
        try expect(UInt8(ascii: "{"), "an object")
        needsComma = false
    }

    /// The next key of the object being read, or `nil` after its closing brace.
    public mutating func nextKey() throws -> String? {
        guard try nextMember(closing: UInt8(ascii: "}")) else { return nil }
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a key") }
        let key = try readString()
        try expect(UInt8(ascii: ":"), "':' after a key")
        return key
    }

    public mutating func beginArray() throws {
        try expect(UInt8(ascii: "["), "an array")
        needsComma = false
    }

    /// Whether the array being read has another element (`false` after its closing bracket).
    public mutating func nextElement() throws -> Bool {
        try nextMember(closing: UInt8(ascii: "]"))
    }

    /// The comma between members, or the closing bracket. A value read inside the member sets
    /// `needsComma` for the container around it when it ends.
    private mutating func nextMember(closing: UInt8) throws -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of the JSON") }
        if bytes[position] == closing {
            position += 1
            needsComma = true
            return false
        }
        if needsComma {
            guard bytes[position] == UInt8(ascii: ",") else { throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'") }
            position += 1
        }
        needsComma = false
        return true
    }

    // MARK: Values

    /// Consumes `null` when it comes next.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
            bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
        else { return false }
        position += 4
        needsComma = true
        return true
    }

    public mutating func string() throws -> String {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a string") }
        let value = try readString()
        needsComma = true
        return value
    }

    public mutating func optionalString() throws -> String? {
        readNull() ? nil : try string()
    }

    public mutating func strings() throws -> [String] {
        var values: [String] = []
        try beginArray()
        while try nextElement() { values.append(try string()) }
        return values
    }

    public mutating func int() throws -> Int {
        let (negative, magnitude) = try integerParts()
        guard negative ? magnitude <= UInt64(Int.max) + 1 : magnitude <= UInt64(Int.max) else { throw failure("integer out of range") }
        return negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude)
    }

    public mutating func optionalInt() throws -> Int? {
        readNull() ? nil : try int()
    }

    public mutating func uint64() throws -> UInt64 {
        let start = position
        let (negative, magnitude) = try integerParts()
        guard !negative || magnitude == 0 else {
            position = start
            throw failure("expected a non-negative integer")
        }
        return magnitude
    }

    public mutating func double() throws -> Double {
        skipWhitespace()
        let start = position
        try skipNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else {
            position = start
            throw failure("expected a number")
        }
        needsComma = true
        return value
    }

    /// Skips the next value, whatever it is.
    public mutating func skipValue() throws {
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of the JSON") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            try skipString()
            needsComma = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard skipDepth < Self.maxSkipDepth else { throw failure("nested more than \(Self.maxSkipDepth) deep") }
            skipDepth += 1
            defer { skipDepth -= 1 }
            if bytes[position] == UInt8(ascii: "{") {
                try beginObject()
                while try nextKey() != nil { try skipValue() }
            } else {
                try beginArray()
                while try nextElement() { try skipValue() }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try skipNumber()
            needsComma = true
        }
    }

    /// Skips the next value and returns where it was: a value to keep as JSON.
    public mutating func valueRange() throws -> Range<Int> {
        skipWhitespace()
        let start = position
        try skipValue()
        return start..<position
    }

    // MARK: Bytes

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
            word.withUTF8Buffer({ $0.elementsEqual(UnsafeBufferPointer(rebasing: bytes[position..<(position + count)])) })
        else { throw failure("expected a value") }
        position += count
        needsComma = true
    }

    private mutating func integerParts() throws -> (negative: Bool, magnitude: UInt64) {
        skipWhitespace()
        let start = position
        let negative = peek == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude: UInt64 = 0
        let digitsStart = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[position] &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                position = start
                throw failure("integer out of range")
            }
            magnitude = sum
            position += 1
        }
        guard position > digitsStart else {
            position = start
            throw failure("expected an integer")
        }
        if let next = peek, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            position = start
            throw failure("expected an integer")
        }
        needsComma = true
        return (negative, magnitude)
    }

    private mutating func skipNumber() throws {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
                UInt8(ascii: "E"):
                position += 1
            default:
                guard position > start else { throw failure("expected a value") }
                return
            }
        }
        guard position > start else { throw failure("unexpected end of the JSON") }
    }

    /// Skips the string at `position` (its opening quote) without reading it: the next quote
    /// that follows an even number of backslashes ends it.
    private mutating func skipString() throws {
        var from = position + 1
        while from < bytes.count {
            guard let found = memchr(bytes.baseAddress! + from, Int32(UInt8(ascii: "\"")), bytes.count - from) else { break }
            let quote = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            while quote - 1 - backslashes > position, bytes[quote - 1 - backslashes] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 {
                position = quote + 1
                return
            }
            from = quote + 1
        }
        throw failure("unterminated string")
    }

    /// The string at `position` (its opening quote), unescaped.
    private mutating func readString() throws -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
                guard let value = Self.validString(text) else { throw Failure(offset: start, reason: "a string is not valid UTF-8") }
                position += 1
                return value
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 { throw failure("a control character in a string") }
            position += 1
        }
        throw Failure(offset: start - 1, reason: "unterminated string")
    }

    private mutating func readEscapedString(from start: Int) throws -> String {
        var utf8 = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let value = utf8.withUnsafeBufferPointer(Self.validString) else {
                    throw Failure(offset: start, reason: "a string is not valid UTF-8")
                }
                position += 1
                return value
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { break }
                let escaped = bytes[position + 1]
                position += 2
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hexQuad()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("a lone surrogate in a string")
                        }
                        position += 2
                        let low = try hexQuad()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw failure("a lone surrogate in a string") }
                    utf8.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    position -= 1
                    throw failure("an invalid escape in a string")
                }
                continue
            default:
                if byte < 0x20 { throw failure("a control character in a string") }
                utf8.append(byte)
                position += 1
                continue
            }
            break
        }
        throw Failure(offset: start - 1, reason: "unterminated string")
    }

    /// `bytes` as a string, or `nil` if they are not valid UTF-8. Decoding (which replaces what
    /// is invalid) and comparing is several times faster than `String(validating:as:)`.
    private static func validString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var value = String(decoding: bytes, as: UTF8.self)
        guard value.utf8.count == bytes.count else { return nil }
        return value.withUTF8 { $0.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, $0.count) == 0 } ? value : nil
    }

    private mutating func hexQuad() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("an invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
