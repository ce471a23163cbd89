import Alerting
import ArgumentParser
import Classification
import ClassifyWorker
import Foundation
import MarsadConfig
import MarsadStream
import Workers

struct AlertWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Raise alerts from the labels stream by rules and spikes, and deliver them to log, file, webhook and ZeroMQ.",
        discussion: """
            Follows the classify worker's labels stream exactly once. Rules (config/alerts.toml, \\
            documented in docs/alerts.md) match entities, labels with a minimum score, words and \\
            outlets; spike rules count articles about an entity in a sliding window. An alert is \\
            raised once per rule and article (also across restarts), throttled per rule and entity \\
            set, written with the checkpoint in one transaction, and delivered from a durable outbox: \\
            webhooks are retried with backoff until the receiver accepts them, signed with HMAC-SHA256 \\
            (X-Marsad-Signature) and carrying the alert id as Idempotency-Key.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory. Overrides [state] dir.", valueName: "dir"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Publish endpoint of the labels stream. Default: the classify endpoint.", valueName: "endpoint"))
    var connect: String?

    @Option(name: .long, help: ArgumentHelp("Rules file. Overrides [alert] rules.", valueName: "file"))
    var rules: String?

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        if let rules { config.alert.rules = rules }
        let (worker, logger) = try makeWorker(
            name: "alert", config: config, connect: connect ?? config.classifyPublishEndpoint, prefixes: [LabelSink.allTopic])
        let loaded = try exitOnDataErrors { try AlertRules(configuration: config) }
        let database = config.alertDatabase
        let file = config.alertFile
        let publish = config.alertPublishEndpoint
        let reloads = PendingReload<AlertRules>()
        try await runUntilShutdown(
            ThreadService(
                name: "alert",
                body: {
                    let sink = try AlertSink(
                        rules: loaded, databasePath: database, alertFile: file, publish: publish, reloads: reloads, logger: logger)
                    defer { sink.close() }
                    try worker.run(sink: sink, output: database)
                },
                stop: { worker.stop() }),
            helpers: [HangupReloadService([.alertRules(config, initial: loaded, into: reloads)], logger: logger)]
                + (try metricsServices(config, process: "alert", logger: logger)),
            logger: logger)
    }
}

extension Reloader {
    /// SIGHUP: the alert rules file again, checked as at start, taken between two batches.
    static func alertRules(_ config: MarsadConfiguration, initial: AlertRules, into reloads: PendingReload<AlertRules>) -> Reloader {
        Reloader("alert rules") {
            let rules = try AlertRules(configuration: config)
            try AlertSink.checkReload(rules, replacing: initial)
            reloads.offer(rules)
            return "\(rules.rules.count) rules, \(rules.spikes.count) spike rules, \(rules.sinks.count) sinks"
        }
    }
}

extension AlertRules {
    /// The rules `[alert] rules` names (or alerts.toml found the usual way), checked against the
    /// label catalog.
    init(configuration config: MarsadConfiguration) throws {
        let catalog = try LabelCatalog(configuration: config)
        self = try AlertRules.load(
            file: DataFiles.locate("alerts.toml", configured: config.alert.rules, besideConfig: config.sourceFile),
            knownLabels: Set(catalog.labels.map(\.name)))
    }
}
