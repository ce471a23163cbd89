import Synchronization

/// What is worked out from a word alone (its search forms, its proclitic strippings), kept
/// across articles and shared by the threads that ask: news repeats its vocabulary, so most
/// words of an article cost one lookup. Keyed by the words' bytes (`WordKey`): they come
/// normalised. Bounded: past `capacity` words it starts afresh.
///
/// Locked twice per call, not once per word: a call takes a whole text's words, and a lock per
/// word made the threads that share it wait on each other.
public final class SharedWordMemo<Value: Sendable>: Sendable {
    @usableFromInline let table = Mutex<[WordKey: Value]>([:])
    @usableFromInline let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// The value of each of `words`, in order; `compute` runs once for each word not yet known,
    /// outside the lock.
    @inlinable public func values(of words: [String], compute: (String) -> Value) -> [Value] {
        let keys = words.map(WordKey.init)
        var found: [Value?] = table.withLock { table in keys.map { table[$0] } }
        var fresh: [WordKey: Value] = [:]
        for index in found.indices where found[index] == nil {
            if let value = fresh[keys[index]] {
                found[index] = value
            } else {
                let value = compute(words[index])
                fresh[keys[index]] = value
                found[index] = value
            }
        }
        if !fresh.isEmpty {
            table.withLock { table in
                if table.count + fresh.count > capacity { table.removeAll(keepingCapacity: true) }
                table.merge(fresh) { _, new in new }
            }
        }
        return found.map { $0! }
    }

    /// How many words it holds.
    public var count: Int { table.withLock { $0.count } }
}
