import MarsadStream
import ServiceLifecycle

/// The ingest stage as a swift-service-lifecycle service: it runs until graceful shutdown
/// (SIGTERM, SIGINT), then finishes the batch in hand and returns.
public struct IngestService: Service {
    public let daemon: IngestDaemon
    private let onReady: @Sendable (String) -> Void

    public init(daemon: IngestDaemon, onReady: @escaping @Sendable (String) -> Void = { _ in }) {
        self.daemon = daemon
        self.onReady = onReady
    }

    public func run() async throws {
        let daemon = self.daemon
        let onReady = self.onReady
        try await ThreadService(name: "ingest", body: { try daemon.run(onReady: onReady) }, stop: { daemon.requestStop() }).run()
    }
}
