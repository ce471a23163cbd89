import ServiceLifecycle

/// The ingest stage as a swift-service-lifecycle service: it runs until graceful shutdown
/// (SIGTERM, SIGINT), then finishes the file in hand and returns.
public struct IngestService: Service {
    public let daemon: IngestDaemon
    private let onReady: @Sendable (String) -> Void

    public init(daemon: IngestDaemon, onReady: @escaping @Sendable (String) -> Void = { _ in }) {
        self.daemon = daemon
        self.onReady = onReady
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await daemon.runOnThread(onReady: onReady)
        } onGracefulShutdown: {
            daemon.requestStop()
        }
    }
}
