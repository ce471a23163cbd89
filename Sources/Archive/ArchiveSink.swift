import Foundation
import MarsadStream
import Metrics
import Workers

/// The archive as a worker's sink: a batch's records and its checkpoint go into the database in
/// one transaction.
public struct ArchiveSink: RecordSink {
    public let store: any ArchiveBackend
    public let stream: String

    public init(store: any ArchiveBackend, stream: String) {
        self.store = store
        self.stream = stream
    }

    public var checkpoint: Checkpoint? { get throws { try store.checkpoint(stream: stream) } }

    public func commit(_ batch: DurableSubscriber.Batch) throws {
        try store.store(batch.messages, checkpoint: batch.checkpoint)
        DropLatency.record(batch.messages, stage: "archive")
    }

    public var summary: String { "\(store.location) (\((try? store.count()) ?? 0) articles)" }
}

/// Latency from a file's reception by ingest to a stage's commit of its record: the end-to-end
/// figure operators watch (`marsad_drop_latency_seconds{stage}`).
public enum DropLatency {
    private struct Received: Decodable {
        struct File: Decodable {
            let receivedAt: String
            enum CodingKeys: String, CodingKey { case receivedAt = "received_at" }
        }
        struct Article: Decodable { let files: [File] }
        let files: [File]?
        let article: Article?
    }

    public static func record(_ messages: [StreamMessage], stage: String) {
        let timer = Metrics.Timer(label: "marsad_drop_latency_seconds", dimensions: [("stage", stage)])
        let now = Date()
        let decoder = JSONDecoder()
        for message in messages {
            guard let fields = try? decoder.decode(Received.self, from: message.payload),
                let text = fields.files?.first?.receivedAt ?? fields.article?.files.first?.receivedAt,
                let received = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            else { continue }
            timer.recordNanoseconds(Int64(max(0, now.timeIntervalSince(received)) * 1e9))
        }
    }
}
