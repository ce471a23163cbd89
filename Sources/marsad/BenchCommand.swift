import ArgumentParser
import Foundation
import Logging
import MarsadStream

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parts of Marsad on this machine (build with -c release for real figures).",
        subcommands: [JournalBenchCommand.self])
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
            settings: JournalSettings(directory: directory, stream: "bench", durable: !noDurable), logger: Logger(label: "marsad.bench"))
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
        let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        let bytes = journal.size
        let readStart = ContinuousClock.now
        var cursor: UInt64 = 1
        var read = 0
        while cursor <= journal.head {
            let result = try journal.read(from: cursor, limit: 1000)
            read += result.entries.count
            cursor = result.next
        }
        let readDuration = ContinuousClock.now - readStart
        let readSeconds = Double(readDuration.components.seconds) + Double(readDuration.components.attoseconds) / 1e18
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
