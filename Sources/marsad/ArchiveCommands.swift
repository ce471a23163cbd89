import Archive
import ArgumentParser
import ClassifyWorker
import Foundation
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream
import Workers

struct ArchiveWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive every record into SQLite with an Arabic-aware full-text index.",
        discussion: """
            Writes each batch of records and the stream checkpoint in one transaction (WAL), keyed by \
            record id, so a worker killed at any instant and restarted ends with exactly the archive of \
            one that never died. Search it with `marsad search`; its schema is in docs/archive.md. \
            By default it follows both streams: each article is archived from the ingest stream as soon \
            as it is published and its labels are added from the classify worker's labels stream when \
            they come; `--follow labels` archives only the labels stream (each article with its labels, \
            after classification), `--follow articles` only the ingest stream (no labels).
            """)

    @Option(
        name: .long,
        help: ArchiveSettings.Follow.help)
    var follow: ArchiveSettings.Follow?

    @Option(name: .long, help: ArgumentHelp("The SQLite archive. Default: [archive] db, else <state>/archive.sqlite.", valueName: "file"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Archive into this PostgreSQL database instead (postgres://user@host:port/db).", valueName: "url"))
    var postgres: String?

    @Option(
        name: .long, help: ArgumentHelp("Publish endpoint of the stream. Default: the ingest endpoint of the configuration.", valueName: "endpoint"))
    var connect: String?

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory. Overrides [state] dir.", valueName: "dir"))
    var state: String?

    func run() async throws {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        if let follow { config.archive.follow = follow }
        let follow = config.archive.follow
        let location = archiveLocation(config, db: db, postgres: postgres)
        // The article stream (ingest's, or --connect) unless only labels are followed.
        let (worker, logger) = try makeWorker(
            name: "archive", config: config, connect: connect ?? (follow == .labels ? config.classifyPublishEndpoint : nil),
            prefixes: follow == .labels ? [LabelSink.allTopic] : [])
        let stream = follow == .labels ? config.classify.stream : config.ingest.stream
        // With both streams, the labels stream has a worker of its own, on a second thread of the
        // same service: it stops with the article worker and fails the service if it fails.
        let labelsWorker: StreamWorker? =
            follow == .both
            ? try makeWorker(name: "archive-labels", config: config, connect: config.classifyPublishEndpoint, prefixes: [LabelSink.allTopic]).0
            : nil
        let labelsStream = config.classify.stream
        try await runUntilShutdown(
            ThreadService(
                name: "archive",
                body: {
                    let stores = try location.openForWriters(labelsWorker == nil ? 1 : 2)
                    let companion = labelsWorker.map { labelsWorker in
                        BackgroundThread(name: "archive-labels") {
                            try labelsWorker.run(sink: ArchiveSink(store: stores[1], stream: labelsStream), output: location.description)
                        } onFailure: {
                            worker.stop()
                        }
                    }
                    defer { labelsWorker?.stop() }
                    try worker.run(sink: ArchiveSink(store: stores[0], stream: stream), output: location.description)
                    labelsWorker?.stop()
                    try companion?.join()
                },
                stop: {
                    worker.stop()
                    labelsWorker?.stop()
                }),
            helpers: try metricsServices(config, process: "archive", logger: logger), logger: logger)
    }
}

/// `--db` plus the filters shared by search, export and entities.
struct ArchiveQueryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite archive. Default: the configured archive, else <state>/archive.sqlite.", valueName: "file"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Read this PostgreSQL archive instead (postgres://user@host:port/db).", valueName: "url"))
    var postgres: String?

    @Option(
        name: .long, help: ArgumentHelp("Only articles mentioning this entity id (e.g. org.sdf); repeatable: all must be mentioned.", valueName: "id")
    )
    var entity: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only articles carrying this label; repeatable.", valueName: "label"))
    var label: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only articles of this outlet (spelling variants match).", valueName: "name"))
    var outlet: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Published on or after (YYYY, YYYY-MM or YYYY-MM-DD; undated articles count by ingestion).", valueName: "date"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Published on or before (YYYY, YYYY-MM or YYYY-MM-DD).", valueName: "date"))
    var until: String?

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("State directory (to find the default archive).", valueName: "dir"))
    var state: String?

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, value.wholeMatch(of: /\d{4}(-\d{2}(-\d{2})?)?/) == nil {
                throw ValidationError("\(flag) \(value): use YYYY, YYYY-MM or YYYY-MM-DD")
            }
        }
    }

    func openStore() throws -> any ArchiveBackend {
        var config = try configOptions.load()
        if let state { config.state.directory = state }
        do {
            return try archiveLocation(config, db: db, postgres: postgres).open(readOnly: true)
        } catch let error as ArchiveError {
            throw CommandError(error.description)
        }
    }

    func query(_ text: String, limit: Int) -> SearchQuery {
        var query = SearchQuery(text: text)
        query.entities = entity
        query.labels = label
        query.outlet = outlet
        query.since = since
        query.until = until
        query.limit = limit
        return query
    }
}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the archive: Arabic-aware full text plus entity, label, outlet and date filters.",
        discussion: """
            Every word must match; "quoted words" must match as a phrase. Spelling does not matter the \
            way it does not in Arabic news: hamza and alef forms, ى/ي, ة/ه, diacritics, tatweel, \
            Persian letters and digits, the article and fused prepositions («للانسحاب» is found by \
            «انسحاب»), and vowel-letter variants of names («الأمريكيه» finds «الأميركية»). Results are \
            ranked by bm25 (title weighs more), with a snippet in the article's own spelling.
            """)

    @Argument(help: ArgumentHelp("Words to search for (may be empty when filters are given).", valueName: "query"))
    var words: [String] = []

    @Option(name: .long, help: "At most this many results.") var limit = 20
    @Flag(name: .long, help: "Print one JSON array of results.") var json = false
    @Flag(name: .long, help: "Print one JSON object per result per line.") var jsonl = false
    @OptionGroup var options: ArchiveQueryOptions

    func run() async throws {
        let store = try options.openStore()
        let hits = try store.search(options.query(words.joined(separator: " "), limit: limit))
        if json || jsonl {
            let encoder = JSONEncoder()
            encoder.outputFormatting = json ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
            if json {
                print(String(decoding: try encoder.encode(hits), as: UTF8.self))
            } else {
                for hit in hits { print(String(decoding: try encoder.encode(hit), as: UTF8.self)) }
            }
            return
        }
        if hits.isEmpty {
            FileHandle.standardError.write(Data("no results in \(store.location)\n".utf8))
            return
        }
        print(ResultTable.render(hits))
    }
}

/// The search results as an aligned table that survives right-to-left text: each Arabic cell is
/// wrapped in a first-strong isolate (U+2068 … U+2069), so a terminal's bidi algorithm cannot
/// move it into the next column.
enum ResultTable {
    static func isolate(_ text: String) -> String { "\u{2068}" + text + "\u{2069}" }

    static func pad(_ text: String, _ width: Int) -> String {
        let visible = text.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }.count
        return isolate(text) + String(repeating: " ", count: max(0, width - visible))
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    static func render(_ hits: [SearchHit]) -> String {
        let outletWidth = min(18, hits.map { ($0.outlet ?? "—").count }.max() ?? 1)
        var lines: [String] = []
        for (index, hit) in hits.enumerated() {
            let date = (hit.published ?? "—").padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append(
                String(format: "%3d  ", index + 1) + date + "  " + pad(truncate(hit.outlet ?? "—", outletWidth), outletWidth) + "  "
                    + isolate(truncate(hit.title, 90)))
            if let snippet = hit.snippet { lines.append("     " + isolate(snippet)) }
            var facts = hit.entities.prefix(6).map(\.id).joined(separator: " ")
            if hit.entities.count > 6 { facts += " (+\(hit.entities.count - 6))" }
            if !hit.labels.isEmpty { facts += "  labels: " + hit.labels.map(\.label).joined(separator: " ") }
            lines.append("     " + facts + "  [\(hit.id.prefix(12))]")
        }
        return lines.joined(separator: "\n")
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export archived records as JSONL (full records) or CSV (one row per article).",
        discussion: "Takes the same query and filters as `marsad search`; no query exports every matching article, newest first.")

    @Argument(help: ArgumentHelp("Words to search for (optional).", valueName: "query"))
    var words: [String] = []

    @Option(name: .long, help: "jsonl or csv.") var format = "jsonl"
    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
    @OptionGroup var options: ArchiveQueryOptions

    func validate() throws {
        guard ["jsonl", "csv"].contains(format) else { throw ValidationError("--format \(format): use jsonl or csv") }
    }

    func run() async throws {
        let store = try options.openStore()
        let records = try store.records(options.query(words.joined(separator: " "), limit: Int.max / 2))
        var text = ""
        if format == "csv" {
            text = "id,published,outlet,title,entities,files\n"
            for record in records {
                let fields = [
                    record.id, record.published?.date ?? "", record.outlet?.name ?? "", record.title,
                    record.entities.map(\.id).joined(separator: " "), record.files.map(\.name).joined(separator: " "),
                ]
                text += fields.map(Self.csvField).joined(separator: ",") + "\n"
            }
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            for record in records { text += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n" }
        }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("exported \(records.count) articles to \(output)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}

struct EntitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entities",
        abstract: "Mention counts per entity over a period, optionally as a timeline by day, week, month or year.",
        discussion: "Counts archived articles (and mentions) per linked entity, most mentioned first; --by gives one row per entity and period.")

    @Option(name: .long, help: "day, week, month or year: one row per entity and period.") var by: String?
    @Option(name: .long, help: ArgumentHelp("Only entities of this kind (per, org, loc, fac, misc); repeatable.", valueName: "kind")) var kind:
        [String] = []
    @Option(name: .long, help: "At most this many entities.") var limit = 30
    @Flag(name: .long, help: "Print JSON.") var json = false
    @OptionGroup var options: ArchiveQueryOptions

    func validate() throws {
        if let by, ArchivePeriod(rawValue: by) == nil { throw ValidationError("--by \(by): use day, week, month or year") }
    }

    func run() async throws {
        let store = try options.openStore()
        let counts = try store.entityCounts(
            since: options.since, until: options.until, kinds: kind, entities: options.entity, by: by.flatMap(ArchivePeriod.init),
            limit: limit)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(counts), as: UTF8.self))
            return
        }
        let idWidth = counts.map(\.id.count).max() ?? 2
        for count in counts {
            let period = count.period.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " } ?? ""
            print(
                count.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  " + period
                    + String(format: "%6d articles %7d mentions  ", count.articles, count.mentions) + ResultTable.isolate(count.nameAr))
        }
    }
}

extension ArchiveSettings.Follow: ExpressibleByArgument {
    /// The `--follow` help of `marsad run` and `marsad worker archive`.
    static let help = ArgumentHelp(
        "What the archive follows: labels (each article with its labels, after classification), articles (no labels), or both (each article at once, its labels when they come). Overrides [archive] follow.",
        valueName: "stream")
}
