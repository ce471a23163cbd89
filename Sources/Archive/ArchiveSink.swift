import MarsadStream
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
    }

    public var summary: String { "\(store.location) (\((try? store.count()) ?? 0) articles)" }
}
