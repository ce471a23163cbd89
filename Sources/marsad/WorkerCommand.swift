import ArgumentParser
import Classification
import ClassifyWorker
import Foundation
import Logging
import MarsadConfig
import MarsadStream
import Workers

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker that consumes a stream.",
        subcommands: [ArchiveWorkerCommand.self, ClassifyWorkerCommand.self, AlertWorkerCommand.self, JSONLWorkerCommand.self])
}

struct JSONLWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonl",
        abstract: "Mirror a stream into a JSONL file, every record exactly once, resuming after any stop.",
        discussion: """
            Each line is {"stream","epoch","seq","topic","id","record"}. The file is its own checkpoint: \
            after a crash a torn last line is cut off and the worker resumes after the last whole \
            line, fetching from the replay endpoint whatever it missed. A new file starts with \
            everything the journal holds. PREFIX limits it to records on those topics (see \
            `marsad tail --help`). Its checkpoint is shown by `marsad status`.
            """)

    @Option(name: .long, help: ArgumentHelp("The JSONL file to append to. Default: <state dir>/mirror.jsonl.", valueName: "file"))
    var output: String?

    @Option(
        name: .long, help: ArgumentHelp("Publish endpoint of the stream. Default: the ingest endpoint of the configuration.", valueName: "endpoint"))
    var connect: String?

    @Option(
        name: .long, help: ArgumentHelp("Name under which `marsad status` lists this worker. Default: the output file's name.", valueName: "name"))
    var name: String?

    @Flag(name: .long, help: "Skip fdatasync after each batch (faster; a power cut may then lose the last batch, a crash cannot).")
    var noFsync = false

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory (default endpoint, consumer status). Overrides [state] dir.", valueName: "dir"))
    var state: String?

    @Argument(help: ArgumentHelp("Topic prefixes to mirror (default: every record).", valueName: "prefix"))
    var prefixes: [String] = []

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        let output = self.output ?? config.state.directory + "/mirror.jsonl"
        let (worker, logger) = try makeWorker(
            name: name ?? URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent, config: config, connect: connect,
            prefixes: prefixes)
        let durable = !noFsync
        // The sink is made on the worker's thread, which alone uses it.
        try await runUntilShutdown(
            ThreadService(
                name: "worker", body: { try worker.run(sink: try JSONLSink(path: output, durable: durable), output: output) },
                stop: { worker.stop() }),
            logger: logger)
    }
}

/// A worker on the ingest stream (or `connect`), with logging set up and CURVE keys loaded from
/// the configuration; no prefixes means every record.
func makeWorker(name: String, config: MarsadConfiguration, connect: String?, prefixes: [String]) throws -> (StreamWorker, Logger) {
    LoggingSetup.bootstrap(level: config.log.level)
    let logger = Logger(label: "marsad.worker.\(name)")
    let security = try exitOnDataErrors { try ClientSecurity.load(config.curve) }
    let worker = try StreamWorker(
        options: .init(
            name: name, endpoint: connect ?? config.ingestPublishEndpoint, prefixes: prefixes.isEmpty ? [Topic.article] : prefixes,
            statusDirectory: config.consumersDirectory, security: security),
        logger: logger)
    return (worker, logger)
}

struct ClassifyWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Label every article with event categories and publish the labels as a journaled stream.",
        discussion: """
            Follows the ingest stream exactly once, labels each article (config/classify.toml and \
            the model from `marsad train`), and publishes a marsad.labels/1 record per article — \
            labels, scores, evidence words with offsets, and the article itself — on topics \
            "labels." and "label.<LABEL>.", journaled under <state>/journal/<stream>/ and \
            replayable like ingest's stream ([classify] in the configuration).
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory. Overrides [state] dir.", valueName: "dir"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Publish endpoint of the article stream. Default: the ingest endpoint.", valueName: "endpoint"))
    var connect: String?

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        let (worker, logger) = try makeWorker(name: "classify", config: config, connect: connect, prefixes: [])
        let classifier = try exitOnDataErrors { try Classifier(configuration: config) }
        let settings = try LabelSink.Settings(configuration: config)
        try await runUntilShutdown(
            ThreadService(
                name: "classify",
                body: {
                    let sink = try LabelSink(classifier: classifier, settings: settings, logger: logger)
                    defer { sink.close() }
                    try worker.run(sink: sink, output: sink.publishEndpoint)
                },
                stop: { worker.stop() }),
            helpers: try metricsServices(config, process: "classify", logger: logger), logger: logger)
    }
}

extension LabelSink.Settings {
    /// The labels stream as `[classify]`, `[journal]` and `[curve]` configure it.
    init(configuration config: MarsadConfiguration) throws {
        let stream = config.classify.stream
        self.init(
            journal: JournalSettings(
                directory: config.journalDirectory(stream: stream), stream: stream, segmentBytes: config.journal.segmentBytes,
                retentionBytes: config.journal.retentionBytes, retentionSeconds: config.journal.retentionHours * 3600,
                durable: config.journal.durable),
            publish: config.classifyPublishEndpoint, replay: config.classifyReplayEndpoint,
            heartbeatIntervalMilliseconds: config.ingest.heartbeatIntervalMilliseconds, sendHighWaterMark: config.ingest.sendHighWaterMark,
            security: try exitOnDataErrors { try ServerSecurity.load(config.curve) })
    }
}
