import ArgumentParser
import Ingest
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import ServiceLifecycle
import Tail

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every stage in one foreground process and print each record as it is published.",
        discussion: """
            The first-try mode: ingest publishes on its ZeroMQ endpoint and an in-process subscriber \
            prints what arrives, exactly as `marsad tail` would. Drop .txt articles into <spool>/inbox \
            (default ./var/spool/inbox). Ctrl-C stops it.
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var directories: DirectoryOptions

    @Flag(name: .long, help: "Print each record as JSON instead of a one-line summary.")
    var json = false

    @Flag(name: .long, help: "Process what is already in the spool, print it, and exit.")
    var once = false

    func run() async throws {
        var config = try configOptions.load()
        directories.apply(to: &config)
        LoggingSetup.bootstrap(level: config.log.level)
        let logger = Logger(label: "marsad.run")
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }

        let tail = try TailRunner(options: .init(endpoint: config.ingestPublishEndpoint, prefixes: [Topic.article], format: json ? .json : .compact))
        tail.start()
        // Ingest waits for the printer's subscription, so the first records are not missed.
        let daemon = try IngestDaemon(
            config: config, builder: builder, logger: Logger(label: "marsad.ingest"), options: .init(once: once, waitForSubscriptions: 1))
        try await runUntilShutdown(IngestService(daemon: daemon), logger: logger)
        await tail.finish(upTo: daemon.head, timeout: .seconds(10))
        let counts = daemon.counts
        logger.info(
            "run finished",
            metadata: [
                "published": "\(counts.published)", "failed": "\(counts.failed)", "duplicates": "\(counts.duplicates)",
                "spool": "\(daemon.spool.root)",
            ])
    }
}
