import ArgumentParser
import Foundation
import MarsadConfig
import MarsadStream
import Tail
import ZeroMQ

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Print a range of a stream from its replay endpoint.",
        discussion: """
            Asks the daemon's replay endpoint (docs/wire.md, marsad.replay/1) for the records from \
            --from through --to that are on the given topic prefixes, in batches, and prints them \
            like `marsad tail`. If --from is older than the journal keeps, it says where the journal \
            starts and prints from there.
            """)

    @Option(name: .long, help: ArgumentHelp("Replay endpoint. Default: the ingest replay endpoint of the configuration.", valueName: "endpoint"))
    var connect: String?

    @Option(name: .long, help: ArgumentHelp("Stream name. Default: [ingest] stream.", valueName: "name"))
    var stream: String?

    @Option(name: .long, help: ArgumentHelp("First seq.", valueName: "seq"))
    var from: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Last seq (default: the head).", valueName: "seq"))
    var to: UInt64?

    @Flag(name: .long, help: "Print each record's full JSON, one per line.")
    var json = false

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory (to find the default endpoint).", valueName: "dir"))
    var state: String?

    @Argument(help: ArgumentHelp("Topic prefixes (default: every record).", valueName: "prefix"))
    var prefixes: [String] = []

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        let security = try exitOnDataErrors { try ClientSecurity.load(config.curve) }
        let context = try Context()
        let client = ReplayClient(context: context, endpoint: connect ?? config.ingestReplayEndpoint, security: security)
        let printer = RecordPrinter(format: json ? .json : .compact)
        let streamName = stream ?? config.ingest.stream
        var cursor = from
        var warned = false
        while true {
            let batch: ReplayClient.Batch
            do {
                batch = try client.records(stream: streamName, from: cursor, through: to, prefixes: prefixes)
            } catch let error as ReplayClient.ReplayFailed {
                throw CommandError("\(error)")
            }
            if !warned && batch.summary.first > from {
                FileHandle.standardError.write(Data("replay: the journal starts at seq \(batch.summary.first); earlier records are gone\n".utf8))
                warned = true
            }
            for message in batch.messages { TailRunner.writeLine(printer.line(for: message)) }
            let end = min(to ?? batch.summary.head, batch.summary.head)
            if batch.summary.next > end || batch.summary.next <= cursor { break }
            cursor = batch.summary.next
        }
    }
}
