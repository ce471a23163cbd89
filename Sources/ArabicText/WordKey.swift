import Glibc

/// A normalised word (or feature) as a dictionary key, hashed and compared by its UTF-8 bytes.
///
/// Swift hashes and compares `String`s by canonical equivalence, which for Arabic means running
/// Unicode normalisation on every lookup. Text that went through `ArabicNormalizer` is already in
/// one form, so its bytes are enough — and several times cheaper.
public struct WordKey: Hashable, Sendable {
    public let text: String
    /// The bytes' hash, worked out once: a key is hashed by every table it is looked up in, and
    /// `Hasher` (SipHash) over its bytes was about 6 % of parsing.
    private let bytesHash: UInt64

    public init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        bytesHash = text.withUTF8 { Self.hash($0) }
        self.text = text
    }

    public static func == (lhs: WordKey, rhs: WordKey) -> Bool {
        guard lhs.bytesHash == rhs.bytesHash, lhs.text.utf8.count == rhs.text.utf8.count else { return false }
        var left = lhs.text
        var right = rhs.text
        return left.withUTF8 { a in right.withUTF8 { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytesHash) }

    /// What `Set` and `Dictionary` ask for: the stored hash mixed with the table's seed, without
    /// running `Hasher` for each lookup.
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: Self.mix(bytesHash ^ UInt64(truncatingIfNeeded: seed), Self.secret.1))
    }

    /// Chosen at random for each process, so that words cannot be crafted to collide in the
    /// tables of a running daemon.
    private static let secret = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max) | 1)

    /// A multiply-fold hash of `bytes` (8 at a time) under the process's secret.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var state = secret.0 ^ UInt64(bytes.count)
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 8 <= bytes.count {
            state = mix(state ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self), secret.1)
            index += 8
        }
        if index < bytes.count {
            var tail: UInt64 = 0
            for offset in index..<bytes.count { tail |= UInt64(bytes[offset]) << (8 * UInt64(offset - index)) }
            state = mix(state ^ tail, secret.1)
        }
        return state
    }

    /// Both halves of the 128-bit product, folded together.
    private static func mix(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: multiplier)
        return product.high ^ product.low
    }
}

/// Memos keyed by word that a worker keeps across articles (the classifier's word features, the
/// alert worker's stems): most of an article's words were in earlier ones.
public enum WordMemo {
    /// The most words a memo keeps (about 10 MB for the classifier's); past it, it starts again.
    public static let limit = 50_000

    /// Empties `memo` once it holds `limit` words: a news vocabulary's common words are back in it
    /// within a few articles, and memory stays bounded.
    public static func trim<Value>(_ memo: inout [WordKey: Value]) {
        if memo.count >= limit { memo.removeAll(keepingCapacity: true) }
    }
}

/// A set of normalised words, hashed and compared by their bytes like `WordKey`: membership
/// tests on every token of an article without Unicode normalisation.
public struct WordSet: Sendable, Equatable, ExpressibleByArrayLiteral {
    private var keys: Set<WordKey>

    public init(_ words: some Sequence<String>) {
        keys = Set(words.map(WordKey.init))
    }

    public init(arrayLiteral words: String...) {
        self.init(words)
    }

    public func contains(_ word: String) -> Bool { keys.contains(WordKey(word)) }
    public var isEmpty: Bool { keys.isEmpty }

    public func union(_ other: WordSet) -> WordSet {
        var result = self
        result.keys.formUnion(other.keys)
        return result
    }
}
