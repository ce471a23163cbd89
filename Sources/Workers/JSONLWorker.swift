import Foundation
import Logging
import MarsadStream
import Synchronization
import ZeroMQ

/// `marsad worker jsonl`: mirrors a stream (or the records of some topic prefixes) into a JSONL
/// file, every record exactly once, resuming from the file itself after any stop or crash.
public final class JSONLWorker: Sendable {
    public struct Options: Sendable {
        public var name: String
        public var endpoint: String
        public var prefixes: [String]
        public var output: String
        public var statusDirectory: String
        public var durable: Bool
        public var security: SocketSecurity?

        public init(
            name: String, endpoint: String, prefixes: [String], output: String, statusDirectory: String, durable: Bool = true,
            security: SocketSecurity? = nil
        ) {
            self.name = name
            self.endpoint = endpoint
            self.prefixes = prefixes
            self.output = output
            self.statusDirectory = statusDirectory
            self.durable = durable
            self.security = security
        }
    }

    public let options: Options
    private let logger: Logger
    private let context: Context
    private let finished = Mutex(false)

    public init(options: Options, logger: Logger) throws {
        self.options = options
        self.logger = logger
        context = try Context()
    }

    /// Stops the worker after the batch in hand (from any thread).
    public func stop() { context.shutdown() }

    /// Runs on the calling thread until `stop()`.
    public func run() throws {
        let sink = try JSONLSink(path: options.output, durable: options.durable)
        let subscriber = try DurableSubscriber(
            context: context, options: .init(endpoint: options.endpoint, prefixes: options.prefixes, security: options.security),
            checkpoint: sink.checkpoint, logger: logger)
        logger.info(
            "worker started",
            metadata: [
                "worker": "\(options.name)", "output": "\(options.output)", "records": "\(sink.lineCount)",
                "resume_after": "\(sink.checkpoint.map { "\($0.stream)/\($0.epoch)/\($0.seq)" } ?? "nothing")",
            ])
        var lastStatus: Checkpoint?
        do {
            while true {
                guard let batch = try subscriber.next(timeoutMilliseconds: 500) else { continue }
                try sink.append(batch)
                if batch.checkpoint != lastStatus {
                    try ConsumerStatus(name: options.name, checkpoint: batch.checkpoint, prefixes: options.prefixes, output: options.output)
                        .write(to: options.statusDirectory)
                    lastStatus = batch.checkpoint
                }
            }
        } catch let error as ZMQError where error.isTerminated {
            logger.info(
                "worker stopped", metadata: ["worker": "\(options.name)", "records": "\(sink.lineCount)", "replayed": "\(subscriber.replayedCount)"])
        }
    }
}
