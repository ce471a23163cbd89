import Classification
import Foundation
import Logging
import Testing

@testable import ClassifyWorker
@testable import MarsadStream

/// The classify worker's sink journals a labels record per article; its commit may be tried
/// again (a full disk, a failed publish) and must not journal an article twice.
@Suite struct LabelSinkTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-labels-\(UUID().uuidString.prefix(8))").path

    func sink() throws -> LabelSink {
        let catalog = try LabelCatalog.load(file: Self.root.appendingPathComponent("config/classify.toml").path)
        let model = try LabelModel.load(file: Self.root.appendingPathComponent("config/classify-model.json").path)
        return try LabelSink(
            classifier: Classifier(catalog: catalog, model: model),
            settings: LabelSink.Settings(
                journal: JournalSettings(directory: directory + "/journal", stream: "labels", segmentBytes: 1 << 20, retentionBytes: 1 << 30),
                publish: "ipc://" + directory + "/labels.pub", replay: "ipc://" + directory + "/labels.replay",
                heartbeatIntervalMilliseconds: 1000, sendHighWaterMark: 1000, security: nil),
            logger: Logger(label: "test"))
    }

    /// An article record of the ingest stream, as the worker receives it.
    func article(_ seq: UInt64) -> StreamMessage {
        let id = String(format: "%032x", seq)
        let payload =
            #"{"schema":"marsad.article/1","id":"\#(id)","title":"القوات الأمريكية تنسحب من قاعدة رقم \#(seq)","paragraphs":["أعلن التحالف انسحاب قواته من القاعدة في العراق."]}"#
        return StreamMessage(
            topic: "article.", envelope: Envelope(stream: "ingest", epoch: 7, seq: seq, id: id, schema: "marsad.article/1", time: ""),
            payload: Data(payload.utf8))
    }

    func batch(_ seqs: ClosedRange<UInt64>) -> DurableSubscriber.Batch {
        DurableSubscriber.Batch(messages: seqs.map(article), checkpoint: Checkpoint(stream: "ingest", epoch: 7, seq: seqs.upperBound), lost: nil)
    }

    @Test func aBatchTriedAgainAfterItWasJournaledIsNotJournaledTwice() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = try sink()
        defer { sink.close() }
        try sink.commit(batch(1...3))
        #expect(sink.journal.head == 3)
        // The same batch again, as after a publish that failed once its records were journaled.
        try sink.commit(batch(1...3))
        #expect(sink.journal.head == 3)
        // A batch that overlaps: only the article not journaled yet is added.
        try sink.commit(batch(3...4))
        #expect(sink.journal.head == 4)
        let sources = try sink.journal.read(from: 1, limit: 10).entries.map(\.id)
        #expect(sources == (1...4).map { String(format: "%032x", $0) })
    }
}
