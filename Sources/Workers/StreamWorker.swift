import Foundation
import Logging
import MarsadStream
import Metrics
import Synchronization
import SystemdNotify
import ZeroMQ

/// Where a worker puts what it consumes: it commits each batch together with the checkpoint after
/// it, atomically, and tells where it stands after a restart.
public protocol RecordSink {
    /// The checkpoint of the last committed batch, `nil` if nothing was ever committed.
    var checkpoint: Checkpoint? { get throws }
    /// Commits a batch and its checkpoint together.
    func commit(_ batch: DurableSubscriber.Batch) throws
    /// A short description for logs (file or database and how much it holds).
    var summary: String { get }
    /// Called on the worker's thread between batches (at least twice a second), for sinks that
    /// also serve something: heartbeats, subscriptions, deliveries.
    func idle() throws
}

extension RecordSink {
    public func idle() throws {}
}

/// A worker: a durable subscription to a stream feeding a sink, every record exactly once.
/// `run()` blocks its thread until `stop()`.
public final class StreamWorker: Sendable {
    public struct Options: Sendable {
        /// The name `marsad status` lists.
        public var name: String
        public var endpoint: String
        public var prefixes: [String]
        public var statusDirectory: String
        public var security: SocketSecurity?
        /// How long one wait for the stream lasts before the sink's `idle()` runs again.
        public var pollMilliseconds: Int32 = 500

        public init(name: String, endpoint: String, prefixes: [String], statusDirectory: String, security: SocketSecurity? = nil) {
            self.name = name
            self.endpoint = endpoint
            self.prefixes = prefixes
            self.statusDirectory = statusDirectory
            self.security = security
        }
    }

    public let options: Options
    private let logger: Logger
    private let context: Context
    private let progress = Mutex<Checkpoint?>(nil)

    public init(options: Options, logger: Logger) throws {
        self.options = options
        self.logger = logger
        context = try Context()
    }

    /// Set by `stop()`: ends a wait between two attempts at a batch the sink could not commit.
    private let stopping = Atomic<Bool>(false)

    /// Stops the worker after the batch in hand (from any thread).
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        context.shutdown()
    }

    /// The checkpoint committed last (thread safe).
    public var committed: Checkpoint? { progress.withLock { $0 } }

    /// Runs on the calling thread until `stop()`; `output` names the sink in `marsad status`.
    public func run(sink: some RecordSink, output: String?) throws {
        let start = try sink.checkpoint
        progress.withLock { $0 = start }
        let subscriber = try DurableSubscriber(
            context: context, options: .init(endpoint: options.endpoint, prefixes: options.prefixes, security: options.security),
            checkpoint: start, logger: logger)
        logger.info(
            "worker started",
            metadata: [
                "worker": "\(options.name)", "sink": "\(sink.summary)",
                "resume_after": "\(start.map { "\($0.stream)/\($0.epoch)/\($0.seq)" } ?? "nothing")",
            ])
        // The status file follows the checkpoint at most four times a second, when the worker
        // falls idle and when it stops: not one file rewrite per batch.
        var lastStatus: Checkpoint?
        var lastStatusWrite = Date.distantPast
        // A status file that cannot be written (a full disk) is only a stale `marsad status`: it
        // is said once and tried again with the next batch, not a reason to stop consuming.
        var statusFailing = false
        func writeStatus(_ checkpoint: Checkpoint?, force: Bool) {
            guard let checkpoint, checkpoint != lastStatus, force || Date().timeIntervalSince(lastStatusWrite) >= 0.25 else { return }
            do {
                try ConsumerStatus(name: options.name, checkpoint: checkpoint, prefixes: options.prefixes, output: output)
                    .write(to: options.statusDirectory)
                statusFailing = false
            } catch {
                if !statusFailing { logger.warning("cannot write the status file", metadata: ["worker": "\(options.name)", "error": "\(error)"]) }
                statusFailing = true
            }
            lastStatus = checkpoint
            lastStatusWrite = Date()
        }
        var idleFailing = false
        let pollMilliseconds = options.pollMilliseconds
        let metrics = WorkerMetrics(worker: options.name)
        var memory = IdleMemory()
        let notifier = SystemdNotifier.shared
        notifier.notify("READY=1\nSTATUS=following \(options.endpoint) into \(sink.summary)")
        defer { notifier.notify("STOPPING=1") }
        do {
            while true {
                notifier.watchdog(status: "at \(self.committed.map { "\($0.stream) seq \($0.seq)" } ?? "the start"); \(sink.summary)")
                idle(sink, failing: &idleFailing)
                guard let batch = try subscriber.next(timeoutMilliseconds: pollMilliseconds) else {
                    memory.quiet()
                    writeStatus(progress.withLock { $0 }, force: true)
                    continue
                }
                if !batch.messages.isEmpty || batch.checkpoint != progress.withLock({ $0 }) {
                    try commit(batch, to: sink, metrics: metrics)
                    memory.worked()
                }
                progress.withLock { $0 = batch.checkpoint }
                metrics.record(batch, head: subscriber.knownHead)
                writeStatus(batch.checkpoint, force: lastStatus == nil)
            }
        } catch let error as ZMQError where error.isTerminated {
            writeStatus(progress.withLock { $0 }, force: true)
            logger.info(
                "worker stopped", metadata: ["worker": "\(options.name)", "sink": "\(sink.summary)", "replayed": "\(subscriber.replayedCount)"])
        }
    }
}

extension StreamWorker {
    /// The sink's work between batches (a WAL checkpoint, heartbeats, deliveries) runs again at
    /// least twice a second, so a failure of it (a full disk) is said once, with its recovery,
    /// and is no reason to stop consuming.
    fileprivate func idle(_ sink: some RecordSink, failing: inout Bool) {
        do {
            try sink.idle()
            if failing { logger.notice("the work between batches succeeds again", metadata: ["worker": "\(options.name)"]) }
            failing = false
        } catch {
            if !failing {
                logger.error(
                    "the work between batches failed; it is tried again", metadata: ["worker": "\(options.name)", "error": "\(error)"])
            }
            failing = true
        }
    }

    /// Commits `batch`, and tries again while the sink cannot store it (a full disk, an I/O error,
    /// a database locked too long): the batch and its checkpoint are the same at each attempt and
    /// its writes idempotent, so nothing is lost or applied twice. The pause doubles from half a
    /// second to 30 s; systemd's watchdog is answered meanwhile. A `stop()` ends the wait as a
    /// stop ends any other (the batch is left uncommitted, to be consumed again after a restart).
    fileprivate func commit(_ batch: DurableSubscriber.Batch, to sink: some RecordSink, metrics: WorkerMetrics) throws {
        var attempts = 0
        while true {
            do {
                try metrics.commit.measure { try sink.commit(batch) }
                if attempts > 0 {
                    logger.notice("the batch is committed", metadata: ["worker": "\(options.name)", "attempts": "\(attempts + 1)"])
                }
                return
            } catch let error as ZMQError where error.isTerminated {
                throw error
            } catch {
                attempts += 1
                metrics.commitFailures.increment()
                let delay = RetryPause.milliseconds(afterAttempt: attempts)
                logger.error(
                    "cannot commit a batch; it is tried again",
                    metadata: [
                        "worker": "\(options.name)", "error": "\(error)", "attempt": "\(attempts)", "retry_in_ms": "\(delay)",
                        "seqs": "\(batch.messages.first?.envelope.seq ?? 0)-\(batch.checkpoint.seq)", "sink": "\(sink.summary)",
                    ])
                let until = Date().addingTimeInterval(Double(delay) / 1000)
                while Date() < until {
                    if stopping.load(ordering: .sequentiallyConsistent) { throw ZMQError.terminated("stop") }
                    SystemdNotifier.shared.watchdog(status: "cannot commit a batch (\(error)); attempt \(attempts)")
                    usleep(100_000)
                }
            }
        }
    }
}

extension JSONLSink: RecordSink {
    public func commit(_ batch: DurableSubscriber.Batch) throws { try append(batch) }
    public var summary: String { "\(path) (\(lineCount) records)" }
}

/// A worker's metrics: records consumed, lag behind the stream's head, latency from the
/// record's journaling upstream to its commit here, and the time its sink takes per batch.
struct WorkerMetrics {
    let records: Counter
    let lag: Gauge
    let latency: Metrics.Timer
    let commit: Metrics.Timer
    let commitFailures: Counter

    init(worker: String) {
        records = Counter(label: "marsad_consumer_records_total", dimensions: [("worker", worker)])
        lag = Gauge(label: "marsad_consumer_lag", dimensions: [("worker", worker)])
        latency = Metrics.Timer(label: "marsad_consumer_latency_seconds", dimensions: [("worker", worker)])
        commit = Metrics.Timer(label: "marsad_consumer_commit_seconds", dimensions: [("worker", worker)])
        commitFailures = Counter(label: "marsad_consumer_commit_failures_total", dimensions: [("worker", worker)])
    }

    func record(_ batch: DurableSubscriber.Batch, head: UInt64) {
        records.increment(by: batch.messages.count)
        lag.record(Double(head > batch.checkpoint.seq ? head - batch.checkpoint.seq : 0))
        let now = Date()
        for message in batch.messages {
            guard let time = try? Date(message.envelope.time, strategy: .iso8601WithMilliseconds) else { continue }
            latency.recordNanoseconds(Int64(max(0, now.timeIntervalSince(time)) * 1e9))
        }
    }
}

extension ParseStrategy where Self == Date.ISO8601FormatStyle {
    /// `2024-10-26T08:00:00.123Z`, as envelopes write times.
    static var iso8601WithMilliseconds: Date.ISO8601FormatStyle { Date.ISO8601FormatStyle(includingFractionalSeconds: true) }
}
