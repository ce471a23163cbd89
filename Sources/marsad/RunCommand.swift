import Alerting
import Archive
import ArgumentParser
import Classification
import ClassifyWorker
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
            The first-try mode: ingest publishes on its ZeroMQ endpoint; the classify worker labels \
            each article and publishes the labels stream; the archive worker writes every article \
            with its labels to <state>/archive.sqlite; the alert worker applies config/alerts.toml \
            (alerts go to the log and <state>/alerts.jsonl); an in-process subscriber prints what \
            arrives, exactly as `marsad tail` would. The stages talk over ZeroMQ as they do when run \
            apart. Drop articles (.txt, .html, .json, .jsonl) into <spool>/inbox (default \
            ./var/spool/inbox); search what arrived with `marsad search`. Ctrl-C stops it.
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var directories: DirectoryOptions

    @Flag(name: .long, help: "Print each record as JSON instead of a one-line summary.")
    var json = false

    @Flag(name: .long, help: "Process what is already in the spool, archive and print it, and exit.")
    var once = false

    @Flag(name: .long, help: "Print no records (every stage still runs), e.g. for benchmarks.")
    var quiet = false

    @Option(
        name: .long,
        help: ArchiveSettings.Follow.help)
    var follow: ArchiveSettings.Follow?

    func run() async throws {
        var config = try configOptions.load()
        directories.apply(to: &config)
        if let follow { config.archive.follow = follow }
        LoggingSetup.bootstrap(level: config.log.level)
        let logger = Logger(label: "marsad.run")
        // The metrics server before any stage starts: it bootstraps swift-metrics, and a metric a
        // worker thread made before that would count into nothing for the whole run.
        let metrics = try metricsServices(config, process: "ingest", logger: logger)
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
        let classifier = try exitOnDataErrors { try Classifier(configuration: config) }
        let rules = try exitOnDataErrors { try AlertRules(configuration: config) }
        let labelSettings = try LabelSink.Settings(configuration: config)
        let labelsHead = SharedCounter()
        let classify = try StreamWorker(
            options: .init(
                name: "classify", endpoint: config.ingestPublishEndpoint, prefixes: [Topic.article], statusDirectory: config.consumersDirectory),
            logger: Logger(label: "marsad.worker.classify"))
        let classifyThread = BackgroundThread(name: "classify") {
            let sink = try LabelSink(classifier: classifier, settings: labelSettings, logger: Logger(label: "marsad.worker.classify"))
            labelsHead.set(sink.journal.head)
            sink.onCommit = { labelsHead.set($0) }
            defer { sink.close() }
            try classify.run(sink: sink, output: sink.publishEndpoint)
        }
        let follow = config.archive.follow
        let labels = follow == .labels
        let archiveStream = labels ? config.classify.stream : stream
        let archive = try StreamWorker(
            options: .init(
                name: "archive", endpoint: labels ? config.classifyPublishEndpoint : config.ingestPublishEndpoint,
                prefixes: [labels ? LabelSink.allTopic : Topic.article], statusDirectory: config.consumersDirectory),
            logger: Logger(label: "marsad.worker.archive"))
        let archiveStores = try location.openForWriters(follow == .both ? 2 : 1)
        let archiveThread = BackgroundThread(name: "archive") {
            try archive.run(sink: ArchiveSink(store: archiveStores[0], stream: archiveStream), output: location.description)
        }
        // With `follow = "both"`, a second consumer adds the labels to the same archive.
        let labelsStream = config.classify.stream
        let archiveLabels =
            follow == .both
            ? try StreamWorker(
                options: .init(
                    name: "archive-labels", endpoint: config.classifyPublishEndpoint, prefixes: [LabelSink.allTopic],
                    statusDirectory: config.consumersDirectory),
                logger: Logger(label: "marsad.worker.archive-labels")) : nil
        let archiveLabelsThread = archiveLabels.map { worker in
            BackgroundThread(name: "archive-labels") {
                try worker.run(sink: ArchiveSink(store: archiveStores[1], stream: labelsStream), output: location.description)
            }
        }
        let alert = try StreamWorker(
            options: .init(
                name: "alert", endpoint: config.classifyPublishEndpoint, prefixes: [LabelSink.allTopic], statusDirectory: config.consumersDirectory),
            logger: Logger(label: "marsad.worker.alert"))
        let (alertDatabase, alertFile, alertPublish) = (config.alertDatabase, config.alertFile, config.alertPublishEndpoint)
        let alertReloads = PendingReload<AlertRules>()
        let alertThread = BackgroundThread(name: "alert") {
            let sink = try AlertSink(
                rules: rules, databasePath: alertDatabase, alertFile: alertFile, publish: alertPublish, reloads: alertReloads,
                logger: Logger(label: "marsad.worker.alert"))
            defer { sink.close() }
            try alert.run(sink: sink, output: alertDatabase)
        }
        let daemon = try IngestDaemon(config: config, builder: builder, logger: Logger(label: "marsad.ingest"))
        let workerThreads = [classifyThread, archiveThread, alertThread] + (archiveLabelsThread.map { [$0] } ?? [])
        let stopWhenDone = Task {
            while !Task.isCancelled {
                // A worker that stopped with an error stops the run (its error is the run's), rather
                // than leaving ingest publishing to a pipeline that no longer archives or alerts.
                if workerThreads.contains(where: \.isFinished) {
                    logger.error("a worker thread stopped; stopping the run")
                    daemon.requestStop()
                    return
                }
                // --once: the stream stays up until the printer and the archive have everything.
                guard once else {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let head = labelsHead.value
                let labelled = (classify.committed?.seq ?? 0) >= daemon.head
                let archived =
                    (archive.committed?.seq ?? 0) >= (labels ? head : daemon.head) && (archiveLabels.map { ($0.committed?.seq ?? 0) >= head } ?? true)
                if daemon.isIdle && (tail?.lastSeq ?? .max) >= daemon.head && labelled && archived && (alert.committed?.seq ?? 0) >= head {
                    daemon.requestStop()
                    return
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let reload = HangupReloadService(
            [.articleData(config, into: daemon), .alertRules(config, initial: rules, into: alertReloads)], logger: logger)
        try await runUntilShutdown(
            IngestService(daemon: daemon), helpers: [reload] + metrics, logger: logger)
        stopWhenDone.cancel()
        tail?.stop()
        classify.stop()
        archive.stop()
        archiveLabels?.stop()
        alert.stop()
        try await classifyThread.wait()
        try await archiveThread.wait()
        try await archiveLabelsThread?.wait()
        try await alertThread.wait()
        let counts = daemon.counts
        let archived = (try? location.open(readOnly: true).count()) ?? 0
        logger.info(
            "run finished",
            metadata: [
                "published": "\(counts.published)", "failed": "\(counts.failed)", "duplicates": "\(counts.duplicates)",
                "spool": "\(daemon.spool.root)", "archive": "\(location.description)", "archived": "\(archived)",
            ])
        FileHandle.standardError.write(
            Data(
                "\n\(archived) articles in the archive. Search it:  marsad search \(location.searchFlag) انسحاب\nAlerts: \(alertFile)\n"
                    .utf8))
    }
}

/// A blocking job on a thread of its own, awaited from async code (`wait`) or joined from another
/// thread (`join`); `onFailure` runs on the job's thread if the job throws, e.g. to stop the
/// thread that will join it.
final class BackgroundThread: Sendable {
    private let outcome = Mutex<Result<Void, Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () throws -> Void, onFailure: @escaping @Sendable () -> Void = {}) {
        NamedThread.start(name) {
            let result = Result { try body() }
            self.outcome.withLock { $0 = result }
            if case .failure = result { onFailure() }
            self.finished.signal()
        }
    }

    var isFinished: Bool { outcome.withLock { $0 != nil } }

    func wait() async throws {
        while true {
            if let result = outcome.withLock({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Blocks until the job ends and rethrows its error.
    func join() throws {
        finished.wait()
        try outcome.withLock { $0 }?.get()
    }
}

/// A number one thread sets and others read.
final class SharedCounter: Sendable {
    private let storage = Atomic<UInt64>(0)
    var value: UInt64 { storage.load(ordering: .acquiring) }
    func set(_ value: UInt64) { storage.store(value, ordering: .releasing) }
}
