import Foundation
import Glibc
import Logging
import MarsadConfig
import Metrics
import Synchronization

/// Where and how a stream's journal is kept.
public struct JournalSettings: Sendable {
    /// The directory of this stream's journal (created if missing).
    public var directory: String
    public var stream: String
    /// A segment file is closed and a new one started past this size.
    public var segmentBytes: Int
    /// Oldest whole segments are deleted while the journal is larger than this.
    public var retentionBytes: Int
    /// Segments whose newest record is older than this are deleted (0 keeps them).
    public var retentionSeconds: Int
    /// `fdatasync` after each appended batch: a journaled record survives power loss.
    public var durable: Bool
    /// The setting that chose `directory`, named when it cannot be created.
    public var directorySetting: String

    public init(
        directory: String, stream: String, segmentBytes: Int = 64 << 20, retentionBytes: Int = 1 << 30,
        retentionSeconds: Int = 7 * 86_400, durable: Bool = true, directorySetting: String = "[state] dir (or --state)"
    ) {
        self.directory = directory
        self.directorySetting = directorySetting
        self.stream = stream
        self.segmentBytes = segmentBytes
        self.retentionBytes = retentionBytes
        self.retentionSeconds = retentionSeconds
        self.durable = durable
    }
}

/// A journal operation failed.
public struct JournalError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
    static func system(_ operation: String, _ path: String) -> JournalError {
        JournalError("\(operation) \(path): \(String(cString: strerror(errno)))")
    }
}

/// A stream's durable, append-only, sequence-numbered journal.
///
/// Records live in segment files named by their first seq (`00000000000000000001.seg`). Each
/// entry carries its length and a CRC-32C, so a tail torn by a crash or power cut is detected at
/// open and cut off — never served. One thread appends; any thread may read. One process owns the
/// directory (`writer.lock`, see `OwnerLock`): a second one opening it fails with the owner's pid.
public final class Journal: Sendable {
    public let settings: JournalSettings
    /// Changes only when a journal is created anew; seqs are comparable within one epoch.
    public let epoch: UInt64

    struct Segment {
        var firstSeq: UInt64
        var path: String
        /// Byte offset of each entry in the file.
        var offsets: [UInt32]
        /// The id and seq of each entry whose id is a record key.
        var ids: [(key: RecordKey, seq: UInt64)]
        var size: Int
        var lastTimeMilliseconds: UInt64
        var lastSeq: UInt64 { firstSeq + UInt64(offsets.count) - 1 }
    }

    struct State {
        var segments: [Segment] = []
        var head: UInt64 = 0
        /// Each record held, by id: its seq.
        var ids: [RecordKey: UInt64] = [:]
    }

    private let state: Mutex<State>
    private let writer: Mutex<Int32>  // the active segment's descriptor, -1 when none
    /// This process's claim on the directory, held while the journal is open.
    private let owner: OwnerLock
    private let logger: Logger
    /// Writing a batch and its `fdatasync`: the part of a record's latency its durability costs.
    private let appendTimer: Metrics.Timer

    /// Opens (or creates) the journal; a torn tail is truncated.
    public init(settings: JournalSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        appendTimer = Metrics.Timer(label: "marsad_journal_append_seconds", dimensions: [("stream", settings.stream)])
        try Directories.create(settings.directory, for: "the journal of stream \(settings.stream)", setting: settings.directorySetting)
        owner = try OwnerLock(
            path: settings.directory + "/writer.lock", what: "the journal of stream \"\(settings.stream)\" (\(settings.directory))",
            risk: "interleave their records under the same seqs", fix: "give this one its own \(settings.directorySetting)")
        let metaPath = settings.directory + "/journal.json"
        var names = try FileManager.default.contentsOfDirectory(atPath: settings.directory).filter { $0.hasSuffix(".seg") }.sorted()
        if let data = FileManager.default.contents(atPath: metaPath) {
            guard let meta = try? JSONDecoder().decode(JournalMeta.self, from: data), meta.stream == settings.stream else {
                throw JournalError("\(metaPath) is not the journal of stream \"\(settings.stream)\"")
            }
            epoch = meta.epoch
        } else {
            if !names.isEmpty { throw JournalError("\(metaPath) is missing but segments exist; move the directory aside to start a new epoch") }
            epoch = UInt64(Date().timeIntervalSince1970 * 1000)
            let meta = JournalMeta(stream: settings.stream, epoch: epoch, createdAt: StreamClock.iso(Date()))
            try Self.writeAtomically(try JSONEncoder().encode(meta), to: metaPath)
        }

        var state = State()
        for (index, name) in names.enumerated() {
            let isLast = index == names.count - 1
            var segment = try Self.scan(path: settings.directory + "/" + name, verify: isLast, logger: logger)
            if let previous = state.segments.last, segment.firstSeq != previous.lastSeq + 1, !segment.offsets.isEmpty {
                throw JournalError("\(segment.path) starts at seq \(segment.firstSeq), expected \(previous.lastSeq + 1)")
            }
            if segment.offsets.isEmpty && !isLast {
                try? FileManager.default.removeItem(atPath: segment.path)
                continue
            }
            if segment.offsets.isEmpty, let previous = state.segments.last { segment.firstSeq = previous.lastSeq + 1 }
            for id in segment.ids { state.ids[id.key] = id.seq }
            state.segments.append(segment)
        }
        names.removeAll()
        state.head = state.segments.last.map { $0.offsets.isEmpty ? $0.firstSeq - 1 : $0.lastSeq } ?? 0
        self.state = Mutex(state)
        self.writer = Mutex(-1)
        if let last = self.state.withLock({ $0.segments.last }) {
            try openWriter(path: last.path)
        }
    }

    deinit {
        writer.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
        }
    }

    /// The oldest seq still held (head + 1 when empty).
    public var first: UInt64 { state.withLock { $0.segments.first(where: { !$0.offsets.isEmpty })?.firstSeq ?? $0.head + 1 } }
    /// The last seq journaled (0 when nothing ever was).
    public var head: UInt64 { state.withLock { $0.head } }
    /// Bytes on disk in segments.
    public var size: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.size } } }
    /// How many records are held.
    public var count: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.offsets.count } } }

    /// Whether a record with this id is held.
    public func contains(id: String) -> Bool { seq(ofID: id) != nil }

    /// The seq of the record with this id, if it is held.
    public func seq(ofID id: String) -> UInt64? {
        guard let key = RecordKey(hex: id) else { return nil }
        return state.withLock { $0.ids[key] }
    }

    /// A record to append.
    public struct Draft: Sendable {
        public var id: String
        public var schema: String
        public var topics: [String]
        public var payload: Data
        public init(id: String, schema: String, topics: [String], payload: Data) {
            self.id = id
            self.schema = schema
            self.topics = topics
            self.payload = payload
        }
    }

    /// Appends `drafts` as one batch — one write and, when durable, one `fdatasync` (group
    /// commit) — and returns them with their seqs. When it returns, they survive a crash.
    public func append(_ drafts: [Draft], now: Date = Date()) throws -> [JournalEntry] {
        guard !drafts.isEmpty else { return [] }
        let time = UInt64(now.timeIntervalSince1970 * 1000)
        var head = self.head
        // A new segment when there is none, or when the last roll-over could not create one.
        if state.withLock({ $0.segments.last.map { $0.size >= settings.segmentBytes && !$0.offsets.isEmpty } ?? true }) {
            try startSegment(firstSeq: head + 1)
        }
        let entries = drafts.enumerated().map { index, draft in
            JournalEntry(
                seq: head + UInt64(index) + 1, timeMilliseconds: time, id: draft.id, schema: draft.schema, topics: draft.topics,
                payload: draft.payload)
        }
        head += UInt64(drafts.count)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(entries.reduce(0) { $0 + $1.encodedCapacity })
        var offsets: [UInt32] = []
        var startSize = state.withLock { $0.segments[$0.segments.count - 1].size }
        for entry in entries {
            offsets.append(UInt32(startSize + buffer.count))
            entry.encode(into: &buffer)
        }
        try appendTimer.measure {
            try writer.withLock { descriptor in
                let path = state.withLock { $0.segments[$0.segments.count - 1].path }
                try Self.prepareWriter(&descriptor, path: path, size: startSize)
                // A batch that fails is not journaled: none of it is left behind.
                do {
                    try buffer.withUnsafeBytes { bytes in
                        try WholeAppend.append(bytes, to: descriptor, endingAt: off_t(startSize), sync: settings.durable)
                    }
                } catch let failure as WholeAppend.Failure {
                    throw JournalError(failure.describe(path))
                }
            }
        }
        state.withLock { state in
            let last = state.segments.count - 1
            state.segments[last].offsets += offsets
            state.segments[last].ids += entries.compactMap { entry in RecordKey(hex: entry.id).map { ($0, entry.seq) } }
            state.segments[last].size += buffer.count
            state.segments[last].lastTimeMilliseconds = time
            for entry in entries { if let key = RecordKey(hex: entry.id) { state.ids[key] = entry.seq } }
            state.head = head
        }
        startSize += buffer.count
        if startSize >= settings.segmentBytes {
            // The batch is journaled whatever happens here: a segment that cannot be created now
            // (a full disk) is created by the next append, before it writes anything.
            do {
                try startSegment(firstSeq: head + 1)
            } catch {
                logger.warning("cannot start a new journal segment yet", metadata: ["error": "\(error)"])
            }
        }
        enforceRetention(now: now)
        return entries
    }

    /// What a read found.
    public struct ReadResult: Sendable {
        public var entries: [JournalEntry]
        /// The seq to ask for next (one past the last one examined).
        public var next: UInt64
        public var first: UInt64
        public var head: UInt64
    }

    /// Reads records from `from` on, at most `limit` of them and at most up to `through`,
    /// keeping only those with a topic starting with one of `prefixes` (all when empty), and
    /// examining at most `maxScan` entries. Seqs below `first` are skipped.
    ///
    /// With `payloads` false the entries come back without their payloads (listing seqs then
    /// costs one entry's memory at a time, not the whole range's).
    public func read(
        from: UInt64, through: UInt64 = .max, limit: Int, prefixes: [String] = [], maxScan: Int = 10_000, payloads: Bool = true
    )
        throws -> ReadResult
    {
        let (segments, head) = state.withLock { ($0.segments, $0.head) }
        let first = segments.first(where: { !$0.offsets.isEmpty })?.firstSeq ?? head + 1
        let end = min(through, head)
        var seq = max(from, first)
        var entries: [JournalEntry] = []
        var scanned = 0
        var descriptor: Int32 = -1
        var openPath = ""
        defer { if descriptor >= 0 { close(descriptor) } }
        while seq <= end && entries.count < limit && scanned < maxScan {
            guard let segment = segments.last(where: { $0.firstSeq <= seq && !$0.offsets.isEmpty }) else { break }
            if openPath != segment.path {
                if descriptor >= 0 { close(descriptor) }
                descriptor = open(segment.path, O_RDONLY | O_CLOEXEC)
                // Retention may have deleted it meanwhile: report what is left.
                if descriptor < 0 { return ReadResult(entries: entries, next: seq, first: self.first, head: head) }
                openPath = segment.path
            }
            let offset = Int(segment.offsets[Int(seq - segment.firstSeq)])
            var entry = try Self.readEntry(descriptor: descriptor, offset: offset, path: segment.path)
            scanned += 1
            if !payloads { entry.payload = Data() }
            if prefixes.isEmpty || entry.firstTopic(matching: prefixes) != nil { entries.append(entry) }
            seq += 1
        }
        return ReadResult(entries: entries, next: seq, first: first, head: head)
    }

    // MARK: Files

    private func startSegment(firstSeq: UInt64) throws {
        let path = settings.directory + "/" + String(format: "%020llu", firstSeq) + ".seg"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw JournalError.system("create", path) }
        close(descriptor)
        try Self.syncDirectory(settings.directory)
        state.withLock {
            $0.segments.append(Segment(firstSeq: firstSeq, path: path, offsets: [], ids: [], size: 0, lastTimeMilliseconds: 0))
        }
        try openWriter(path: path)
    }

    /// Makes `descriptor` a writer at the end of the last whole batch, `size`: reopened if an
    /// earlier open failed (a segment started when no descriptor was left), and the file cut
    /// back if it is longer, because a failed batch's cut-back failed too (offsets are counted
    /// from `size`, and an append would land after the torn bytes).
    private static func prepareWriter(_ descriptor: inout Int32, path: String, size: Int) throws {
        if descriptor < 0 { descriptor = try openForAppending(path) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw JournalError.system("stat", path) }
        guard status.st_size != off_t(size) else { return }
        guard status.st_size > off_t(size), ftruncate(descriptor, off_t(size)) == 0 else {
            throw JournalError(
                status.st_size < off_t(size)
                    ? "\(path) is \(status.st_size) bytes, shorter than the \(size) journaled; something else truncated it"
                    : "cannot cut \(path) back to its last whole batch (\(size) bytes): \(String(cString: strerror(errno)))")
        }
    }

    private func openWriter(path: String) throws {
        try writer.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            descriptor = try Self.openForAppending(path)
        }
    }

    private static func openForAppending(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw JournalError.system("open", path) }
        return descriptor
    }

    private func enforceRetention(now: Date) {
        let nowMilliseconds = UInt64(now.timeIntervalSince1970 * 1000)
        var removed: [String] = []
        state.withLock { state in
            // The segment of the last record journaled stays whatever the limits: a stream's head
            // must stay readable (the classify worker resumes from its last labels record).
            while state.segments.count > 1, state.segments.dropFirst().contains(where: { !$0.offsets.isEmpty }) {
                let total = state.segments.reduce(0) { $0 + $1.size }
                let oldest = state.segments[0]
                let tooOld =
                    settings.retentionSeconds > 0
                    && oldest.lastTimeMilliseconds + UInt64(settings.retentionSeconds) * 1000 < nowMilliseconds
                guard total > settings.retentionBytes || tooOld else { break }
                for id in oldest.ids where state.ids[id.key] == id.seq { state.ids[id.key] = nil }
                state.segments.removeFirst()
                removed.append(oldest.path)
            }
        }
        for path in removed {
            unlink(path)
            logger.info("journal segment removed by retention", metadata: ["segment": "\(path)"])
        }
    }

    /// What a journal directory holds, read without changing anything (for `marsad status`).
    public struct Summary: Codable, Sendable, Equatable {
        public var stream: String
        public var epoch: UInt64
        /// Oldest seq held (head + 1 when empty).
        public var first: UInt64
        public var head: UInt64
        public var records: Int
        public var bytes: Int
        public var segments: Int
    }

    /// Reads `directory`'s journal without repairing or locking it.
    public static func inspect(directory: String, logger: Logger) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: directory + "/journal.json"),
            let meta = try? JSONDecoder().decode(JournalMeta.self, from: data)
        else { throw JournalError("\(directory) holds no journal (journal.json missing)") }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }.sorted()
        let segments = try names.map { try scan(path: directory + "/" + $0, verify: false, repair: false, logger: logger) }.filter {
            !$0.offsets.isEmpty
        }
        let head = segments.last?.lastSeq ?? 0
        return Summary(
            stream: meta.stream, epoch: meta.epoch, first: segments.first?.firstSeq ?? head + 1, head: head,
            records: segments.reduce(0) { $0 + $1.offsets.count }, bytes: segments.reduce(0) { $0 + $1.size }, segments: names.count)
    }

    static func scan(path: String, verify: Bool, repair: Bool = true, logger: Logger) throws -> Segment {
        guard let name = path.split(separator: "/").last, let firstSeq = UInt64(name.dropLast(4)) else {
            throw JournalError("\(path): a segment name must be its first seq")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw JournalError.system("read", path) }
        var segment = Segment(firstSeq: firstSeq, path: path, offsets: [], ids: [], size: 0, lastTimeMilliseconds: 0)
        var offset = 0
        data.withUnsafeBytes { raw in
            while offset + JournalEntry.headerSize <= raw.count {
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let bodyStart = offset + JournalEntry.headerSize
                guard length >= 17, bodyStart + length <= raw.count else { break }
                let body = UnsafeRawBufferPointer(rebasing: raw[bodyStart..<(bodyStart + length)])
                if verify && CRC32C.checksum(body) != crc { break }
                guard let (seq, id) = JournalEntry.peekSeqAndID(body: body),
                    seq == firstSeq + UInt64(segment.offsets.count)
                else { break }
                segment.offsets.append(UInt32(offset))
                if let key = RecordKey(hex: id) { segment.ids.append((key, seq)) }
                segment.lastTimeMilliseconds = UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                offset = bodyStart + length
            }
        }
        segment.size = offset
        if offset < data.count && repair {
            // A torn or corrupt tail: cut it off so it is never served or appended after.
            logger.warning(
                "journal tail was torn; truncated",
                metadata: ["segment": "\(path)", "valid_bytes": "\(offset)", "dropped_bytes": "\(data.count - offset)"])
            guard truncate(path, off_t(offset)) == 0 else { throw JournalError.system("truncate", path) }
        }
        return segment
    }

    static func readEntry(descriptor: Int32, offset: Int, path: String) throws -> JournalEntry {
        var header = [UInt8](repeating: 0, count: JournalEntry.headerSize)
        guard pread(descriptor, &header, header.count, off_t(offset)) == header.count else { throw JournalError.system("read", path) }
        let length = Int(header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
        let crc = header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }
        var body = [UInt8](repeating: 0, count: length)
        guard pread(descriptor, &body, length, off_t(offset + JournalEntry.headerSize)) == length else { throw JournalError.system("read", path) }
        return try body.withUnsafeBytes { raw in
            guard CRC32C.checksum(raw) == crc, let entry = JournalEntry.decode(body: raw) else {
                throw JournalError("\(path): entry at byte \(offset) fails its checksum")
            }
            return entry
        }
    }

    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { throw JournalError.system("write", temporary) }
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard rename(temporary, path) == 0 else { throw JournalError.system("rename", path) }
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw JournalError.system("open", path) }
        fsync(descriptor)
        close(descriptor)
    }
}

/// `journal.json`: which stream the directory belongs to, and its epoch.
struct JournalMeta: Codable {
    var stream: String
    var epoch: UInt64
    var createdAt: String
    enum CodingKeys: String, CodingKey {
        case stream, epoch
        case createdAt = "created_at"
    }
}

/// A record id as 128 bits, for the in-memory duplicate index.
struct RecordKey: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init?(hex: String) {
        guard hex.utf8.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else { return nil }
        self.high = high
        self.low = low
    }
}
