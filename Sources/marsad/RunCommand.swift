import Archive
import ArgumentParser
import Foundation
import Ingest
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import Synchronization
import Tail
import Workers

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every stage in one foreground process and print each record as it is published.",
        discussion: """
            The first-try mode: ingest publishes on its ZeroMQ endpoint; the archive worker writes \
            every record to <state>/archive.sqlite; an in-process subscriber prints what arrives, \
            exactly as `marsad tail` would. The stages talk over ZeroMQ as they do when run apart. \
            Drop .txt articles into <spool>/inbox (default ./var/spool/inbox); search what arrived with \
            `marsad search`. Ctrl-C stops it.
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var directories: DirectoryOptions

    @Flag(name: .long, help: "Print each record as JSON instead of a one-line summary.")
    var json = false

    @Flag(name: .long, help: "Process what is already in the spool, archive and print it, and exit.")
    var once = false

    @Flag(name: .long, help: "Print no records (ingest and archive only), e.g. for benchmarks.")
    var quiet = false

    func run() async throws {
        var config = try configOptions.load()
        directories.apply(to: &config)
        LoggingSetup.bootstrap(level: config.log.level)
        let logger = Logger(label: "marsad.run")
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }

        // The printer shows every record this run publishes, however late its subscription is
        // live: it starts after the journal's head as it stands now, and replays what it missed.
        let stream = config.ingest.stream
        let head = (try? Journal.inspect(directory: config.journalDirectory(stream: stream), logger: logger))
            .map { Checkpoint(stream: stream, epoch: $0.epoch, seq: $0.head) }
        let tailOptions = TailRunner.Options(
            endpoint: config.ingestPublishEndpoint, prefixes: [Topic.article], format: json ? .json : .compact, after: .some(head))
        let tail = quiet ? nil : try TailRunner(options: tailOptions)
        tail?.start()
        let location = archiveLocation(config)
        let archive = try StreamWorker(
            options: .init(
                name: "archive", endpoint: config.ingestPublishEndpoint, prefixes: [Topic.article], statusDirectory: config.consumersDirectory),
            logger: Logger(label: "marsad.worker.archive"))
        let archiveThread = BackgroundThread(name: "marsad-archive") {
            try archive.run(sink: ArchiveSink(store: try location.open(), stream: stream), output: location.description)
        }
        let daemon = try IngestDaemon(config: config, builder: builder, logger: Logger(label: "marsad.ingest"))
        let stopWhenDone = Task {
            // --once: the stream stays up until the printer and the archive have everything.
            guard once else { return }
            while !Task.isCancelled {
                if daemon.isIdle && (tail?.lastSeq ?? .max) >= daemon.head && (archive.committed?.seq ?? 0) >= daemon.head {
                    daemon.requestStop()
                    return
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let settings = config
        let reload = ReloadService(daemon: daemon, logger: logger) { try RecordBuilder(configuration: settings) }
        try await runUntilShutdown(IngestService(daemon: daemon), helpers: [reload], logger: logger)
        stopWhenDone.cancel()
        tail?.stop()
        archive.stop()
        try await archiveThread.wait()
        let counts = daemon.counts
        let archived = (try? location.open(readOnly: true).count()) ?? 0
        logger.info(
            "run finished",
            metadata: [
                "published": "\(counts.published)", "failed": "\(counts.failed)", "duplicates": "\(counts.duplicates)",
                "spool": "\(daemon.spool.root)", "archive": "\(location.description)", "archived": "\(archived)",
            ])
        FileHandle.standardError.write(
            Data("\n\(archived) articles in the archive. Search it:  marsad search \(location.searchFlag) انسحاب\n".utf8))
    }
}

/// A blocking job on a thread of its own, awaited from async code.
final class BackgroundThread: Sendable {
    private let outcome = Mutex<Result<Void, Error>?>(nil)

    init(name: String, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread {
            let result = Result { try body() }
            self.outcome.withLock { $0 = result }
        }
        thread.name = name
        thread.start()
    }

    var isFinished: Bool { outcome.withLock { $0 != nil } }

    func wait() async throws {
        while true {
            if let result = outcome.withLock({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
