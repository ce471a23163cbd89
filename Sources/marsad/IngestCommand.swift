import ArgumentParser
import Ingest
import Logging
import MarsadConfig
import MarsadRecord
import ServiceLifecycle
import Workers

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Run the ingest daemon: watch the inbox, parse, link entities, publish on ZeroMQ.",
        discussion: """
            On start it finishes files left in processing/, scans inbox/, then watches inbox/ with \
            inotify. Each article becomes a marsad.article/1 record published on `article.` and on one \
            `entity.<kind>.<slug>.` topic per linked entity (see docs/wire.md). Processed files move to \
            done/; files it cannot read go to failed/ with <name>.error.json. SIGTERM or SIGINT stops it \
            after the file in hand.
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var directories: DirectoryOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Publish endpoint (tcp://127.0.0.1:PORT, ipc://PATH). Default: ipc://<state>/ingest.pub.", valueName: "endpoint"))
    var publish: String?

    @Option(name: .long, help: ArgumentHelp("Replay endpoint (ROUTER). Default: ipc://<state>/ingest.replay.", valueName: "endpoint"))
    var replay: String?

    @Flag(name: .long, help: "Process what is in processing/ and inbox/, then exit instead of watching.")
    var once = false

    func run() async throws {
        var config = try configOptions.load()
        directories.apply(to: &config)
        if let publish {
            if let problem = EndpointPolicy.problem(with: publish, curve: config.curve.serverKeyFile != nil) {
                throw ValidationError("--publish: \(problem.reason) (\(problem.hint))")
            }
            config.ingest.publish = publish
        }
        if let replay {
            if let problem = EndpointPolicy.problem(with: replay, curve: config.curve.serverKeyFile != nil) {
                throw ValidationError("--replay: \(problem.reason) (\(problem.hint))")
            }
            config.ingest.replay = replay
        }
        LoggingSetup.bootstrap(level: config.log.level)
        let logger = Logger(label: "marsad.ingest")
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let daemon = try IngestDaemon(config: config, builder: builder, logger: logger, options: .init(once: once))
        let reload = HangupReloadService([.articleData(config, into: daemon)], logger: logger)
        try await runUntilShutdown(
            IngestService(daemon: daemon), helpers: [reload] + (try metricsServices(config, process: "ingest", logger: logger)), logger: logger)
    }
}

extension Reloader {
    /// SIGHUP: the gazetteer, boilerplate markers and linking cues, used from ingest's next batch.
    static func articleData(_ config: MarsadConfiguration, into daemon: IngestDaemon) -> Reloader {
        Reloader("gazetteer and boilerplate markers") {
            let builder = try RecordBuilder(configuration: config)
            daemon.reload(builder: builder)
            return "\(builder.linker.gazetteer.entities.count) entities"
        }
    }
}
