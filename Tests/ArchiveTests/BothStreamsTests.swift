import Foundation
import MarsadRecord
import MarsadStream
import Testing

@testable import Archive

/// An archive that follows both streams gets each article twice: from ingest's stream and inside
/// its labels record. Whichever comes first stores and indexes the article; the second adds only
/// what is new (labels, or a file) — a real SQLite file.
@Suite struct BothStreamsTests {
    static let id = String(format: "%032x", 7)

    static func article(file: String) -> ArticleRecord {
        ArticleRecord(
            id: id, title: "انسحاب القوات الأمريكية من قاعدة عين الأسد", published: nil, outlet: nil, url: nil, lang: "ar", encoding: "utf-8",
            paragraphs: ["أعلنت وزارة الدفاع انسحاب القوات من قاعدة عين الأسد في محافظة الأنبار."], subheadings: [], removed: [], related: [],
            entities: [], files: [.init(name: file, sha256: String(repeating: "0", count: 64), size: 100, receivedAt: "2026-11-23T07:00:00.000Z")],
            ingestedAt: "2026-11-23T07:00:00.000Z")
    }

    static func articleMessage(seq: UInt64, file: String) -> StreamMessage {
        let envelope = Envelope(stream: "ingest", epoch: 1, seq: seq, id: id, schema: ArticleRecord.schemaName, time: "")
        return StreamMessage(topic: Topic.article, envelope: envelope, payload: article(file: file).jsonData())
    }

    static func labelsMessage(seq: UInt64) throws -> StreamMessage {
        let labels = [LabelsRecord.Label(label: "force_withdrawal", score: 0.9, evidence: [])]
        let payload = try LabelsRecord.jsonData(
            id: id, source: .init(stream: "ingest", epoch: 1, seq: 1), labels: labels, classifiedAt: "2026-11-23T07:00:01.000Z",
            articleJSON: article(file: "a.txt").jsonData())
        let envelope = Envelope(stream: "labels", epoch: 1, seq: seq, id: id, schema: LabelsRecord.schemaName, time: "")
        return StreamMessage(topic: Topic.labels, envelope: envelope, payload: payload)
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-both-\(UUID().uuidString.prefix(8))").path
    var archivePath: String { directory + "/archive.sqlite" }

    func files(_ archive: SQLiteArchive) throws -> [String] {
        try archive.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM files ORDER BY name") }
    }

    func labels(_ archive: SQLiteArchive) throws -> [String] {
        try archive.pool.read { db in try String.fetchAll(db, sql: "SELECT label FROM labels") }
    }

    func indexRows(_ archive: SQLiteArchive) throws -> Int {
        try archive.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'انسحاب'") ?? 0 }
    }

    @Test func labelsFirstThenTheArticleAddsOnlyItsNewFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = try SQLiteArchive(path: archivePath)
        #expect(try archive.store([try Self.labelsMessage(seq: 1)], checkpoint: Checkpoint(stream: "labels", epoch: 1, seq: 1)) == 1)
        #expect(try archive.store([Self.articleMessage(seq: 1, file: "b.txt")], checkpoint: Checkpoint(stream: "ingest", epoch: 1, seq: 1)) == 0)
        #expect(try archive.count() == 1)
        #expect(try indexRows(archive) == 1)
        #expect(try labels(archive) == ["force_withdrawal"])
        #expect(try files(archive) == ["a.txt", "b.txt"])
        #expect(try archive.checkpoint(stream: "ingest")?.seq == 1)
        #expect(try archive.search(SearchQuery(text: "الانسحاب")).map(\.id) == [Self.id])
    }

    @Test func articleFirstThenItsLabelsAddOnlyTheLabels() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = try SQLiteArchive(path: archivePath)
        #expect(try archive.store([Self.articleMessage(seq: 1, file: "a.txt")], checkpoint: Checkpoint(stream: "ingest", epoch: 1, seq: 1)) == 1)
        #expect(try labels(archive).isEmpty)
        #expect(try archive.store([try Self.labelsMessage(seq: 1)], checkpoint: Checkpoint(stream: "labels", epoch: 1, seq: 1)) == 0)
        #expect(try archive.count() == 1)
        #expect(try indexRows(archive) == 1)
        #expect(try labels(archive) == ["force_withdrawal"])
        #expect(try files(archive) == ["a.txt"])
    }
}
