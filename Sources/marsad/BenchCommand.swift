import ArabicText
import Archive
import ArgumentParser
import ArticleParsing
import Classification
import ClassifyWorker
import Foundation
import Ingest
import Logging
import MarsadConfig
import MarsadRecord
import MarsadStream

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parts of Marsad on this machine (build with -c release for real figures).",
        subcommands: [JournalBenchCommand.self, ArchiveBenchCommand.self, ParseBenchCommand.self])
}

struct JournalBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Append records to a fresh journal in batches, durably, and print records/s and MB/s.",
        discussion: "Uses a temporary directory (removed afterwards) unless --dir is given. Prints one JSON line of figures.")

    @Option(help: "Records to append.") var records = 20_000
    @Option(help: "Payload bytes per record (the seeds' records are 8–40 KB).") var size = 8_192
    @Option(help: "Records per group commit (ingest's [ingest] batch_max).") var batch = 256
    @Flag(help: "Skip fdatasync (measures the write path alone).") var noDurable = false
    @Option(help: "Directory for the journal.") var dir: String?

    func run() async throws {
        let directory = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("marsad-bench-\(UUID().uuidString.prefix(8))").path
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let journal = try Journal(
            settings: JournalSettings(directory: directory, stream: "bench", durable: !noDurable, directorySetting: "--dir"),
            logger: Logger(label: "marsad.bench"))
        let payload = Data(String(repeating: "م", count: size / 2).utf8)
        let topics = ["article.", "entity.org.pentagon.", "entity.loc.syria.", "entity.org.isis."]
        let start = ContinuousClock.now
        var appended = 0
        while appended < records {
            let count = min(batch, records - appended)
            let drafts = (0..<count).map { index in
                Journal.Draft(id: String(format: "%032x", appended + index + 1), schema: "marsad.article/1", topics: topics, payload: payload)
            }
            _ = try journal.append(drafts)
            appended += count
        }
        let seconds = (ContinuousClock.now - start).seconds
        let bytes = journal.size
        let readStart = ContinuousClock.now
        var cursor: UInt64 = 1
        var read = 0
        while cursor <= journal.head {
            let result = try journal.read(from: cursor, limit: 1000)
            read += result.entries.count
            cursor = result.next
        }
        let readSeconds = (ContinuousClock.now - readStart).seconds
        let figures: [String: Any] = [
            "records": records, "payload_bytes": size, "batch": batch, "durable": !noDurable,
            "append_records_per_s": Int(Double(records) / seconds), "append_mb_per_s": (Double(bytes) / 1e6 / seconds * 10).rounded() / 10,
            "group_commits": (records + batch - 1) / batch, "read_records_per_s": Int(Double(read) / readSeconds),
            "journal_bytes": bytes,
        ]
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        FileHandle.standardError.write(
            Data(
                "journal: \(records) × \(size) B in batches of \(batch), \(noDurable ? "no fsync" : "fdatasync per batch"): \(figures["append_records_per_s"]!) records/s, \(figures["append_mb_per_s"]!) MB/s appended; \(figures["read_records_per_s"]!) records/s read back\n"
                    .utf8))
        print(String(decoding: json, as: UTF8.self))
    }
}

struct ArchiveBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Load generated articles into a SQLite archive, then time typical searches (p50/p99).",
        discussion: """
            Articles are recombined from the seeds' paragraphs (with their entities), each made unique \
            by one sentence, and written in batches exactly as the archive worker writes them. Prints \
            insert throughput, database size and latency per query as one JSON line.
            """)

    @Option(help: "Articles to load (0 with --db times the searches of an existing archive).") var articles = 1_000_000
    @Option(help: "Articles per transaction.") var batch = 500
    @Option(help: "Runs of each query.") var runs = 30
    @Option(help: "Archive file (default: a temporary file, removed afterwards).") var db: String?
    @OptionGroup var configOptions: ConfigOptions

    func run() async throws {
        let config = try configOptions.load()
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let seedDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("seeds").path
        let directory = FileManager.default.fileExists(atPath: "seeds") ? "seeds" : seedDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".txt") }.sorted()
        let records = try names.map { name in
            try builder.record(
                for: SourceFile(name: name, bytes: Array(FileManager.default.contents(atPath: directory + "/" + name)!), receivedAt: Date()))
        }
        let template = ArchiveBenchmark.template(from: records)
        let path = db ?? FileManager.default.temporaryDirectory.appendingPathComponent("marsad-bench-\(UUID().uuidString.prefix(8)).sqlite").path
        defer {
            if db == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        }
        let store = try SQLiteArchive(path: path)
        // Only the archive's work is timed: decoding the payloads, indexing and the transaction,
        // as the worker does it; generating the records is not.
        var storing = Duration.zero
        var loaded = 0
        var lastReport = ContinuousClock.now
        while loaded < articles {
            let count = min(batch, articles - loaded)
            let messages = (loaded..<(loaded + count)).map { index -> StreamMessage in
                let record = ArchiveBenchmark.record(index, template: template)
                let envelope = Envelope(stream: "bench", epoch: 1, seq: UInt64(index + 1), id: record.id, schema: ArticleRecord.schemaName, time: "")
                return StreamMessage(topic: Topic.article, envelope: envelope, payload: record.jsonData())
            }
            let begin = ContinuousClock.now
            try store.store(messages, checkpoint: Checkpoint(stream: "bench", epoch: 1, seq: UInt64(loaded + count)))
            storing += ContinuousClock.now - begin
            loaded += count
            if ContinuousClock.now - lastReport > .seconds(10) {
                lastReport = ContinuousClock.now
                FileHandle.standardError.write(Data("archive bench: \(loaded) articles loaded\n".utf8))
            }
        }
        let loadSeconds = storing.seconds
        var size = 0
        for suffix in ["", "-wal"] {
            size += (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0
        }
        var latencies: [[String: Any]] = []
        for (name, query) in ArchiveBenchmark.queries {
            var times: [Double] = []
            var hits = 0
            for _ in 0..<runs {
                let begin = ContinuousClock.now
                hits = try store.search(query).count
                times.append((ContinuousClock.now - begin).seconds * 1000)
            }
            times.sort()
            let p50 = times[times.count / 2]
            let p99 = times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
            latencies.append(["query": name, "hits": hits, "p50_ms": (p50 * 10).rounded() / 10, "p99_ms": (p99 * 10).rounded() / 10])
            FileHandle.standardError.write(
                Data(String(format: "  %-40@ p50 %7.1f ms  p99 %7.1f ms  (%d hits)\n", name as NSString, p50, p99, hits).utf8))
        }
        let figures: [String: Any] = [
            "articles": articles, "insert_articles_per_s": loadSeconds > 0 ? Int(Double(articles) / loadSeconds) : 0,
            "load_seconds": (loadSeconds * 10).rounded() / 10, "archived_articles": try store.count(),
            "database_bytes": size, "queries": latencies,
        ]
        FileHandle.standardError.write(
            Data(
                "archive bench: \(articles) articles in \(String(format: "%.1f", loadSeconds)) s (\(figures["insert_articles_per_s"]!) articles/s), \(size / 1_000_000) MB\n"
                    .utf8))
        print(String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]), as: UTF8.self))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

struct ParseBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse and link a directory of articles on one thread (optionally label them) and print MB/s and articles/s.",
        discussion: """
            DIR holds article files, e.g. generated by `python3 scripts/generate_articles.py --out DIR -n 2000` or by the \
            side-by-side harness's gen.py. Files are read into memory first; then each is parsed, linked and (with \
            --labels) classified, --rounds times, on one thread: the figures are per core. With --search-forms each \
            article's search forms are built too, as the archive worker builds them before it stores the article, and \
            timed apart (search_forms_ms_per_article). Prints one JSON line.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Argument(help: ArgumentHelp("Directory of article files.", valueName: "dir"))
    var directory: String

    @Option(help: "Passes over the files.") var rounds = 3
    @Flag(help: "Classify each article too, as the classify worker does.") var labels = false
    @Flag(help: "Build each article's search forms too, as the archive worker does, and time them apart.") var searchForms = false

    func run() async throws {
        let config = try configOptions.load()
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let classifier = labels ? try exitOnDataErrors { try Classifier(configuration: config) } : nil
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        let files = names.compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { SourceFile(name: name, bytes: Array($0), receivedAt: Date()) }
        }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("marsad bench parse: no files in \(directory)\n".utf8))
            throw ExitCode(1)
        }
        let bytes = files.reduce(0) { $0 + $1.bytes.count }
        var failures = 0
        var encoded = 0
        var memo: Classifier.Memo = [:]  // kept across articles, as the classify worker does
        let formsCache = SearchFormsCache()  // kept across articles, as the archive worker does
        var formsTime = Duration.zero
        var formsBytes = 0
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for file in files {
                do throws(ParseFailure) {
                    for outcome in try builder.records(for: file) {
                        guard case .success(let record) = outcome.result else { continue }
                        // As ingest and the classify worker do: the record's JSON, then the labels
                        // record around it.
                        let json = record.jsonData()
                        if searchForms {
                            let started = ContinuousClock.now
                            let document = SearchDocument([record.title] + record.paragraphs, cache: formsCache)
                            formsTime += ContinuousClock.now - started
                            formsBytes += document.stems.utf8.count + document.variants.utf8.count + document.skeletons.utf8.count
                        }
                        if let classifier {
                            let labels = LabelSink.labels(
                                title: record.title, paragraphs: record.paragraphs, classifier: classifier, memo: &memo)
                            encoded +=
                                (try? LabelsRecord.jsonData(
                                    id: record.id, source: .init(stream: "bench", epoch: 0, seq: 0), labels: labels, classifiedAt: "",
                                    articleJSON: json
                                ).count) ?? 0
                        } else {
                            encoded += json.count
                        }
                    }
                } catch {
                    failures += 1
                }
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        var figures: [String: Any] = [
            "files": files.count, "rounds": rounds, "input_mb": (Double(bytes) / 1e6 * 100).rounded() / 100, "labels": labels,
            "failures": failures / rounds, "seconds": (seconds * 100).rounded() / 100,
            "articles_per_s": Int(Double(files.count * rounds) / seconds),
            "mb_per_s_per_core": (Double(bytes * rounds) / 1e6 / seconds * 100).rounded() / 100,
            "ms_per_article": (seconds * 1000 / Double(files.count * rounds) * 100).rounded() / 100,
            "record_json_mb": (Double(encoded / rounds) / 1e6 * 100).rounded() / 100,
        ]
        if searchForms {
            figures["search_forms_ms_per_article"] = (formsTime.seconds * 1000 / Double(files.count * rounds) * 1000).rounded() / 1000
            figures["search_forms_mb"] = (Double(formsBytes / rounds) / 1e6 * 100).rounded() / 100
        }
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
