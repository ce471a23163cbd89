import Logging
import MarsadRecord
import ServiceLifecycle
import UnixSignals

/// Reloads the gazetteer and the boilerplate markers on SIGHUP: `load` builds a new parser and
/// linker from the data files; on success the daemon uses them from its next batch, on failure the
/// error is logged and the old ones stay. Ends with graceful shutdown.
public struct ReloadService: Service {
    let daemon: IngestDaemon
    let load: @Sendable () throws -> RecordBuilder
    let logger: Logger

    public init(daemon: IngestDaemon, logger: Logger, load: @escaping @Sendable () throws -> RecordBuilder) {
        self.daemon = daemon
        self.load = load
        self.logger = logger
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let builder = try load()
                daemon.reload(builder: builder)
                logger.notice("reloaded the gazetteer and boilerplate markers", metadata: ["entities": "\(builder.linker.gazetteer.entities.count)"])
            } catch {
                logger.error("reload failed; keeping the previous data files", metadata: ["error": "\(error)"])
            }
        }
    }
}
