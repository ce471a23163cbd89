import Foundation
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import Metrics
import Workers
import ZeroMQ

/// The alert worker's sink: for each labels record it evaluates the rules, and writes the new
/// alerts, their outbox entries and the checkpoint in one SQLite transaction; then it delivers
/// from the outbox. Between batches it retries what is still due.
public final class AlertSink: RecordSink {
    public private(set) var engine: AlertEngine
    public let store: AlertStore
    private let delivery: AlertDelivery
    private let reloads: PendingReload<AlertRules>?
    private let context: Context?
    private let logger: Logger
    private var lastPrune = Date.distantPast
    /// Light stems of the words of earlier articles, for word conditions.
    private var stems: AlertEngine.StemMemo = [:]
    public private(set) var raised = 0
    /// This worker's claim on its database (and so on its endpoint), held while it runs.
    private let owner: OwnerLock

    /// `publish` is the endpoint of the `zmq` sink (bound only when the rules define one).
    /// Rules offered to `reloads` (SIGHUP) replace the rules and sinks between two batches.
    public init(
        rules: AlertRules, databasePath: String, alertFile: String, publish: String, reloads: PendingReload<AlertRules>? = nil, logger: Logger
    ) throws {
        engine = AlertEngine(rules: rules)
        self.reloads = reloads
        self.logger = logger
        let directory = (databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try Directories.create(directory, for: "the alert database \(databasePath)", setting: "[alert] db") }
        owner = try OwnerLock(
            path: databasePath + ".lock", what: "the alert database \(databasePath)",
            risk: "evaluate every record twice, and the second to bind \(publish) would take it from the first",
            fix: "give this one its own [alert] db or [state] dir (or --state)")
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

    /// Whether rules that replace `rules` can be taken without a restart: the `zmq` sink's
    /// socket is bound at start, so rules may not add one to rules without it.
    public static func checkReload(_ new: AlertRules, replacing rules: AlertRules) throws {
        if new.sinks.contains(where: { $0.kind == .zmq }) && !rules.sinks.contains(where: { $0.kind == .zmq }) {
            throw ReloadRefused(description: "the new rules add a zmq sink, whose socket is bound at start: restart the alert worker to use it")
        }
    }

    /// Rules that cannot replace the running ones without a restart.
    public struct ReloadRefused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes rules reloaded since the last batch, if any.
    private func takeReloadedRules() {
        guard let rules = reloads?.take() else { return }
        engine = AlertEngine(rules: rules)
        delivery.replaceSinks(rules.sinks)
        logger.info("alert rules in use", metadata: ["rules": "\(rules.rules.count)", "spikes": "\(rules.spikes.count)"])
    }

    public func commit(_ batch: DurableSubscriber.Batch) throws {
        takeReloadedRules()
        let now = Date()
        let alerts = try store.commit(checkpoint: batch.checkpoint) { state -> [AlertRecord] in
            var alerts: [AlertRecord] = []
            for message in batch.messages where message.envelope.schema == LabelsRecord.schemaName {
                let record: LabelsRecord
                do {
                    // Rules look at which entities an article names, never where.
                    record = try LabelsRecord.decodeWithoutMentions(message.payload)
                } catch {
                    logger.error("not a labels record; skipped", metadata: ["seq": "\(message.envelope.seq)", "error": "\(error)"])
                    continue
                }
                let raised = try engine.evaluate(record, store: state, now: now, memo: &stems)
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
        // The batch, its alerts and their outbox are committed: a delivery that cannot be made
        // now is the outbox's to retry between batches, not a reason to evaluate the batch again.
        do {
            try delivery.deliverDue()
        } catch {
            logger.warning("cannot deliver alerts now; the outbox is tried again between batches", metadata: ["error": "\(error)"])
        }
    }

    public func idle() throws {
        takeReloadedRules()
        try delivery.deliverDue()
    }
}

extension AlertEngine {
    /// The sinks a rule names.
    func sinks(of rule: String) -> [String] {
        rules.rules.first { $0.name == rule }?.sinks ?? rules.spikes.first { $0.name == rule }?.sinks ?? []
    }
}
