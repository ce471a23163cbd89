import ArgumentParser
import Foundation
import Logging
import MarsadConfig
import MarsadStream
import Workers

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker that consumes a stream.",
        subcommands: [ArchiveWorkerCommand.self, JSONLWorkerCommand.self])
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

    @Option(name: .long, help: ArgumentHelp("The JSONL file to append to.", valueName: "file"))
    var output: String

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
        let (worker, logger) = try makeWorker(
            name: name ?? URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent, config: config, connect: connect,
            prefixes: prefixes)
        let output = self.output
        let durable = !noFsync
        // The sink is made on the worker's thread, which alone uses it.
        try await runUntilShutdown(
            ThreadService(
                name: "marsad-worker", body: { try worker.run(sink: try JSONLSink(path: output, durable: durable), output: output) },
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
