import Foundation
import Logging
import MarsadRecord
import MarsadStream
import Metrics
import Workers
import ZeroMQ

/// The alert worker's sink: for each labels record it evaluates the rules, and writes the new
/// alerts, their outbox entries and the checkpoint in one SQLite transaction; then it delivers
/// from the outbox. Between batches it retries what is still due.
public final class AlertSink: RecordSink {
    public let engine: AlertEngine
    public let store: AlertStore
    private let delivery: AlertDelivery
    private let context: Context?
    private let logger: Logger
    private var lastPrune = Date.distantPast
    public private(set) var raised = 0

    /// `publish` is the endpoint of the `zmq` sink (bound only when a rule uses one).
    public init(rules: AlertRules, databasePath: String, alertFile: String, publish: String, logger: Logger) throws {
        engine = AlertEngine(rules: rules)
        self.logger = logger
        let directory = (databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        store = try AlertStore(path: databasePath)
        var socket: Socket?
        if rules.sinks.contains(where: { $0.kind == .zmq }) {
            let context = try Context()
            let publisher = try Socket(context: context, type: .pub)
            try publisher.setLinger(milliseconds: 1000)
            try publisher.bind(publish)
            socket = publisher
            self.context = context
        } else {
            context = nil
        }
        delivery = AlertDelivery(store: store, sinks: rules.sinks, defaultFile: alertFile, publisher: socket, logger: logger)
    }

    public func close() {
        delivery.close()
        context?.shutdown()
    }

    public var checkpoint: Checkpoint? { get throws { try store.checkpoint() } }

    public var summary: String {
        let counts = try? store.counts()
        return "\(store.path) (\(counts?.alerts ?? 0) alerts, \(counts?.pending ?? 0) deliveries pending)"
    }

    public func commit(_ batch: DurableSubscriber.Batch) throws {
        let now = Date()
        let alerts = try store.commit(checkpoint: batch.checkpoint) { state -> [AlertRecord] in
            var alerts: [AlertRecord] = []
            for message in batch.messages where message.envelope.schema == LabelsRecord.schemaName {
                let record: LabelsRecord
                do {
                    record = try LabelsRecord.decode(message.payload)
                } catch {
                    logger.error("not a labels record; skipped", metadata: ["seq": "\(message.envelope.seq)", "error": "\(error)"])
                    continue
                }
                let raised = try engine.evaluate(record, store: state, now: now)
                for alert in raised {
                    let sinks = engine.sinks(of: alert.rule)
                    try state.enqueue(alertID: alert.id, sinks: sinks)
                }
                alerts.append(contentsOf: raised)
            }
            if now.timeIntervalSince(lastPrune) > 600, engine.rules.horizonSeconds > 0 {
                try state.prune(before: now.addingTimeInterval(-Double(engine.rules.horizonSeconds) - 86_400))
            }
            return alerts
        }
        if now.timeIntervalSince(lastPrune) > 600 { lastPrune = now }
        raised += alerts.count
        for alert in alerts {
            Counter(label: "marsad_alerts_total", dimensions: [("rule", alert.rule), ("severity", alert.severity)]).increment()
            logger.info("alert raised", metadata: ["rule": "\(alert.rule)", "id": "\(alert.id)", "record": "\(alert.article.id)"])
        }
        try delivery.deliverDue()
    }

    public func idle() throws {
        try delivery.deliverDue()
    }
}

extension AlertEngine {
    /// The sinks a rule names.
    func sinks(of rule: String) -> [String] {
        rules.rules.first { $0.name == rule }?.sinks ?? rules.spikes.first { $0.name == rule }?.sinks ?? []
    }
}
