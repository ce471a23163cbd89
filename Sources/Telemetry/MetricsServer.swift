import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import SystemdNotify

/// The process's metrics: swift-metrics bootstrapped once with a Prometheus registry, so every
/// `Counter`, `Timer`, `Gauge` and `Recorder` the stages create lands in it.
public enum Telemetry {
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Durations from a millisecond to two minutes; latencies from drop to archive fit.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(120),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The registry every metric of this process goes to (bootstraps swift-metrics on first use).
    public static var prometheus: PrometheusCollectorRegistry { registry }
}

/// Serves `/metrics` (Prometheus text format) and `/healthz` over HTTP (Hummingbird), on
/// loopback by default. If the address cannot be bound, the error is logged and the process
/// runs on without them. `/healthz` answers 200 while the process's work loop has reported in
/// within `staleAfter`, else 503 — the same loop that sends systemd its watchdog pings.
public struct MetricsServer: Service {
    public let host: String
    public let port: Int
    public let process: String
    public let staleAfterMilliseconds: UInt64
    public let logger: Logger

    /// `address` is `HOST:PORT` (port 0 picks a free one; the log says which). Bootstraps
    /// swift-metrics at once: make the server before the stages whose metrics it serves, since a
    /// metric made before the bootstrap counts into nothing for the life of the process.
    public init(address: String, process: String, staleAfterSeconds: Int = 30, logger: Logger) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw TelemetryError("\"\(address)\" is not HOST:PORT")
        }
        host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        self.process = process
        staleAfterMilliseconds = UInt64(staleAfterSeconds) * 1000
        self.logger = logger
        _ = Telemetry.prometheus
    }

    public func run() async throws {
        let registry = Telemetry.prometheus
        let process = self.process
        let stale = staleAfterMilliseconds
        let started = SystemdNotifier.monotonicMilliseconds()
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ -> Response in
            let now = SystemdNotifier.monotonicMilliseconds()
            let last = SystemdNotifier.shared.lastLoopMilliseconds
            // Before the loop first runs (start-up, recovery of processing/), the process is
            // healthy for one stale period.
            let age = last == 0 ? now - started : now - last
            let healthy = age <= stale
            let body = "{\"status\":\"\(healthy ? "ok" : "stalled")\",\"process\":\"\(process)\",\"loop_age_ms\":\(age)}\n"
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let logger = self.logger
        let host = self.host
        // Hummingbird's own lines only repeat ours ("metrics and health served", the error
        // below), and when the process stops before the server has started it logs the
        // cancellation as an error, next to the failure that really stopped it.
        var serverLogger = Logger(label: "marsad.http")
        serverLogger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "marsad"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(
                    "metrics and health served", metadata: ["metrics": "http://\(host):\(port)/metrics", "healthz": "http://\(host):\(port)/healthz"])
            }, logger: serverLogger)
        do {
            // No signals of its own: the process's service group stops it in its turn. Left to
            // catch SIGTERM itself, it could stop while the group was stopping another service,
            // which the group reports as "a service has finished unexpectedly" (exit 1).
            try await app.runService(gracefulShutdownSignals: [])
        } catch {
            // Metrics are for watching the work, never a reason to stop it: a port already in
            // use is reported loudly and the process carries on without /metrics.
            logger.error(
                "cannot serve metrics and health; carrying on without them",
                metadata: ["address": "\(host):\(port)", "error": "\(error)", "fix": "set another address in [metrics] or free the port"])
        }
    }
}

public struct TelemetryError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
