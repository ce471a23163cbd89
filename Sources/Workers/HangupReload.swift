import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A value loaded again on SIGHUP, waiting for the thread that uses it to take it between two
/// batches: the batch in hand finishes with the old value, so no message is lost or handled
/// twice.
public final class PendingReload<Value: Sendable>: Sendable {
    private let pending = Mutex<Value?>(nil)

    public init() {}

    /// Offers a new value (a later offer replaces one not yet taken).
    public func offer(_ value: Value) {
        pending.withLock { $0 = value }
    }

    /// The value offered since the last call, if any.
    public func take() -> Value? {
        pending.withLock { value in
            defer { value = nil }
            return value
        }
    }
}

/// One thing SIGHUP reloads: `load` reads the data files again and hands the result over (or
/// throws, and the process keeps what it has); it returns a few words for the log.
public struct Reloader: Sendable {
    public let what: String
    public let load: @Sendable () throws -> String

    public init(_ what: String, load: @escaping @Sendable () throws -> String) {
        self.what = what
        self.load = load
    }
}

/// Reloads data files on SIGHUP, each reloader on its own: a broken file is logged with its error
/// and the previous data stay in use. Ends with graceful shutdown.
public struct HangupReloadService: Service {
    let reloaders: [Reloader]
    let logger: Logger

    public init(_ reloaders: [Reloader], logger: Logger) {
        self.reloaders = reloaders
        self.logger = logger
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            if reloaders.isEmpty { logger.notice("SIGHUP: this process has no data files to reload") }
            for reloader in reloaders {
                do {
                    let detail = try reloader.load()
                    logger.notice("reloaded the \(reloader.what)", metadata: ["detail": "\(detail)"])
                } catch {
                    logger.error("reload of the \(reloader.what) failed; keeping the previous data files", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
