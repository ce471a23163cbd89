import Foundation
import Testing

@testable import MarsadStream
@testable import Workers

/// The JSONL output after a crash: its torn last line is cut off and its last whole line says
/// where to resume.
@Suite struct JSONLSinkTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-jsonl-\(UUID().uuidString.prefix(8)).jsonl").path

    /// A record line as the worker writes it, about `bytes` long (Arabic text, two bytes a letter).
    func line(seq: Int, bytes: Int) -> String {
        let text = String(repeating: "خبر عن الانسحاب ", count: bytes / 30)
        return #"{"stream":"ingest","epoch":7,"seq":\#(seq),"topic":"article.","id":"\#(seq)","record":{"title":"\#(text)"}}"# + "\n"
    }

    /// A kill in the middle of an append leaves part of a batch. When the last whole line is
    /// longer than the first chunk read back (4 KB, where article records are about 8 KB), the
    /// recovery reads further back after cutting; it read past the new end before and failed.
    @Test func aTornTailAfterLongLinesIsCutAndTheLastWholeLineIsTheCheckpoint() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = line(seq: 1, bytes: 9_000) + line(seq: 2, bytes: 12_000)
        let torn = String(line(seq: 3, bytes: 9_000).prefix(1_000))
        try (whole + torn).write(toFile: path, atomically: false, encoding: .utf8)

        let sink = try JSONLSink(path: path, durable: false)
        #expect(sink.checkpoint?.seq == 2)
        #expect(sink.checkpoint?.epoch == 7)
        #expect(sink.lineCount == 2)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == whole)
    }

    @Test func aFileOfWholeLinesIsLeftAsItIs() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = (1...3).map { line(seq: $0, bytes: 300) }.joined()
        try whole.write(toFile: path, atomically: false, encoding: .utf8)
        let sink = try JSONLSink(path: path, durable: false)
        #expect(sink.checkpoint?.seq == 3)
        #expect(sink.lineCount == 3)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == whole)
    }
}

/// Torn bytes left after the last line while the worker runs (a failed write whose cut-back
/// failed too, on a disk going bad) are cut off before the next batch is written.
@Suite struct JSONLSinkAppendTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-jsonl-\(UUID().uuidString.prefix(8)).jsonl").path

    func message(_ seq: UInt64) -> StreamMessage {
        StreamMessage(
            topic: "article.", envelope: Envelope(stream: "ingest", epoch: 7, seq: seq, id: "\(seq)", schema: "marsad.article/1", time: ""),
            payload: Data(#"{"title":"خبر رقم \#(seq)"}"#.utf8))
    }

    @Test func aTornTailLeftWhileRunningIsCutBeforeTheNextBatch() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try JSONLSink(path: path, durable: false)
        try sink.append(DurableSubscriber.Batch(messages: [message(1)], checkpoint: Checkpoint(stream: "ingest", epoch: 7, seq: 1), lost: nil))
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"stream":"ingest","epoch":7,"seq":2,"topic":"art"#.utf8))
        handle.closeFile()
        try sink.append(DurableSubscriber.Batch(messages: [message(2)], checkpoint: Checkpoint(stream: "ingest", epoch: 7, seq: 2), lost: nil))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }
}
