import Glibc

/// A normalised word (or feature) as a dictionary key, hashed and compared by its UTF-8 bytes.
///
/// Swift hashes and compares `String`s by canonical equivalence, which for Arabic means running
/// Unicode normalisation on every lookup. Text that went through `ArabicNormalizer` is already in
/// one form, so its bytes are enough — and several times cheaper.
public struct WordKey: Hashable, Sendable {
    public let text: String

    public init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        self.text = text
    }

    public static func == (lhs: WordKey, rhs: WordKey) -> Bool {
        guard lhs.text.utf8.count == rhs.text.utf8.count else { return false }
        var left = lhs.text
        var right = rhs.text
        return left.withUTF8 { a in right.withUTF8 { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    public func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
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
