import ServiceLifecycle

/// `TailRunner` as a swift-service-lifecycle service: runs until its limit is reached or
/// graceful shutdown (SIGINT, SIGTERM) stops it.
public struct TailService: Service {
    public let runner: TailRunner

    public init(runner: TailRunner) { self.runner = runner }

    public func run() async throws {
        runner.start()
        await withGracefulShutdownHandler {
            while !runner.isFinished { try? await Task.sleep(for: .milliseconds(20)) }
        } onGracefulShutdown: {
            runner.stop()
        }
    }
}
