import ArticleParsing
import CLinux
import EntityLinking
import Foundation
import Glibc
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import Metrics
import Synchronization
import SystemdNotify
import ZeroMQ

/// Counts of what ingest has done since it started.
public struct IngestCounts: Sendable, Equatable {
    public var published = 0
    public var failed = 0
    public var duplicates = 0
    /// Records of files found in `processing/` that an earlier run had journaled from the same
    /// file (name and bytes) but not moved on: neither published again nor duplicates.
    public var journaledEarlier = 0
}

/// The ingest stage's work loop. It runs on a thread of its own (it blocks in `zmq_poll` and owns
/// its socket): open the journal, serve replays, bind the live stream, finish `processing/`, scan
/// `inbox/`, then watch the inbox with inotify until asked to stop.
///
/// Files are taken in batches: each is claimed and parsed (the batch's files on every core), the
/// new records of the batch are appended to the journal in one group commit, the records go out
/// live, then the files leave `processing/`. A crash at any point leaves each file either still
/// to do or done and journaled; a file processed again finds its record in the journal and is not
/// published twice.
public final class IngestDaemon: Sendable {
    public struct Options: Sendable {
        /// Stop once `processing/` and `inbox/` are empty instead of watching.
        public var once = false
        public init(once: Bool = false) {
            self.once = once
        }
    }

    public let config: MarsadConfiguration
    public let spool: Spool
    private let builder: Mutex<RecordBuilder>
    private let logger: Logger
    private let options: Options
    private let context: Context
    private let wakeDescriptor: Int32
    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex<(counts: IngestCounts, head: UInt64, idle: Bool)>((IngestCounts(), 0, false))
    /// Files in `processing/` whose records are journaled and published but which could not be
    /// moved on yet (a read-only or immutable `done/`), with what became of each record: the next
    /// attempt only moves them on (a parse again, perhaps with a reloaded parser, could give
    /// another id). Touched by the work loop only.
    private let awaitingMove = Mutex<[String: [Outcome]]>([:])

    public init(config: MarsadConfiguration, builder: RecordBuilder, logger: Logger, options: Options = Options()) throws {
        self.config = config
        self.spool = Spool(root: config.spool.directory)
        self.builder = Mutex(builder)
        self.logger = logger
        self.options = options
        self.context = try Context()
        wakeDescriptor = marsad_eventfd()
        guard wakeDescriptor >= 0 else { throw SpoolError(operation: "eventfd", path: "", code: errno) }
    }

    deinit { close(wakeDescriptor) }

    /// What has been done so far (thread safe).
    public var counts: IngestCounts { state.withLock { $0.counts } }
    /// The last seq journaled and published (thread safe).
    public var head: UInt64 { state.withLock { $0.head } }
    /// Whether the startup scan is done and nothing is waiting in the inbox (thread safe).
    public var isIdle: Bool { state.withLock { $0.idle } }

    /// Replaces the parser and linker (new gazetteer or boilerplate markers) from the next batch
    /// on; the batch in hand finishes with the old ones, so no file is lost or parsed twice.
    public func reload(builder: RecordBuilder) {
        self.builder.withLock { $0 = builder }
    }

    /// Asks the loop to stop after the batch in hand; safe from any thread.
    public func requestStop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        _ = marsad_eventfd_signal(wakeDescriptor)
    }

    private var stopping: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }

    /// The loop itself; blocks the calling thread. `onReady` gets the bound publish endpoint once
    /// the stream is bound and the startup scan is done.
    public func run(onReady: (String) -> Void = { _ in }) throws {
        defer { context.shutdown() }  // ends the replay and ZAP threads
        try spool.prepare()
        let spoolOwner = try OwnerLock(
            path: spool.root + "/ingest.lock", what: "the spool \(spool.root)",
            risk: "both finish the files in processing/ and journal them twice", fix: "give this one its own [spool] dir (or --spool)")
        defer { withExtendedLifetime(spoolOwner) {} }
        try Directories.create(config.state.directory, for: "the state directory", setting: "[state] dir (or --state)")
        let stream = config.ingest.stream
        let journal = try Journal(
            settings: JournalSettings(
                directory: config.journalDirectory(stream: stream), stream: stream, segmentBytes: config.journal.segmentBytes,
                retentionBytes: config.journal.retentionBytes, retentionSeconds: config.journal.retentionHours * 3600,
                durable: config.journal.durable),
            logger: logger)
        let security = try ServerSecurity.load(config.curve)
        if let security { try ZAPHandler(context: context, allowedClientKeys: security.allowedClients, logger: logger).start() }
        let replayEndpoint = try ReplayServer(
            journal: journal, endpoint: config.ingestReplayEndpoint, context: context, security: security?.socket, logger: logger
        ).start()
        let publisher = try StreamPublisher(
            context: context,
            settings: PublisherSettings(
                stream: stream, endpoint: config.ingestPublishEndpoint, replayEndpoint: replayEndpoint,
                heartbeatIntervalMilliseconds: config.ingest.heartbeatIntervalMilliseconds,
                sendHighWaterMark: config.ingest.sendHighWaterMark, security: security?.socket),
            epoch: journal.epoch, head: journal.head, logger: logger)
        defer { publisher.close(lingerMilliseconds: 2000) }
        publisher.first = journal.first
        state.withLock { $0.head = journal.head }

        // Watch before scanning: a file that lands during the scan is then seen by one or both,
        // and a claim that finds the file gone simply skips it.
        let watcher = try InboxWatcher(directory: spool.inbox)
        let poller = Poller()
        let watcherItem = poller.add(fileDescriptor: watcher.fileDescriptor)
        let publisherItem = poller.add(publisher.socket)
        let wakeItem = poller.add(fileDescriptor: wakeDescriptor)

        try publisher.sendHeartbeat()

        // While the journal or the spool cannot be written, claimed files wait in processing/.
        var retry: StorageRetry?
        // The episode ends once a claim's batch is stored, or nothing more waits to be claimed.
        func recovered() {
            guard let waiting = retry, waiting.probing else { return }
            logger.notice("the journal and the spool can be written again", metadata: ["attempts": "\(waiting.attempts + 1)"])
            retry = nil
        }
        do {
            try finishLeftovers(journal: journal, publisher: publisher, reason: "finishing files left in processing/")
        } catch let error where StorageRetry.covers(error) && !options.once {
            StorageRetry.fail(&retry, error, logger: logger, spool: spool)
        }
        var pending = PendingNames()
        // Names in inbox/ whose claim failed for a reason of their own, already said.
        var unclaimable: Set<String> = []
        var deferred = scanInbox(into: &pending)
        var nextRescan = StreamClock.monotonicMilliseconds() + rescanDelay(deferred: deferred)
        logger.info(
            "ingest ready",
            metadata: [
                "publish": "\(publisher.boundEndpoint)", "replay": "\(replayEndpoint)", "spool": "\(spool.root)", "stream": "\(stream)",
                "epoch": "\(journal.epoch)", "head": "\(journal.head)", "curve": "\(security != nil)",
            ])
        onReady(publisher.boundEndpoint)
        let notifier = SystemdNotifier.shared
        notifier.notify("READY=1\nSTATUS=watching \(spool.inbox); journal head \(journal.head)")
        var memory = IdleMemory()

        while !stopping {
            let now = StreamClock.monotonicMilliseconds()
            let untilHeartbeat = try publisher.heartbeatIfDue()
            if now >= nextRescan {
                deferred = scanInbox(into: &pending)
                nextRescan = now + rescanDelay(deferred: deferred)
            }
            let idle = pending.isEmpty && deferred == 0
            state.withLock { $0.idle = idle }
            if options.once && idle { break }

            // After a pause, what waited in processing/ goes first; then claims may try again.
            if let waiting = retry, !waiting.probing, now >= waiting.at {
                do {
                    try finishLeftovers(journal: journal, publisher: publisher, reason: "storing the files that waited in processing/")
                    retry?.probing = true
                } catch let error where StorageRetry.covers(error) {
                    StorageRetry.fail(&retry, error, logger: logger, spool: spool)
                }
            }
            if pending.isEmpty { recovered() }
            notifier.watchdog(status: retry?.status ?? self.statusLine(head: journal.head))
            let untilRescan = Int(nextRescan - min(nextRescan, now))
            let mayClaim = retry?.probing ?? true
            var timeout = mayClaim && !pending.isEmpty ? 0 : min(untilHeartbeat, untilRescan)
            if let waiting = retry, !waiting.probing { timeout = min(timeout, Int(waiting.at - min(waiting.at, now))) }
            if let interval = notifier.watchdogIntervalMilliseconds { timeout = min(timeout, Int(interval)) }
            try poller.poll(timeoutMilliseconds: max(0, timeout))
            if poller.events(at: wakeItem).contains(.readable) { marsad_eventfd_drain(wakeDescriptor) }
            if poller.events(at: publisherItem).contains(.readable) { try publisher.handleSubscriptions() }
            if poller.events(at: watcherItem).contains(.readable) {
                let changes = watcher.read()
                for name in changes.names { pending.append(name) }
                if changes.overflowed {
                    logger.warning("inotify queue overflowed; rescanning the inbox")
                    deferred = scanInbox(into: &pending)
                    nextRescan = StreamClock.monotonicMilliseconds() + rescanDelay(deferred: deferred)
                }
            }
            var claimed: [String] = []
            while retry?.probing ?? true, claimed.count < config.ingest.batchMax, let name = pending.popFirst() {
                do {
                    if let claimedAs = try spool.claim(name) {
                        claimed.append(claimedAs)
                        unclaimable.remove(name.displayName)
                    }
                } catch let error as SpoolError where !error.isStorageWide && !options.once {
                    // This file alone cannot be taken: the others go on, and it stays in inbox/
                    // for the next rescan (said once, not at each rescan).
                    if unclaimable.insert(name.displayName).inserted {
                        logger.warning(
                            "cannot claim a file; it stays in inbox/ and is tried again at each rescan",
                            metadata: [
                                "file": "\(name.displayName)", "error": "\(error)",
                                "hint": "let the marsad user rename it (not immutable, not another user's file in a sticky directory)",
                            ])
                    }
                } catch let error where StorageRetry.covers(error) && !options.once {
                    // A spool that cannot be written (remounted read-only): the name waits too.
                    pending.append(name)
                    StorageRetry.fail(&retry, error, logger: logger, spool: spool)
                }
            }
            if !claimed.isEmpty {
                do {
                    try processBatch(claimed, journal: journal, publisher: publisher)
                    recovered()
                } catch let error where StorageRetry.covers(error) && !options.once {
                    StorageRetry.fail(&retry, error, logger: logger, spool: spool)
                }
                publisher.first = journal.first
                memory.worked()
            } else if pending.isEmpty {
                memory.quiet()
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping; " + statusLine(head: journal.head))
        try publisher.sendHeartbeat()
        logger.info(
            "ingest stopped",
            metadata: [
                "published": "\(counts.published)", "failed": "\(counts.failed)", "duplicates": "\(counts.duplicates)",
                "journaled_earlier": "\(counts.journaledEarlier)", "head": "\(journal.head)",
            ])
    }

    /// Processes what is in processing/, in batches: at start-up, files a crash left there; after
    /// a storage failure, the files that waited there.
    private func finishLeftovers(journal: Journal, publisher: StreamPublisher, reason: String) throws {
        let inProcessing = try spool.listing(spool.processing)
        guard !inProcessing.isEmpty else { return }
        logger.info("\(reason)", metadata: ["files": "\(inProcessing.count)"])
        // Files journaled and published already, which only need moving on (one that left
        // processing/ by other means is forgotten).
        let present = Set(inProcessing)
        let waiting = awaitingMove.withLock { waiting in
            waiting = waiting.filter { present.contains($0.key) }
            return waiting
        }
        try moveOn(inProcessing.compactMap { name in waiting[name].map { (name, $0) } })
        let leftovers = inProcessing.filter { waiting[$0] == nil }
        for batch in stride(from: 0, to: leftovers.count, by: config.ingest.batchMax) where !stopping {
            SystemdNotifier.shared.watchdog()
            try processBatch(
                Array(leftovers[batch..<min(batch + config.ingest.batchMax, leftovers.count)]), journal: journal, publisher: publisher,
                leftovers: true)
            publisher.first = journal.first
        }
    }

    /// The STATUS line `systemctl status` shows.
    private func statusLine(head: UInt64) -> String {
        let counts = self.counts
        let earlier = counts.journaledEarlier > 0 ? ", journaled before a restart \(counts.journaledEarlier)" : ""
        return "published \(counts.published), failed \(counts.failed), duplicates \(counts.duplicates)\(earlier); journal head \(head)"
    }

    /// Adds every complete file of the inbox to `pending`, oldest first (so a file that lands
    /// during a burst waits behind the files older than it, not behind every name that sorts
    /// before it); returns how many were too fresh to take.
    private func scanInbox(into pending: inout PendingNames) -> Int {
        var deferred = 0
        let settle = Double(config.spool.settleMilliseconds) / 1000
        let now = Date().timeIntervalSince1970
        var complete: [(name: InboxName, modified: Double)] = []
        for name in spool.inboxNames() {
            guard let status = spool.status(ofInbox: name) else { continue }
            if status.st_mode & S_IFMT == S_IFDIR { continue }
            let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
            // A file that is still changing may still be written: its close will be reported by
            // inotify, or a later scan takes it.
            if now - modified < settle {
                deferred += 1
                continue
            }
            complete.append((name, modified))
        }
        complete.sort { ($0.modified, $0.name.displayName) < ($1.modified, $1.name.displayName) }
        for file in complete { pending.append(file.name) }
        return deferred
    }

    private func rescanDelay(deferred: Int) -> UInt64 {
        if deferred > 0 { return UInt64(max(config.spool.settleMilliseconds, 100)) }
        let interval = config.spool.rescanIntervalSeconds
        return interval > 0 ? UInt64(interval) * 1000 : UInt64.max / 2
    }

    /// What became of one record of a file (or of a file without one, `id` empty).
    struct Outcome {
        enum Kind {
            /// Journaled by this batch, at `seq`.
            case published
            /// The same article as a record journaled before, from another file (or another drop).
            case duplicate
            /// Journaled before from this very file (same name and bytes), at `seq`: a file a
            /// stopped run journaled and did not move on. Not a duplicate; not published again.
            case journaledEarlier
        }
        let id: String
        let kind: Kind
        let seq: UInt64
        let fileBytes: Int
    }

    /// Processes files claimed into `processing/`: parse each, journal the new records in one
    /// group commit, publish them live, then move the files on.
    ///
    /// `leftovers`: the files were found in `processing/`, so a record already journaled may have
    /// come from the file itself, journaled by a run that stopped before moving it on.
    private func processBatch(_ names: [String], journal: Journal, publisher: StreamPublisher, leftovers: Bool = false) throws {
        let builder = self.builder.withLock { $0 }
        // Files are read, parsed and written as records on every core; what follows (quarantine,
        // duplicates, the journal, publishing, moving) goes file by file in the batch's order.
        let parsed = Self.parseAll(names, spool: spool, maxBytes: config.spool.maxFileBytes, builder: builder)
        var drafts: [Journal.Draft] = []
        var finished: [(name: String, record: ParsedFile.Ready?, kind: Outcome.Kind, earlierSeq: UInt64)] = []
        var batchIDs: Set<String> = []
        for (name, file) in zip(names, parsed) {
            guard let records = try accept(name, file) else { continue }
            if records.isEmpty { finished.append((name, nil, .duplicate, 0)) }
            for record in records {
                if let seq = journal.seq(ofID: record.id) {
                    let earlier = leftovers && Self.journaled(seq, cameFrom: name, record, journal: journal)
                    finished.append((name, record, earlier ? .journaledEarlier : .duplicate, earlier ? seq : 0))
                } else if !batchIDs.insert(record.id).inserted {
                    finished.append((name, record, .duplicate, 0))
                } else {
                    drafts.append(Journal.Draft(id: record.id, schema: ArticleRecord.schemaName, topics: record.topics, payload: record.payload))
                    finished.append((name, record, .published, 0))
                }
            }
        }
        let entries = try journal.append(drafts)
        // Journaled: published now, whatever happens to the moves below. A file that cannot be
        // moved on (a read-only spool) waits in processing/ with its outcome (`awaitingMove`);
        // published only once moved, its record would never go out live.
        try publisher.publish(entries)
        state.withLock {
            $0.counts.published += entries.count
            $0.head = journal.head
        }
        IngestMetrics.published.increment(by: entries.count)
        let seqByID = Dictionary(entries.map { ($0.id, $0.seq) }, uniquingKeysWith: { first, _ in first })
        var files: [(name: String, outcomes: [Outcome])] = []
        for file in finished {
            let seq = file.kind == .published ? file.record.flatMap { seqByID[$0.id] } ?? 0 : file.earlierSeq
            let outcome = Outcome(id: file.record?.id ?? "", kind: file.kind, seq: seq, fileBytes: file.record?.source?.size ?? 0)
            if files.last?.name == file.name {
                files[files.count - 1].outcomes.append(outcome)
            } else {
                files.append((file.name, [outcome]))
            }
        }
        try moveOn(files)
    }

    /// Moves each file out of `processing/` (to `done/`, or deletes it), then counts and logs its
    /// records. When a move fails, that file and the rest wait in `awaitingMove`, to be moved on
    /// by the next attempt without being parsed again.
    private func moveOn(_ files: [(name: String, outcomes: [Outcome])]) throws {
        for (index, file) in files.enumerated() {
            do {
                switch config.spool.afterProcessing {
                case .move: try spool.complete(file.name)
                case .delete: try spool.delete(file.name)
                }
            } catch let error as SpoolError where error.code == ENOENT {
                logger.warning("a file vanished from processing/ while in hand", metadata: ["file": "\(file.name)"])
            } catch {
                awaitingMove.withLock { waiting in
                    for rest in files[index...] { waiting[rest.name] = rest.outcomes }
                }
                throw error
            }
            awaitingMove.withLock { _ = $0.removeValue(forKey: file.name) }
            let duplicates = file.outcomes.filter { $0.kind == .duplicate && !$0.id.isEmpty }.count
            let earlier = file.outcomes.filter { $0.kind == .journaledEarlier }.count
            state.withLock {
                $0.counts.duplicates += duplicates
                $0.counts.journaledEarlier += earlier
            }
            IngestMetrics.duplicates.increment(by: duplicates)
            IngestMetrics.journaledEarlier.increment(by: earlier)
            for outcome in file.outcomes {
                IngestMetrics.bytes.increment(by: outcome.fileBytes)
                if outcome.id.isEmpty {
                    logger.info("no article in the file; every line was quarantined or blank", metadata: ["file": "\(file.name)"])
                    continue
                }
                switch outcome.kind {
                case .published:
                    logger.info("published", metadata: ["file": "\(file.name)", "id": "\(outcome.id)", "seq": "\(outcome.seq)"])
                case .duplicate:
                    logger.info("duplicate of a journaled record; not published again", metadata: ["file": "\(file.name)", "id": "\(outcome.id)"])
                case .journaledEarlier:
                    logger.info(
                        "journaled before the restart from this file (the same name and bytes); moved on, not published again",
                        metadata: ["file": "\(file.name)", "id": "\(outcome.id)", "seq": "\(outcome.seq)"])
                }
            }
        }
    }

    /// What reading and parsing one file gave: its records with their JSON, or why it cannot
    /// be read at all.
    struct ParsedFile {
        /// A record reduced to what the batch journals: the article itself is let go on the
        /// parsing thread once its JSON is written, so a batch in hand holds little more than the
        /// JSON it is about to journal.
        struct Ready {
            let id: String
            let topics: [String]
            let payload: Data
            /// The file (or `.jsonl` line) as the record's `files` names it: name, SHA-256, size.
            let source: ArticleRecord.FileField?
        }

        /// A record ready to journal, or a `.jsonl` line (or whole file) that is not one.
        enum Item {
            case ready(Ready)
            case failed(line: Int?, lineBytes: [UInt8]?, failure: ParseFailure)
        }

        /// The file's items in order, or why it cannot be read at all.
        let items: Result<[Item], IngestFailure>
    }

    /// The cores to parse on (read once: Foundation reads the cgroup files at every call).
    static let processors = ProcessInfo.processInfo.activeProcessorCount

    /// Whether the journaled record `seq` came from this very file: the same name, bytes and line
    /// in its `files`. A file left in `processing/` whose record was journaled by a run that
    /// stopped before moving it on (a crash, a kill, a `done/` that could not be written).
    static func journaled(_ seq: UInt64, cameFrom name: String, _ record: ParsedFile.Ready, journal: Journal) -> Bool {
        guard let entry = try? journal.read(from: seq, through: seq, limit: 1).entries.first, entry.seq == seq,
            let journaled = try? ArticleRecord.decodeWithoutMentions(entry.payload)
        else { return false }
        return journaled.files.contains { $0.name == name && $0.sha256 == record.source?.sha256 && $0.line == record.source?.line }
    }

    /// Reads and parses `processing/<name>` for every name, spread over the cores, in order.
    static func parseAll(_ names: [String], spool: Spool, maxBytes: Int, builder: RecordBuilder) -> [ParsedFile] {
        @Sendable func parse(_ name: String) -> ParsedFile {
            let started = DispatchTime.now().uptimeNanoseconds
            defer { IngestMetrics.parse.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started)) }
            do throws(IngestFailure) {
                let outcomes = try ArticleFileReader.records(path: spool.processing + "/" + name, name: name, maxBytes: maxBytes, builder: builder)
                return ParsedFile(
                    items: .success(
                        outcomes.map { outcome in
                            switch outcome.result {
                            case .success(let record):
                                .ready(
                                    .init(
                                        id: record.id, topics: Topic.topics(forEntityIDs: record.entities.map(\.id)), payload: record.jsonData(),
                                        source: record.files.first))
                            case .failure(let failure): .failed(line: outcome.line, lineBytes: outcome.lineBytes, failure: failure)
                            }
                        }))
            } catch {
                return ParsedFile(items: .failure(error))
            }
        }
        let workers = min(names.count, processors)
        guard workers > 1 else { return names.map(parse) }
        let results = Mutex([ParsedFile?](repeating: nil, count: names.count))
        let next = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < names.count else { return }
                let file = parse(names[index])
                results.withLock { $0[index] = file }
            }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// The records of a parsed file, ready to journal; a file that cannot be read at all is
    /// quarantined and `nil` returned. Each bad line of a `.jsonl` file is quarantined alone, as
    /// `failed/<name>.line-<n>`, and the file's good lines are returned.
    private func accept(_ name: String, _ file: ParsedFile) throws -> [ParsedFile.Ready]? {
        let items: [ParsedFile.Item]
        switch file.items {
        case .success(let list): items = list
        case .failure(let failure):
            if let code = failure.transientCode {
                // Out of descriptors or memory: the file is fine; it waits in processing/ and the
                // batch is tried again after the storage retry's pause.
                throw SpoolError(operation: "open", path: spool.processing + "/" + name, code: code)
            }
            try quarantineWhole(name, failure: failure)
            return nil
        }
        var records: [ParsedFile.Ready] = []
        for item in items {
            switch item {
            case .ready(let record):
                records.append(record)
            case .failed(let line, let lineBytes, let failure):
                guard let line else {
                    try quarantineWhole(name, failure: IngestFailure(failure))
                    return nil
                }
                try quarantineLine(name, line: line, bytes: lineBytes ?? [], failure: IngestFailure(failure))
            }
        }
        return records
    }

    private func quarantineWhole(_ name: String, failure: IngestFailure) throws {
        do {
            try quarantine(name, failure: failure)
        } catch let error as SpoolError where error.code == ENOENT {
            logger.warning("a file vanished from processing/ while in hand", metadata: ["file": "\(name)"])
        }
    }

    /// Writes one bad line of `name` to `failed/<name>.line-<n>` with its report. Written again
    /// after a crash, the same line lands on the same name: an existing copy is kept.
    private func quarantineLine(_ name: String, line: Int, bytes: [UInt8], failure: IngestFailure) throws {
        let lineName = "\(name).line-\(line)"
        let report = FailureReport(
            file: name, reason: failure.reason, message: failure.message, hint: failure.hint, stage: failure.stage,
            time: StreamClock.iso(Date()), size: bytes.count, line: line)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let copy = try spool.quarantineCopy(lineName, bytes: bytes, report: try encoder.encode(report))
        guard copy.written else {
            // The same line of the same file again: after a restart, or a batch tried again after
            // a storage failure. It was counted and reported the first time.
            logger.debug("a line already quarantined", metadata: ["file": "\(name)", "line": "\(line)", "failed_as": "\(copy.name)"])
            return
        }
        let failedAs = copy.name
        state.withLock { $0.counts.failed += 1 }
        IngestMetrics.failed(failure.reason)
        logger.warning(
            "quarantined a line",
            metadata: [
                "file": "\(name)", "line": "\(line)", "failed_as": "\(failedAs)", "reason": "\(failure.reason)", "detail": "\(failure.message)",
            ])
    }

    private func quarantine(_ name: String, failure: IngestFailure) throws {
        var size: Int?
        var status = stat()
        if lstat(spool.processing + "/" + name, &status) == 0 { size = Int(status.st_size) }
        let report = FailureReport(
            file: name, reason: failure.reason, message: failure.message, hint: failure.hint, stage: failure.stage,
            time: StreamClock.iso(Date()), size: size)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let finalName = try spool.quarantine(name, report: try encoder.encode(report))
        state.withLock { $0.counts.failed += 1 }
        IngestMetrics.failed(failure.reason)
        logger.warning(
            "quarantined", metadata: ["file": "\(name)", "failed_as": "\(finalName)", "reason": "\(failure.reason)", "detail": "\(failure.message)"])
    }
}

/// The content of `failed/<name>.error.json`.
struct FailureReport: Codable {
    let file: String
    let reason: String
    let message: String
    let hint: String
    let stage: String
    let time: String
    let size: Int?
    /// The line of a `.jsonl` file, for a line quarantined alone.
    var line: Int? = nil
}

/// Names waiting to be claimed, in arrival order, each once.
struct PendingNames {
    private var queue: [InboxName] = []
    private var head = 0
    private var members: Set<InboxName> = []

    var isEmpty: Bool { head == queue.count }

    mutating func append(_ name: InboxName) {
        if members.insert(name).inserted { queue.append(name) }
    }

    mutating func popFirst() -> InboxName? {
        guard head < queue.count else { return nil }
        let name = queue[head]
        head += 1
        members.remove(name)
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return name
    }
}

/// A batch that could not be stored, or a file that could not be claimed, because the journal or
/// the spool could not be written (a full disk, a read-only remount, an I/O error). Claimed files
/// wait in processing/, where they are safe: the journal was cut back to its last whole batch;
/// unclaimed ones wait in inbox/. They are tried again after a pause that doubles from half a
/// second to 30 s; meanwhile nothing new is claimed, and the daemon goes on answering
/// subscribers, replay requests and systemd's watchdog. (`--once` fails instead.)
struct StorageRetry {
    private(set) var attempts = 1
    /// When to try again (monotonic milliseconds).
    private(set) var at: UInt64
    private(set) var error = ""
    /// The pause is over and what waited in processing/ is stored: claims are tried again, and
    /// the next batch stored (or an empty inbox) ends the episode.
    var probing = false

    /// Errors of the journal and the spool's moves; anything else still ends the daemon.
    static func covers(_ error: any Error) -> Bool { error is JournalError || error is SpoolError }

    /// Starts an episode, or counts one more failure of the one under way.
    static func fail(_ retry: inout StorageRetry?, _ error: any Error, logger: Logger, spool: Spool) {
        if retry == nil {
            retry = StorageRetry(failure: error, logger: logger, spool: spool)
        } else {
            retry?.failedAgain(error, logger: logger, spool: spool)
        }
    }

    private init(failure: any Error, logger: Logger, spool: Spool) {
        at = 0
        schedule(after: failure, logger: logger, spool: spool)
    }

    private mutating func failedAgain(_ failure: any Error, logger: Logger, spool: Spool) {
        attempts += 1
        probing = false
        schedule(after: failure, logger: logger, spool: spool)
    }

    private mutating func schedule(after failure: any Error, logger: Logger, spool: Spool) {
        error = "\(failure)"
        let delay = UInt64(RetryPause.milliseconds(afterAttempt: attempts))
        at = StreamClock.monotonicMilliseconds() + delay
        IngestMetrics.storageFailures.increment()
        logger.error(
            "cannot store a batch; its files wait in processing/ and are tried again",
            metadata: [
                "error": "\(error)", "attempt": "\(attempts)", "retry_in_ms": "\(delay)",
                "waiting": "\(spool.names(in: spool.processing).count)",
                "hint": "\(Self.hint(for: failure))",
            ])
    }

    private static func hint(for failure: any Error) -> String {
        if let failure = failure as? SpoolError, IngestFailure.transientCodes.contains(failure.code) {
            return "raise the open-file limit (LimitNOFILE= in the unit, ulimit -n) or free memory"
        }
        return "free space on the file systems of the state directory and the spool, or make them writable again"
    }

    /// The STATUS line while it lasts.
    var status: String { "cannot store batches (\(error)); files wait in processing/; attempt \(attempts)" }
}

/// The ingest stage's metrics (swift-metrics; Prometheus when `marsad` serves `/metrics`).
enum IngestMetrics {
    /// Batches that could not be stored (see `StorageRetry`).
    static let storageFailures = Counter(label: "marsad_ingest_storage_failures_total")
    static let published = Counter(label: "marsad_ingest_records_total", dimensions: [("outcome", "published")])
    static let duplicates = Counter(label: "marsad_ingest_records_total", dimensions: [("outcome", "duplicate")])
    static let journaledEarlier = Counter(label: "marsad_ingest_records_total", dimensions: [("outcome", "journaled_earlier")])
    static let bytes = Counter(label: "marsad_ingest_bytes_total")
    /// Reading and parsing one file (whatever the outcome), linking included.
    static let parse = Metrics.Timer(label: "marsad_ingest_parse_seconds")

    static func failed(_ reason: String) {
        Counter(label: "marsad_ingest_failed_total", dimensions: [("reason", reason)]).increment()
    }
}
