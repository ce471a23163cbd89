import Glibc
import Synchronization

/// The archive's memo of each word's search forms, shared by its two consumers: news repeats
/// its vocabulary, so most words of an article cost one lookup and one copy.
///
/// Words and forms are kept as UTF-8 bytes in one buffer, looked up by the bytes of the
/// normalised text (an open-addressing table of small entries), so indexing an article makes no
/// `String` per word and no reference to count. Locked twice per article: once to look its words
/// up, once to add the new ones and copy every word's forms into the columns. Bounded: past
/// `capacity` words or `maxBufferBytes` it starts afresh; a word longer than `maxWordBytes` (no
/// word of a language, a run of letters in hostile input) is worked out and copied each time,
/// never kept.
public final class SearchFormsCache: Sendable {
    static let maxWordBytes = 1_024
    static let maxBufferBytes = 32 << 20

    /// The words of a text, normalised, as UTF-8 bytes one after another, with their hashes.
    public struct Words {
        var bytes: [UInt8] = []
        /// Where each word ends in `bytes` (it starts where the one before ends).
        var ends: [Int32] = []
        var hashes: [UInt64] = []

        public init() {}

        /// Adds the words of normalised text: runs of letters and digits, as `ArabicTokenizer`
        /// cuts them.
        public mutating func add(_ scalars: [Unicode.Scalar]) {
            // Taken out of `self` while `bytes` grows, put back after (no copy).
            var ends: [Int32] = []
            var hashes: [UInt64] = []
            swap(&ends, &self.ends)
            swap(&hashes, &self.hashes)
            ArabicTokenizer.appendWords(ofNormalized: scalars, to: &bytes) { word, end in
                ends.append(Int32(end))
                hashes.append(WordKey.hash(word))
            }
            swap(&ends, &self.ends)
            swap(&hashes, &self.hashes)
        }

        var count: Int { ends.count }
        func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index]) }
    }

    /// The three columns of a document being built, as bytes.
    public struct Columns {
        var stems: [UInt8] = []
        var variants: [UInt8] = []
        var skeletons: [UInt8] = []

        public init(capacity: Int) {
            stems.reserveCapacity(capacity + capacity / 8)
            skeletons.reserveCapacity(capacity)
        }

        /// Adds one form to a column, after a space unless it is the first.
        static func add(_ form: UnsafeBufferPointer<UInt8>, to column: inout [UInt8]) {
            guard !form.isEmpty else { return }
            if !column.isEmpty { column.append(0x20) }
            column.append(contentsOf: form)
        }

        /// Adds the forms of a word worked out on the spot.
        mutating func add(_ forms: SearchForms) {
            func add(_ form: String, to column: inout [UInt8]) {
                var form = form
                form.withUTF8 { Self.add($0, to: &column) }
            }
            add(forms.stem, to: &stems)
            for variant in forms.variants { add(variant, to: &variants) }
            if let skeleton = forms.skeleton { add(skeleton, to: &skeletons) }
        }
    }

    /// One word: its bytes at `start` in the table's buffer, then its stem, its variants (with a
    /// space between two) and its skeleton, each possibly empty but the stem.
    struct Entry {
        let start: Int32
        let wordLength: UInt16
        let stemLength: UInt16
        let variantsLength: UInt16
        let skeletonLength: UInt16
        let hash: UInt32
    }

    struct Table {
        var buffer: [UInt8] = []
        var entries: [Entry] = []
        /// Open addressing, a power of two long: an index into `entries`, or -1.
        var buckets: [Int32] = []
        /// Raised each time the table starts afresh, so that slots looked up before are not used
        /// after.
        var generation = 0

        func find(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32 {
            guard !buckets.isEmpty else { return -1 }
            let mask = buckets.count - 1
            var bucket = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = buckets[bucket]
                if slot < 0 { return -1 }
                let entry = entries[Int(slot)]
                if entry.hash == UInt32(truncatingIfNeeded: hash), Int(entry.wordLength) == word.count,
                    buffer.withUnsafeBufferPointer({ memcmp($0.baseAddress! + Int(entry.start), word.baseAddress!, word.count) == 0 })
                {
                    return slot
                }
                bucket = (bucket + 1) & mask
            }
        }

        /// Adds a word of at most `maxWordBytes`, whose forms are then at most a few times as
        /// long: every length fits its field.
        mutating func insert(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, forms: SearchForms) -> Int32 {
            if (entries.count + 1) * 2 > buckets.count { grow() }
            let start = Int32(buffer.count)
            buffer.append(contentsOf: word)
            let stemStart = buffer.count
            buffer.append(contentsOf: forms.stem.utf8)
            let variantsStart = buffer.count
            for (index, variant) in forms.variants.enumerated() {
                if index > 0 { buffer.append(0x20) }
                buffer.append(contentsOf: variant.utf8)
            }
            let skeletonStart = buffer.count
            if let skeleton = forms.skeleton { buffer.append(contentsOf: skeleton.utf8) }
            let entry = Entry(
                start: start, wordLength: UInt16(word.count), stemLength: UInt16(variantsStart - stemStart),
                variantsLength: UInt16(skeletonStart - variantsStart), skeletonLength: UInt16(buffer.count - skeletonStart),
                hash: UInt32(truncatingIfNeeded: hash))
            entries.append(entry)
            place(Int32(entries.count - 1), hash: UInt64(entry.hash))
            return Int32(entries.count - 1)
        }

        private mutating func place(_ slot: Int32, hash: UInt64) {
            let mask = buckets.count - 1
            var bucket = Int(truncatingIfNeeded: hash) & mask
            while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
            buckets[bucket] = slot
        }

        private mutating func grow() {
            buckets = [Int32](repeating: -1, count: max(1024, buckets.count * 2))
            for index in entries.indices { place(Int32(index), hash: UInt64(entries[index].hash)) }
        }

        mutating func startAfresh() {
            buffer.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            for index in buckets.indices { buckets[index] = -1 }
            generation += 1
        }

        /// Adds entry `slot`'s forms to the columns.
        func copy(_ slot: Int32, to columns: inout Columns) {
            let entry = entries[Int(slot)]
            buffer.withUnsafeBufferPointer { all in
                let stem = Int(entry.start) + Int(entry.wordLength)
                let variants = stem + Int(entry.stemLength)
                let skeleton = variants + Int(entry.variantsLength)
                Columns.add(UnsafeBufferPointer(rebasing: all[stem..<variants]), to: &columns.stems)
                Columns.add(UnsafeBufferPointer(rebasing: all[variants..<skeleton]), to: &columns.variants)
                Columns.add(UnsafeBufferPointer(rebasing: all[skeleton..<(skeleton + Int(entry.skeletonLength))]), to: &columns.skeletons)
            }
        }
    }

    let table = Mutex(Table())
    let capacity: Int

    public init(capacity: Int = 200_000) { self.capacity = capacity }

    /// How many words it holds.
    public var count: Int { table.withLock { $0.entries.count } }

    /// Adds the forms of each of `words`, in order, to `columns`.
    public func append(_ words: Words, to columns: inout Columns) {
        guard words.count > 0 else { return }
        words.bytes.withUnsafeBufferPointer { bytes in
            func word(_ index: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[words.range(index)]) }
            let (slots, generation) = table.withLock { table in
                ((0..<words.count).map { table.find(word($0), hash: words.hashes[$0]) }, table.generation)
            }
            // The forms of the words not known yet, worked out outside the lock.
            var fresh: [WordKey: SearchForms] = [:]
            for index in slots.indices where slots[index] < 0 && word(index).count <= Self.maxWordBytes {
                let text = String(decoding: word(index), as: UTF8.self)
                let key = WordKey(text)
                if fresh[key] == nil { fresh[key] = SearchForms(normalizedWord: text) }
            }
            table.withLock { table in
                var slots = slots
                if table.generation != generation {
                    for index in slots.indices { slots[index] = table.find(word(index), hash: words.hashes[index]) }
                }
                if !fresh.isEmpty && (table.entries.count + fresh.count > capacity || table.buffer.count > Self.maxBufferBytes) {
                    table.startAfresh()
                    for index in slots.indices { slots[index] = -1 }
                }
                for index in slots.indices {
                    var slot = slots[index]
                    if slot < 0 && word(index).count > Self.maxWordBytes {
                        columns.add(SearchForms(normalizedWord: String(decoding: word(index), as: UTF8.self)))
                        continue
                    }
                    if slot < 0 {
                        // New, or lost when the table started afresh: each distinct word is
                        // added once (a repeat finds the first).
                        slot = table.find(word(index), hash: words.hashes[index])
                        if slot < 0 {
                            let text = String(decoding: word(index), as: UTF8.self)
                            let forms = fresh[WordKey(text)] ?? SearchForms(normalizedWord: text)
                            slot = table.insert(word(index), hash: words.hashes[index], forms: forms)
                        }
                    }
                    table.copy(slot, to: &columns)
                }
            }
        }
    }
}
