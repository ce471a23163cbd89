import Foundation
import Logging
import MarsadStream
import Synchronization
import ZeroMQ

/// Subscribes to a stream on a thread of its own and writes each record to standard output,
/// once per record even when several subscribed topics carry it. Stopped by `stop()`, which
/// shuts its ZeroMQ context down.
public final class TailRunner: Sendable {
    public struct Options: Sendable {
        public var endpoint: String
        public var prefixes: [String]
        public var format: RecordFormat
        /// Stop after this many records (nil: never).
        public var limit: Int?
        /// Print durably from this point instead of live only: everything after the checkpoint
        /// (or, with `.some(nil)`, everything the journal holds), fetched by replay if need be.
        public var after: Checkpoint??
        public init(endpoint: String, prefixes: [String], format: RecordFormat, limit: Int? = nil, after: Checkpoint?? = nil) {
            self.endpoint = endpoint
            self.prefixes = prefixes
            self.format = format
            self.limit = limit
            self.after = after
        }
    }

    public let options: Options
    private let context: Context
    private let progress = Mutex<(live: Bool, lastSeq: UInt64, printed: Int, finished: Bool)>((false, 0, 0, false))
    private let output: @Sendable (String) -> Void
    private let notice: @Sendable (String) -> Void

    public init(
        options: Options,
        output: @escaping @Sendable (String) -> Void = TailRunner.writeLine,
        notice: @escaping @Sendable (String) -> Void = TailRunner.writeNotice
    ) throws {
        self.options = options
        self.output = output
        self.notice = notice
        context = try Context()
    }

    /// Writes a line to standard output at once (stdout is fully buffered off a terminal).
    public static let writeLine: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    public static let writeNotice: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(("tail: " + line + "\n").utf8))
    }

    /// Whether the first heartbeat has arrived.
    public var isLive: Bool { progress.withLock { $0.live } }
    /// The highest seq printed.
    public var lastSeq: UInt64 { progress.withLock { $0.lastSeq } }
    /// Whether the loop has ended.
    public var isFinished: Bool { progress.withLock { $0.finished } }

    /// Starts the receiving thread.
    public func start() {
        NamedThread.start("tail") { self.loop() }
    }

    /// Stops the receiving thread (from any thread).
    public func stop() { context.shutdown() }

    private func loop() {
        defer { progress.withLock { $0.finished = true } }
        if let after = options.after {
            return durableLoop(after: after)
        }
        do {
            let subscriber = try StreamSubscriber(context: context, endpoint: options.endpoint, prefixes: options.prefixes)
            defer { subscriber.socket.close() }
            let printer = RecordPrinter(format: options.format)
            var lastPrinted: (epoch: UInt64, seq: UInt64)?
            while true {
                guard let events = try subscriber.next() else { continue }
                for event in events {
                    switch event {
                    case .live(let heartbeat, let envelope):
                        progress.withLock { $0.live = true }
                        notice(
                            "live on \(options.endpoint) (stream \(envelope.stream), head \(heartbeat.head)); subscribed to \(subscriber.prefixes.joined(separator: " "))"
                        )
                    case .heartbeat:
                        break
                    case .gap(let missing, let stream, _):
                        notice("gap: \(stream) records \(missing.lowerBound)…\(missing.upperBound) were not received")
                    case .malformed(let reason):
                        notice("ignored a malformed message: \(reason)")
                    case .message(let message):
                        // Copies of one record on several subscribed topics arrive together.
                        if let last = lastPrinted, last.epoch == message.envelope.epoch, last.seq == message.envelope.seq { continue }
                        lastPrinted = (message.envelope.epoch, message.envelope.seq)
                        output(printer.line(for: message))
                        if reachedLimit(after: 1, through: message.envelope.seq) { return }
                    }
                }
            }
        } catch let error as ZMQError where error.isTerminated {
            return
        } catch {
            notice("stopped: \(error)")
        }
    }

    private func durableLoop(after: Checkpoint?) {
        do {
            let subscriber = try DurableSubscriber(
                context: context, options: .init(endpoint: options.endpoint, prefixes: options.prefixes, start: .beginning), checkpoint: after,
                logger: Logger(label: "marsad.tail"))
            let printer = RecordPrinter(format: options.format)
            while true {
                guard let batch = try subscriber.next(timeoutMilliseconds: 200) else { continue }
                if !isLive {
                    progress.withLock { $0.live = true }
                    notice("live on \(options.endpoint); printing every record after seq \(after?.seq ?? 0)")
                }
                for message in batch.messages { output(printer.line(for: message)) }
                if reachedLimit(after: batch.messages.count, through: batch.checkpoint.seq) { return }
            }
        } catch let error as ZMQError where error.isTerminated {
            return
        } catch {
            notice("stopped: \(error)")
        }
    }

    /// Records `count` more printed records up to `seq`; returns whether `--limit` is reached.
    private func reachedLimit(after count: Int, through seq: UInt64) -> Bool {
        let printed = progress.withLock {
            $0.lastSeq = max($0.lastSeq, seq)
            $0.printed += count
            return $0.printed
        }
        return options.limit.map { printed >= $0 } ?? false
    }
}
