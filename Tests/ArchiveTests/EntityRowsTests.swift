import Foundation
import GRDB
import MarsadRecord
import MarsadStream
import Testing

@testable import Archive

/// The archive writes an entity's row when it first sees it or when the gazetteer changed it,
/// not again for every article that names it (a real SQLite file; an UPDATE trigger counts the
/// rewrites). A row someone else removed is written again once a commit fails for it.
@Suite struct EntityRowsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-entities-\(UUID().uuidString.prefix(8))").path

    static func message(seq: UInt64, nameEn: String) -> StreamMessage {
        let id = String(format: "%032x", seq)
        let pentagon = ArticleRecord.EntityField(
            id: "org.pentagon", kind: "org", nameAr: "البنتاغون", nameEn: nameEn, wikidata: "Q11209", count: 1, mentions: [])
        let record = ArticleRecord(
            id: id, title: "البنتاغون يعلن انسحاب القوات رقم \(seq)", published: nil, outlet: nil, url: nil, lang: "ar", encoding: "utf-8",
            paragraphs: ["أعلن البنتاغون انسحاب القوات من قاعدة عين الأسد."], subheadings: [], removed: [], related: [], entities: [pentagon],
            files: [.init(name: "\(seq).txt", sha256: String(repeating: "0", count: 64), size: 100, receivedAt: "2026-11-24T05:00:00.000Z")],
            ingestedAt: "2026-11-24T05:00:00.000Z")
        let envelope = Envelope(stream: "ingest", epoch: 1, seq: seq, id: id, schema: ArticleRecord.schemaName, time: "")
        return StreamMessage(topic: Topic.article, envelope: envelope, payload: record.jsonData())
    }

    func store(_ archive: SQLiteArchive, seq: UInt64, nameEn: String = "The Pentagon") throws {
        try archive.store([Self.message(seq: seq, nameEn: nameEn)], checkpoint: Checkpoint(stream: "ingest", epoch: 1, seq: seq))
    }

    @Test func anEntitysRowIsWrittenWhenNewOrChangedOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = try SQLiteArchive(path: directory + "/archive.sqlite")
        try archive.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE rewrites (n INTEGER NOT NULL);
                    INSERT INTO rewrites VALUES (0);
                    CREATE TRIGGER count_rewrites AFTER UPDATE ON entities BEGIN UPDATE rewrites SET n = n + 1; END;
                    """)
        }
        func rewrites() throws -> Int { try archive.pool.read { db in try Int.fetchOne(db, sql: "SELECT n FROM rewrites") ?? -1 } }
        func nameEn() throws -> String? {
            try archive.pool.read { db in try String.fetchOne(db, sql: "SELECT name_en FROM entities WHERE id = 'org.pentagon'") }
        }

        try store(archive, seq: 1)
        try store(archive, seq: 2)
        try store(archive, seq: 3)
        #expect(try rewrites() == 0)
        #expect(try nameEn() == "The Pentagon")

        // A reloaded gazetteer names it otherwise: the row follows, once.
        try store(archive, seq: 4, nameEn: "The Pentagon (US Department of Defense)")
        try store(archive, seq: 5, nameEn: "The Pentagon (US Department of Defense)")
        #expect(try rewrites() == 1)
        #expect(try nameEn() == "The Pentagon (US Department of Defense)")

        // Removed behind the archive's back: the next article's mention cannot refer to it, that
        // commit fails, and the one after writes the row again.
        try archive.pool.write { db in
            try db.execute(sql: "DELETE FROM mentions WHERE entity_id = 'org.pentagon'; DELETE FROM entities WHERE id = 'org.pentagon'")
        }
        #expect(throws: (any Error).self) { try store(archive, seq: 6, nameEn: "The Pentagon (US Department of Defense)") }
        try store(archive, seq: 6, nameEn: "The Pentagon (US Department of Defense)")
        #expect(try nameEn() == "The Pentagon (US Department of Defense)")
        #expect(try archive.count() == 6)
    }
}
