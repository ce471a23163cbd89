import Foundation
import MarsadRecord
import MarsadStream
import Testing

@testable import Archive

/// The archive copies its WAL into the database between batches (`maintain`), not inside the
/// commit that fills it: a real SQLite file, its size on disk before and after.
@Suite struct WALCheckpointTests {
    static func message(_ index: Int) throws -> StreamMessage {
        let paragraph = "أعلنت وزارة الدفاع انسحاب القوات من قاعدة عين الأسد في محافظة الأنبار، بحسب البيان رقم \(index)."
        let record = ArticleRecord(
            id: String(format: "%032x", index), title: "انسحاب القوات من قاعدة عين الأسد \(index)", published: nil, outlet: nil, url: nil,
            lang: "ar", encoding: "utf-8", paragraphs: Array(repeating: paragraph, count: 40), subheadings: [], removed: [], related: [],
            entities: [],
            files: [.init(name: "\(index).txt", sha256: String(repeating: "0", count: 64), size: 100, receivedAt: "2026-11-23T07:00:00.000Z")],
            ingestedAt: "2026-11-23T07:00:00.000Z")
        let envelope = Envelope(stream: "ingest", epoch: 1, seq: UInt64(index), id: record.id, schema: ArticleRecord.schemaName, time: "")
        return StreamMessage(topic: Topic.article, envelope: envelope, payload: record.jsonData())
    }

    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    @Test func theWALIsCopiedIntoTheDatabaseBetweenBatchesAtMostOnceASecond() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-wal-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = try SQLiteArchive(path: directory + "/archive.sqlite")
        let start = Date()
        try archive.maintain(now: start.addingTimeInterval(5))  // nothing committed: nothing to do
        let empty = Self.size(archive.path)

        for batch in 0..<5 {
            let messages = try (1...20).map { try Self.message(batch * 20 + $0) }
            try archive.store(messages, checkpoint: Checkpoint(stream: "ingest", epoch: 1, seq: UInt64(batch * 20 + 20)))
        }
        // Committed, in the WAL only: the commits did not checkpoint (the backstop is far).
        #expect(try archive.count() == 100)
        #expect(Self.size(archive.path) == empty)
        #expect(Self.size(archive.path + "-wal") > 1_000_000)

        try archive.maintain(now: start.addingTimeInterval(10))
        let copied = Self.size(archive.path)
        #expect(copied > empty + 500_000)

        // Within a second of the last, or with nothing new, it does nothing.
        try archive.store([try Self.message(101)], checkpoint: Checkpoint(stream: "ingest", epoch: 1, seq: 101))
        try archive.maintain(now: start.addingTimeInterval(10.5))
        try archive.maintain(now: start.addingTimeInterval(11.5))
        try archive.maintain(now: start.addingTimeInterval(20))
        #expect(try archive.count() == 101)
        #expect(try SQLiteArchive(path: archive.path, readOnly: true).count() == 101)
    }
}
