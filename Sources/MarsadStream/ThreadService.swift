import Foundation
import ServiceLifecycle

/// A blocking loop (one that owns ZeroMQ sockets and must stay off Swift's cooperative pool) run on
/// a thread of its own, as a swift-service-lifecycle service: graceful shutdown calls `stop`, and
/// the service returns when `body` does.
public struct ThreadService: Service {
    let name: String
    let body: @Sendable () throws -> Void
    let stop: @Sendable () -> Void

    public init(name: String, body: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
        self.stop = stop
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await runThread()
            } onCancel: {
                stop()
            }
        } onGracefulShutdown: {
            stop()
        }
    }

    private func runThread() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            NamedThread.start(name) {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
