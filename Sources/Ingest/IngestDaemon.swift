import ArticleParsing
import CSystem
import EntityLinking
import Foundation
import Glibc
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import Synchronization
import ZeroMQ

/// Counts of what ingest has done since it started.
public struct IngestCounts: Sendable, Equatable {
    public var published = 0
    public var failed = 0
    public var duplicates = 0
}

/// The ingest stage's work loop. It runs on a thread of its own (it blocks in `zmq_poll` and owns
/// its socket): bind the stream, finish `processing/`, scan `inbox/`, then watch the inbox with
/// inotify until asked to stop.
public final class IngestDaemon: Sendable {
    public struct Options: Sendable {
        /// Stop once `processing/` and `inbox/` are empty instead of watching.
        public var once = false
        /// Before touching the spool, wait until at least this many subscriptions have arrived
        /// (used by `marsad run`, whose own printer must not miss the first records).
        public var waitForSubscriptions = 0
        public init(once: Bool = false, waitForSubscriptions: Int = 0) {
            self.once = once
            self.waitForSubscriptions = waitForSubscriptions
        }
    }

    public let config: MarsadConfiguration
    public let spool: Spool
    private let builder: RecordBuilder
    private let logger: Logger
    private let options: Options
    private let context: Context
    private let wakeDescriptor: Int32
    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex<(counts: IngestCounts, head: UInt64, endpoint: String?)>((IngestCounts(), 0, nil))

    public init(config: MarsadConfiguration, builder: RecordBuilder, logger: Logger, options: Options = Options()) throws {
        self.config = config
        self.spool = Spool(root: config.spool.directory)
        self.builder = builder
        self.logger = logger
        self.options = options
        self.context = try Context()
        wakeDescriptor = marsad_eventfd()
        guard wakeDescriptor >= 0 else { throw SpoolError(operation: "eventfd", path: "", code: errno) }
    }

    deinit { close(wakeDescriptor) }

    /// What has been done so far (thread safe).
    public var counts: IngestCounts { state.withLock { $0.counts } }
    /// The last seq published (thread safe).
    public var head: UInt64 { state.withLock { $0.head } }

    /// Asks the loop to stop after the file in hand; safe from any thread or signal context.
    public func requestStop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        _ = marsad_eventfd_signal(wakeDescriptor)
    }

    /// Runs the loop on a new thread and returns when it ends.
    public func runOnThread(onReady: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    do {
                        try self.run(onReady: onReady)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "marsad-ingest"
                thread.start()
            }
        } onCancel: {
            self.requestStop()
        }
    }

    private var stopping: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }

    /// The loop itself; blocks the calling thread. `onReady` gets the bound endpoint once the
    /// stream is bound and the startup scan is done.
    public func run(onReady: (String) -> Void = { _ in }) throws {
        try spool.prepare()
        try FileManager.default.createDirectory(atPath: config.state.directory, withIntermediateDirectories: true)
        let publisher = try StreamPublisher(
            context: context,
            settings: PublisherSettings(
                stream: config.ingest.stream, endpoint: config.ingestPublishEndpoint,
                heartbeatIntervalMilliseconds: config.ingest.heartbeatIntervalMilliseconds,
                sendHighWaterMark: config.ingest.sendHighWaterMark,
                blockTimeoutMilliseconds: config.ingest.blockTimeoutMilliseconds),
            logger: logger)
        defer { publisher.close(lingerMilliseconds: 2000) }
        state.withLock { $0.endpoint = publisher.boundEndpoint }

        // Watch before scanning: a file that lands during the scan is then seen by one or both,
        // and a claim that finds the file gone simply skips it.
        let watcher = try InboxWatcher(directory: spool.inbox)
        let poller = Poller()
        let watcherItem = poller.add(fileDescriptor: watcher.fileDescriptor)
        let publisherItem = poller.add(publisher.socket)
        let wakeItem = poller.add(fileDescriptor: wakeDescriptor)
        var recent = RecentRecords(capacity: 1_000_000)

        if options.waitForSubscriptions > 0 {
            try waitForSubscribers(publisher: publisher)
        }
        try publisher.sendHeartbeat()

        for name in spool.names(in: spool.processing) where !stopping {
            logger.info("finishing a file left in processing/", metadata: ["file": "\(name)"])
            try processTolerantly(name, publisher: publisher, recent: &recent)
        }
        var pending = PendingNames()
        var deferred = scanInbox(into: &pending)
        var nextRescan = StreamClock.monotonicMilliseconds() + rescanDelay(deferred: deferred)
        logger.info(
            "ingest ready",
            metadata: [
                "publish": "\(publisher.boundEndpoint)", "spool": "\(spool.root)", "stream": "\(config.ingest.stream)", "epoch": "\(publisher.epoch)",
            ])
        onReady(publisher.boundEndpoint)

        while !stopping {
            let now = StreamClock.monotonicMilliseconds()
            let untilHeartbeat = try publisher.heartbeatIfDue()
            if now >= nextRescan {
                deferred = scanInbox(into: &pending)
                nextRescan = now + rescanDelay(deferred: deferred)
            }
            if options.once && pending.isEmpty && deferred == 0 { break }

            let untilRescan = Int(nextRescan - min(nextRescan, now))
            let timeout = pending.isEmpty ? min(untilHeartbeat, untilRescan) : 0
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
            if let name = pending.popFirst() {
                guard let claimed = try spool.claim(name) else { continue }
                try processTolerantly(claimed, publisher: publisher, recent: &recent)
            }
        }
        try publisher.sendHeartbeat()
        logger.info("ingest stopped", metadata: ["published": "\(counts.published)", "failed": "\(counts.failed)", "head": "\(publisher.head)"])
    }

    private func waitForSubscribers(publisher: StreamPublisher) throws {
        var subscriptions = 0
        let poller = Poller()
        poller.add(publisher.socket)
        poller.add(fileDescriptor: wakeDescriptor)
        while subscriptions < options.waitForSubscriptions && !stopping {
            try poller.poll(timeoutMilliseconds: 100)
            while let frames = try publisher.socket.receive(dontWait: true) {
                if frames.first?.withUnsafeBytes({ $0.first }) == 1 { subscriptions += 1 }
            }
        }
    }

    /// Adds every complete file of the inbox to `pending`; returns how many were too fresh to take.
    private func scanInbox(into pending: inout PendingNames) -> Int {
        var deferred = 0
        let settle = Double(config.spool.settleMilliseconds) / 1000
        let now = Date()
        for name in spool.names(in: spool.inbox) {
            let path = spool.inbox + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR { continue }
            let modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
            // A file that is still changing may still be written: its close will be reported by
            // inotify, or a later scan takes it.
            if now.timeIntervalSince(modified) < settle {
                deferred += 1
                continue
            }
            pending.append(name)
        }
        return deferred
    }

    private func rescanDelay(deferred: Int) -> UInt64 {
        if deferred > 0 { return UInt64(max(config.spool.settleMilliseconds, 100)) }
        let interval = config.spool.rescanIntervalSeconds
        return interval > 0 ? UInt64(interval) * 1000 : UInt64.max / 2
    }

    /// Like `process`, but a file that someone else removed from `processing/` meanwhile is
    /// logged and skipped instead of stopping the daemon: there is nothing left to account for.
    private func processTolerantly(_ name: String, publisher: StreamPublisher, recent: inout RecentRecords) throws {
        do {
            try process(name, publisher: publisher, recent: &recent)
        } catch let error as SpoolError where error.code == ENOENT {
            logger.warning("a file vanished from processing/ while in hand", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    /// Processes `processing/name`: publish it and move it to `done/`, or quarantine it.
    private func process(_ name: String, publisher: StreamPublisher, recent: inout RecentRecords) throws {
        let path = spool.processing + "/" + name
        let received = Date()
        let record: ArticleRecord
        do throws(IngestFailure) {
            try ArticleFileReader.checkType(of: name)
            let bytes = try ArticleFileReader.read(path: path, maxBytes: config.spool.maxFileBytes)
            do throws(ParseFailure) {
                record = try builder.record(for: SourceFile(name: name, bytes: bytes, receivedAt: received))
            } catch {
                throw IngestFailure(error)
            }
        } catch {
            try quarantine(name, failure: error)
            return
        }

        if recent.insert(record.id) {
            let outcome = try publisher.publish(
                recordID: record.id, schema: ArticleRecord.schemaName, payload: try record.jsonData(),
                topics: Topic.topics(forEntityIDs: record.entities.map(\.id)))
            state.withLock {
                $0.counts.published += 1
                $0.head = outcome.seq
            }
            logger.info(
                "published", metadata: ["file": "\(name)", "id": "\(record.id)", "seq": "\(outcome.seq)", "entities": "\(record.entities.count)"])
        } else {
            state.withLock { $0.counts.duplicates += 1 }
            logger.info("duplicate of a record already published; not published again", metadata: ["file": "\(name)", "id": "\(record.id)"])
        }
        switch config.spool.afterProcessing {
        case .move: try spool.complete(name)
        case .delete: try spool.delete(name)
        }
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
}

/// Names waiting to be claimed, in arrival order, each once.
struct PendingNames {
    private var queue: [String] = []
    private var head = 0
    private var members: Set<String> = []

    var isEmpty: Bool { head == queue.count }

    mutating func append(_ name: String) {
        if members.insert(name).inserted { queue.append(name) }
    }

    mutating func popFirst() -> String? {
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
