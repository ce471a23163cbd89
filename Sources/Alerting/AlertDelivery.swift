import AsyncHTTPClient
import Crypto
import Foundation
import Glibc
import Logging
import MarsadConfig
import MarsadStream
import Metrics
import NIOCore
import NIOHTTP1
import ZeroMQ

/// Delivers queued alerts to their sinks, from the outbox: each delivery is removed from the
/// outbox only once it has succeeded, so an alert survives a receiver that is down and a worker
/// that is killed. Webhooks are retried with exponential backoff (1 s doubling to 60 s).
final class AlertDelivery {
    let store: AlertStore
    private(set) var sinks: [String: SinkDefinition]
    let defaultFile: String
    let logger: Logger
    private var files: [String: AlertFile] = [:]
    private var http: HTTPClient?
    private let publisher: Socket?
    private var publishedSeq: UInt64 = 0
    /// A webhook URL that just failed is not tried again in the same pass.
    private var failedThisPass: Set<String> = []
    /// Successful deliveries by sink name, for logs and tests.
    private(set) var deliveredCount: [String: Int] = [:]

    static let signatureHeader = "X-Marsad-Signature"
    static let idempotencyHeader = "Idempotency-Key"

    init(store: AlertStore, sinks: [SinkDefinition], defaultFile: String, publisher: Socket?, logger: Logger) {
        self.store = store
        self.sinks = [:]
        self.defaultFile = defaultFile
        self.publisher = publisher
        self.logger = logger
        replaceSinks(sinks)
    }

    /// Uses these sink definitions from now on (reloaded rules); deliveries already in the outbox
    /// go to the sink of their name as it is now defined.
    func replaceSinks(_ definitions: [SinkDefinition]) {
        sinks = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if http == nil, definitions.contains(where: { if case .webhook = $0.kind { true } else { false } }) {
            http = HTTPClient(eventLoopGroupProvider: .singleton)
        }
    }

    func close() {
        try? http?.syncShutdown()
        http = nil
    }

    /// Delivers what is due, at most `limit` deliveries; returns how many succeeded.
    @discardableResult
    func deliverDue(now: Date = Date(), limit: Int = 200) throws -> Int {
        failedThisPass.removeAll()
        // Deliveries are taken off the outbox together, once the pass is over (or fails): one
        // transaction instead of one per delivery. A kill before that repeats them, as a kill
        // between a delivery and its removal always could.
        var delivered: [AlertStore.Pending] = []
        // Lines written to alert files in this pass count as delivered once their file is synced,
        // once for the whole pass (not once per alert).
        var filed: [String: [(pending: AlertStore.Pending, sink: String)]] = [:]
        defer { decoded = nil }
        func succeeded(_ pending: AlertStore.Pending, sink: String) {
            delivered.append(pending)
            Counter(label: "marsad_alert_deliveries_total", dimensions: [("sink", sink), ("outcome", "delivered")]).increment()
            deliveredCount[sink, default: 0] += 1
        }
        func failed(_ pending: AlertStore.Pending, sink: String, error: DeliveryError) throws {
            let delay = min(60, pow(2, Double(min(pending.attempts, 6))))
            try store.failed(pending, error: error.description, retryAt: Date().addingTimeInterval(delay))
            Counter(label: "marsad_alert_deliveries_total", dimensions: [("sink", sink), ("outcome", "failed")]).increment()
            logger.warning(
                "alert delivery failed; will retry",
                metadata: ["sink": "\(sink)", "alert": "\(pending.alertID)", "attempt": "\(pending.attempts + 1)", "error": "\(error)"])
        }
        func syncFiles() throws {
            for (path, written) in filed {
                do {
                    try files[path]?.sync()
                    for item in written { succeeded(item.pending, sink: item.sink) }
                } catch let error as DeliveryError {
                    for item in written { try failed(item.pending, sink: item.sink, error: error) }
                }
            }
            filed.removeAll()
        }
        do {
            for pending in try store.due(now: now, limit: limit) {
                guard let sink = sinks[pending.sink] else {
                    try store.failed(pending, error: "no sink named \(pending.sink) in the rules", retryAt: now.addingTimeInterval(3600))
                    continue
                }
                do {
                    if let file = try deliver(pending, to: sink) {
                        filed[file, default: []].append((pending, sink.name))
                    } else {
                        succeeded(pending, sink: sink.name)
                    }
                } catch let error as DeliveryError {
                    try failed(pending, sink: sink.name, error: error)
                }
            }
            try syncFiles()
        } catch {
            try? syncFiles()
            try? store.delivered(delivered)
            throw error
        }
        try store.delivered(delivered)
        return delivered.count
    }

    /// The alert of the last delivery, decoded once for all the sinks that read it (the outbox
    /// lists an alert's sinks one after the other).
    private var decoded: (id: String, alert: AlertRecord?)?

    private func alert(of pending: AlertStore.Pending) -> AlertRecord? {
        if let decoded, decoded.id == pending.alertID { return decoded.alert }
        let alert = try? JSONDecoder().decode(AlertRecord.self, from: Data(pending.payload.utf8))
        decoded = (pending.alertID, alert)
        return alert
    }

    struct DeliveryError: Error, CustomStringConvertible {
        let description: String
    }

    /// Delivers one alert; for a file sink, returns the file, whose lines count as delivered
    /// once it is synced (`AlertFile.sync`).
    private func deliver(_ pending: Pending, to sink: SinkDefinition) throws -> String? {
        switch sink.kind {
        case .log:
            let alert = alert(of: pending)
            let level: Logger.Level = alert.map { $0.severity == "high" || $0.severity == "critical" } == true ? .warning : .notice
            logger.log(
                level: level, "alert",
                metadata: [
                    "rule": "\(alert?.rule ?? "")", "severity": "\(alert?.severity ?? "")", "id": "\(pending.alertID)",
                    "title": "\(alert?.article.title ?? "")", "entities": "\(alert?.entities.joined(separator: ",") ?? "")",
                ])
        case .file(let path):
            let target = path ?? defaultFile
            if files[target] == nil {
                do {
                    files[target] = try AlertFile(path: target)
                } catch {
                    throw DeliveryError(description: "\(error)")
                }
            }
            do {
                try files[target]!.append(id: pending.alertID, line: pending.payload)
            } catch {
                throw DeliveryError(description: "\(error)")
            }
            return target
        case .zmq:
            guard let publisher, let alert = alert(of: pending) else { return nil }
            publishedSeq = UInt64(pending.seq)
            let envelope = Envelope(
                stream: "alerts", epoch: 1, seq: UInt64(pending.seq), id: alert.id, schema: AlertRecord.schemaName, time: alert.createdAt)
            do {
                // A PUB socket never blocks: with no subscriber the alert is simply not seen live.
                _ = try publisher.send([Array(alert.topic.utf8), Array(try envelope.jsonData()), Array(pending.payload.utf8)], dontWait: true)
            } catch {
                throw DeliveryError(description: "\(error)")
            }
        case .webhook(let url, let secret, let timeout):
            if failedThisPass.contains(url) { throw DeliveryError(description: "skipped: the receiver failed earlier in this pass") }
            guard let http else { throw DeliveryError(description: "no HTTP client") }
            let body = Data(pending.payload.utf8)
            do {
                var request = try HTTPClient.Request(url: url, method: .POST)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "marsad-alert/1")
                request.headers.add(name: Self.idempotencyHeader, value: pending.alertID)
                if let secret { request.headers.add(name: Self.signatureHeader, value: "sha256=" + Self.signature(body: body, secret: secret)) }
                request.body = .data(body)
                let response = try http.execute(request: request, deadline: .now() + .milliseconds(Int64(timeout))).wait()
                guard (200..<300).contains(Int(response.status.code)) else {
                    failedThisPass.insert(url)
                    throw DeliveryError(description: "HTTP \(response.status.code) from \(url)")
                }
            } catch let error as DeliveryError {
                throw error
            } catch {
                failedThisPass.insert(url)
                throw DeliveryError(description: "POST \(url): \(error)")
            }
        }
        return nil
    }

    typealias Pending = AlertStore.Pending

    /// Hex HMAC-SHA256 of the body with the shared secret: what `X-Marsad-Signature` carries
    /// after `sha256=`.
    static func signature(body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}

/// The `file` sink's JSONL file. It remembers the ids it holds, so an alert delivered just
/// before a kill (but still in the outbox) is not written twice after the restart. Lines are
/// written as they come and made durable together (`sync`), before the outbox lets them go.
final class AlertFile {
    let path: String
    private let descriptor: Int32
    private var ids: Set<String> = []
    /// Where the lines not yet synced start, and their ids.
    private var unsynced: (start: off_t, ids: [String])?

    init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try Directories.create(directory, for: "the alert file \(path)", setting: "[alert] jsonl or the file sink's path") }
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AlertDelivery.DeliveryError(description: "open \(path): \(String(cString: strerror(errno)))") }
        let contents = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        var complete = 0
        for (index, byte) in contents.enumerated() where byte == 0x0A {
            let line = contents[complete..<index]
            if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let id = object["id"] as? String { ids.insert(id) }
            complete = index + 1
        }
        // A torn last line (killed mid-write) is cut off; its alert is still in the outbox.
        if complete < contents.count { _ = ftruncate(descriptor, off_t(complete)) }
    }

    deinit { close(descriptor) }

    func append(id: String, line: String) throws {
        guard !ids.contains(id) else { return }
        let bytes = Array((line + "\n").utf8)
        if unsynced == nil {
            let end = lseek(descriptor, 0, SEEK_END)
            guard end >= 0 else { throw AlertDelivery.DeliveryError(description: "seek \(path): \(String(cString: strerror(errno)))") }
            unsynced = (end, [])
        }
        // A line that cannot be written whole (a full disk) is cut off again: the outbox retries
        // it later, and the file must not keep a torn line in its middle.
        do {
            try bytes.withUnsafeBytes { bytes in try WholeAppend.appendLines(bytes, to: descriptor, sync: false) }
        } catch let failure as WholeAppend.Failure {
            throw AlertDelivery.DeliveryError(description: failure.describe(path))
        }
        ids.insert(id)
        unsynced?.ids.append(id)
    }

    /// Makes the lines appended since the last sync durable. If that fails, they are cut off and
    /// forgotten, so that the outbox writes them again (after a failed `fdatasync` the kernel
    /// may have dropped them).
    func sync() throws {
        guard let written = unsynced else { return }
        unsynced = nil
        guard fdatasync(descriptor) != 0 else { return }
        let message = String(cString: strerror(errno))
        _ = ftruncate(descriptor, written.start)
        for id in written.ids { ids.remove(id) }
        throw AlertDelivery.DeliveryError(description: "fdatasync \(path): \(message)")
    }
}
