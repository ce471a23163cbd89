import CLinux
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

    public func idle() throws { try store.maintain() }
}

/// Latency from a file's reception by ingest to a stage's commit of its record: the end-to-end
/// figure operators watch (`marsad_drop_latency_seconds{stage}`).
public enum DropLatency {
    static let key = Array(#""received_at":""#.utf8)

    public static func record(_ messages: [StreamMessage], stage: String) {
        let timer = Metrics.Timer(label: "marsad_drop_latency_seconds", dimensions: [("stage", stage)])
        let now = Date()
        for message in messages {
            guard let received = receivedAt(message.payload) else { continue }
            timer.recordNanoseconds(Int64(max(0, now.timeIntervalSince(received)) * 1e9))
        }
    }

    /// The first `"received_at":"…"` of a record (its first file's), found by bytes (glibc's `memmem`):
    /// records are large and the time is all that is needed.
    static func receivedAt(_ payload: Data) -> Date? {
        payload.withUnsafeBytes { raw -> Date? in
            guard let base = raw.baseAddress, raw.count > key.count,
                let found = key.withUnsafeBytes({ marsad_memmem(base, raw.count, $0.baseAddress, $0.count) })
            else { return nil }
            let bytes = raw.bindMemory(to: UInt8.self)
            let start = base.distance(to: UnsafeRawPointer(found)) + key.count
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), end - start < 40 { end += 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
    }
}
