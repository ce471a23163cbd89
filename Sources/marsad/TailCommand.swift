import ArgumentParser
import Foundation
import Logging
import MarsadConfig
import MarsadStream
import ServiceLifecycle
import Tail

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print records from a live stream as they arrive.",
        discussion: """
            PREFIX is a ZeroMQ topic prefix: `article.` (the default) is every record once; \
            `entity.org.` every record naming an organisation; `entity.org.isis.` every record naming \
            ISIS — end a prefix with `.` to match a whole id, so `entity.org.isis.` does not catch \
            `entity.org.isis-k.`. A record matched by several prefixes is printed once. \
            A notice on standard error says when the subscription is live.
            """)

    @Option(name: .long, help: ArgumentHelp("Endpoint to connect to. Default: the ingest endpoint of the configuration.", valueName: "endpoint"))
    var connect: String?

    @Flag(name: .long, help: "Print each record's full JSON, one per line.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Exit after printing this many records.", valueName: "n"))
    var limit: Int?

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory (to find the default ipc endpoint).", valueName: "dir"))
    var state: String?

    @Argument(help: ArgumentHelp("Topic prefixes to subscribe to.", valueName: "prefix"))
    var prefixes: [String] = []

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        let endpoint = connect ?? config.ingestPublishEndpoint
        let tail = try TailRunner(options: .init(endpoint: endpoint, prefixes: prefixes, format: json ? .json : .compact, limit: limit))
        try await runUntilShutdown(TailService(runner: tail), logger: Logger(label: "marsad.tail"))
    }
}
