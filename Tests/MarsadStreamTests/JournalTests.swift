import Foundation
import Logging
import Testing

@testable import MarsadStream

@Suite struct JournalTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-journal-\(UUID().uuidString.prefix(8))").path
    let logger = Logger(label: "test")

    func settings(segmentBytes: Int = 1 << 20, retentionBytes: Int = 1 << 30) -> JournalSettings {
        JournalSettings(directory: directory, stream: "ingest", segmentBytes: segmentBytes, retentionBytes: retentionBytes)
    }

    func draft(_ index: Int, topics: [String] = ["article."], size: Int = 100) -> Journal.Draft {
        let id = String(format: "%032x", index + 1)
        return Journal.Draft(id: id, schema: "marsad.article/1", topics: topics, payload: Data(String(repeating: "س", count: size / 2).utf8))
    }

    var segmentFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }

    @Test func appendedRecordsAreNumberedFromOneAndReadBack() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(settings: settings(), logger: logger)
        let entries = try journal.append([draft(0), draft(1, topics: ["article.", "entity.org.isis."]), draft(2)])
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(journal.head == 3)
        #expect(journal.first == 1)
        let read = try journal.read(from: 1, limit: 10)
        #expect(read.entries == entries)
        #expect(read.next == 4)
        #expect(journal.contains(id: entries[1].id))
    }

    @Test func reopeningKeepsTheEpochTheHeadAndTheIDs() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let epoch: UInt64
        do {
            let journal = try Journal(settings: settings(), logger: logger)
            _ = try journal.append([draft(0), draft(1)])
            epoch = journal.epoch
        }
        let reopened = try Journal(settings: settings(), logger: logger)
        #expect(reopened.epoch == epoch)
        #expect(reopened.head == 2)
        #expect(reopened.contains(id: draft(1).id))
        #expect(try reopened.append([draft(2)]).map(\.seq) == [3])
    }

    @Test func oneOwnerAtATimeAndTheClaimEndsWithTheJournal() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(settings: settings(), logger: logger)
            _ = try journal.append([draft(0)])
            #expect(String(decoding: FileManager.default.contents(atPath: directory + "/writer.lock")!, as: UTF8.self) == "\(getpid())\n")
            do {
                _ = try Journal(settings: settings(), logger: logger)
                Issue.record("a second journal opened a directory that is in use")
            } catch let error as OwnerLockError {
                #expect(error.description.contains("the journal of stream \"ingest\" (\(directory)) is already open in this process"))
                #expect(error.description.hasSuffix("The lock is \(directory)/writer.lock."))
            }
            #expect(try journal.append([draft(1)]).map(\.seq) == [2])
        }
        let reopened = try Journal(settings: settings(), logger: logger)
        #expect(reopened.head == 2)
    }

    @Test func aTornTailIsTruncatedAndNeverServed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(settings: settings(), logger: logger)
            _ = try journal.append([draft(0), draft(1), draft(2)])
        }
        let path = directory + "/" + segmentFiles[0]
        let validSize = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        // Half of a fourth entry, as a power cut in the middle of a write would leave it.
        var partial: [UInt8] = []
        JournalEntry(seq: 4, timeMilliseconds: 0, id: draft(3).id, schema: "s", topics: ["article."], payload: Data(count: 500)).encode(
            into: &partial)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(partial.prefix(partial.count / 2)))
        handle.closeFile()

        let reopened = try Journal(settings: settings(), logger: logger)
        #expect(reopened.head == 3)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int == validSize)
        #expect(try reopened.append([draft(3)]).map(\.seq) == [4])
        #expect(try reopened.read(from: 1, limit: 10).entries.map(\.seq) == [1, 2, 3, 4])
    }

    /// Torn bytes left behind while the journal is open (a batch whose write failed, then whose
    /// cut-back failed too, as on a disk that went bad): the next append cuts them off before it
    /// writes, so its offsets point at its own entries, and a reopening reads every batch.
    @Test func tornBytesLeftByAFailedCutBackAreCutBeforeTheNextAppend() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(settings: settings(), logger: logger)
            _ = try journal.append([draft(0), draft(1)])
            let path = directory + "/" + segmentFiles[0]
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            handle.write(Data(repeating: 0x5A, count: 777))
            handle.closeFile()
            #expect(try journal.append([draft(2), draft(3)]).map(\.seq) == [3, 4])
            #expect(try journal.read(from: 1, limit: 10).entries.map(\.id) == (0..<4).map { draft($0).id })
        }
        let reopened = try Journal(settings: settings(), logger: logger)
        #expect(reopened.head == 4)
        #expect(try reopened.read(from: 1, limit: 10).entries.map(\.id) == (0..<4).map { draft($0).id })
    }

    @Test func aCorruptLastEntryIsCutOff() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(settings: settings(), logger: logger)
            _ = try journal.append([draft(0), draft(1), draft(2)])
        }
        let path = directory + "/" + segmentFiles[0]
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        bytes[bytes.count - 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try Journal(settings: settings(), logger: logger)
        #expect(reopened.head == 2)
        #expect(!reopened.contains(id: draft(2).id))
    }

    @Test func segmentsRollOverAndRetentionDropsTheOldest() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first: UInt64
        do {
            let journal = try Journal(settings: settings(segmentBytes: 2_000, retentionBytes: 6_000), logger: logger)
            for index in 0..<60 { _ = try journal.append([draft(index, size: 400)]) }
            #expect(journal.head == 60)
            #expect(segmentFiles.count >= 2)
            #expect(journal.size <= 6_000 + 2_500)
            first = journal.first
            #expect(first > 1)
            #expect(!journal.contains(id: draft(0).id))
            let read = try journal.read(from: 1, limit: 1_000)
            #expect(read.first == first)
            #expect(read.entries.first?.seq == first)
            #expect(read.entries.last?.seq == 60)
        }
        let reopened = try Journal(settings: settings(segmentBytes: 2_000, retentionBytes: 6_000), logger: logger)
        #expect(reopened.first == first && reopened.head == 60)
    }

    /// Retention smaller than a segment (the configuration allows it) never takes the segment
    /// of the last record: the head stays readable, where the classify worker resumes from.
    @Test func retentionKeepsTheLastRecord() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(settings: settings(segmentBytes: 2_000, retentionBytes: 500), logger: logger)
            // Up to a roll-over: the last record closes a full segment, a new empty one follows.
            var index = 0
            repeat {
                _ = try journal.append([draft(index, size: 400)])
                index += 1
            } while segmentFiles.last != String(format: "%020llu.seg", journal.head + 1) && index < 100
            #expect(index > 4 && index < 100)
            #expect(journal.first <= journal.head)
            #expect(try journal.read(from: journal.head, limit: 1).entries.map(\.seq) == [journal.head])
        }
        let reopened = try Journal(settings: settings(segmentBytes: 2_000, retentionBytes: 500), logger: logger)
        #expect(reopened.head > 4)
        #expect(try reopened.read(from: reopened.head, limit: 1).entries.map(\.seq) == [reopened.head])
    }

    @Test func readsFilterByTopicPrefixAndStopAtTheirLimits() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(settings: settings(), logger: logger)
        _ = try journal.append(
            (0..<10).map { draft($0, topics: $0 % 3 == 0 ? ["article.", "entity.org.isis."] : ["article.", "entity.org.isis-k."]) })
        let isis = try journal.read(from: 1, limit: 100, prefixes: ["entity.org.isis."])
        #expect(isis.entries.map(\.seq) == [1, 4, 7, 10])
        let limited = try journal.read(from: 1, limit: 2, prefixes: ["entity.org.isis."])
        #expect(limited.entries.map(\.seq) == [1, 4])
        #expect(limited.next == 5)
        let scanned = try journal.read(from: 1, limit: 100, prefixes: ["entity.org.isis."], maxScan: 5)
        #expect(scanned.entries.map(\.seq) == [1, 4])
        #expect(scanned.next == 6)
        #expect(try journal.read(from: 5, through: 8, limit: 100).entries.map(\.seq) == [5, 6, 7, 8])
    }

    @Test func aJournalOfAnotherStreamIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Journal(settings: settings(), logger: logger)
        var other = settings()
        other.stream = "classify"
        #expect(throws: JournalError.self) { try Journal(settings: other, logger: logger) }
    }
}
