import Foundation
import Logging
import ZeroMQ

/// Where a consumer stands in an upstream stream: every record it subscribes to up to `seq`
/// (of `epoch`) has been delivered to it. The consumer commits it together with its own output.
public struct Checkpoint: Codable, Sendable, Equatable {
    public var stream: String
    public var epoch: UInt64
    public var seq: UInt64

    public init(stream: String, epoch: UInt64, seq: UInt64) {
        self.stream = stream
        self.epoch = epoch
        self.seq = seq
    }
}

/// A subscriber that delivers every record of its prefixes exactly once and in order, from a
/// checkpoint on, across its own restarts, the publisher's restarts and lost live messages.
///
/// It listens live on SUB and learns the head and the replay endpoint from heartbeats. Whatever
/// lies between its checkpoint and what it receives live — records published before it started,
/// copies dropped while it was slow or stopped, records published while it was disconnected —
/// it fetches from the replay endpoint. Because a prefix subscriber sees only some seqs, it asks
/// the replay endpoint which seqs match its prefixes before it trusts a batch of live messages to
/// be complete. The protocol is in docs/wire.md. Owned by one thread.
public final class DurableSubscriber {
    public enum Start: Sendable {
        /// With no checkpoint: everything the journal still holds.
        case beginning
        /// With no checkpoint: only what is published from now on.
        case live
    }

    public struct Options: Sendable {
        public var endpoint: String
        public var prefixes: [String]
        public var security: SocketSecurity?
        public var start: Start
        /// Records per batch (and per replay request): the most a consumer takes on at once.
        public var batch: Int

        public init(endpoint: String, prefixes: [String], security: SocketSecurity? = nil, start: Start = .beginning, batch: Int = 64) {
            self.endpoint = endpoint
            self.prefixes = prefixes
            self.security = security
            self.start = start
            self.batch = batch
        }
    }

    /// Records to take, in seq order, and the checkpoint to commit once they are taken.
    public struct Batch: Sendable {
        public var messages: [StreamMessage]
        public var checkpoint: Checkpoint
        /// Seqs that the replay endpoint no longer holds (retention), skipped.
        public var lost: ClosedRange<UInt64>?
    }

    public let options: Options
    private let context: Context
    private let logger: Logger
    private let subscriber: StreamSubscriber
    private var checkpoint: Checkpoint?
    private var head: UInt64 = 0
    private var replay: ReplayClient?
    private var buffered: [UInt64: StreamMessage] = [:]
    /// Live copies held (and the SUB socket's receive high-water mark): one batch. What lies
    /// beyond waits in the publisher's queue (`send_hwm`) or, past that, comes by replay. At
    /// 2,000, in a burst that lagging consumers' receive queues held, libzmq held 67 MB at the
    /// peak (heaptrack); 256 measured 124–146 MB peak RSS against 136–168 MB for `marsad run`,
    /// and 64 then 117–137 MB against 132–148 MB (eight alternating runs each), with no replay
    /// and no loss of speed. Below a batch (32), consumers replay what they could have held.
    static let maxBuffered = 64
    /// Records fetched by replay, counted for reports.
    public private(set) var replayedCount = 0

    /// The stream's head as far as this subscriber knows (heartbeats and records seen).
    public var knownHead: UInt64 { head }

    public init(context: Context, options: Options, checkpoint: Checkpoint?, logger: Logger) throws {
        self.options = options
        self.context = context
        self.logger = logger
        self.checkpoint = checkpoint
        subscriber = try StreamSubscriber(
            context: context, endpoint: options.endpoint, prefixes: options.prefixes, security: options.security,
            receiveHighWaterMark: Int32(Self.maxBuffered))
    }

    /// The next batch: waits up to `timeoutMilliseconds` for something to deliver; an empty
    /// batch means nothing new yet. Throws `ETERM` once the context is shut down.
    public func next(timeoutMilliseconds: Int32 = 1000) throws -> Batch? {
        // Behind the head there is work to do now: do not wait for live messages.
        let behind = checkpoint.map { $0.seq < head } ?? false
        try receiveLive(timeoutMilliseconds: behind ? 0 : timeoutMilliseconds)
        guard var checkpoint else { return nil }
        let covered = checkpoint.seq
        // One batch spans at most `options.batch` seqs: a consumer far behind catches up in
        // bounded steps instead of holding the whole gap in memory at once.
        let target = min(max(head, buffered.keys.max() ?? 0), covered + UInt64(options.batch))
        guard target > covered else { return Batch(messages: [], checkpoint: checkpoint, lost: nil) }

        var lost: ClosedRange<UInt64>?
        var messages: [StreamMessage] = []
        do {
            if subscriber.tracksEverySeq, (covered + 1...target).allSatisfy({ buffered[$0] != nil }) {
                // Every seq arrived live: nothing to ask.
                messages = (covered + 1...target).map { buffered[$0]! }
                checkpoint.seq = target
            } else if let replay {
                let (fetched, next, first) = try fill(from: covered + 1, through: target, replay: replay)
                if first > covered + 1 { lost = (covered + 1)...(first - 1) }
                messages = fetched
                checkpoint.seq = next - 1
            } else {
                return Batch(messages: [], checkpoint: checkpoint, lost: nil)
            }
        } catch let error as ReplayClient.ReplayFailed {
            logger.warning("replay unavailable; retrying", metadata: ["error": "\(error)"])
            return Batch(messages: [], checkpoint: checkpoint, lost: nil)
        }
        for seq in buffered.keys where seq <= checkpoint.seq { buffered[seq] = nil }
        self.checkpoint = checkpoint
        if let lost { logger.error("records no longer in the journal were skipped", metadata: ["seqs": "\(lost)"]) }
        return Batch(messages: messages, checkpoint: checkpoint, lost: lost)
    }

    /// Everything matching from `from` through `through`, using live copies where they arrived
    /// and the replay endpoint for the rest; returns the records, where the scan ended, and the
    /// journal's first seq.
    private func fill(from: UInt64, through: UInt64, replay: ReplayClient) throws -> ([StreamMessage], UInt64, UInt64) {
        let (stream, epoch) = (checkpoint!.stream, checkpoint!.epoch)
        let prefixes = subscriber.prefixes
        let summary = try replay.seqs(stream: stream, from: from, through: through, prefixes: prefixes)
        // A journal started anew behind the same endpoint (its old epoch gone) numbers other
        // records with the same seqs: nothing of it counts until its heartbeat moves this
        // consumer to the new epoch (`adopt`).
        guard summary.epoch == epoch else {
            throw ReplayClient.ReplayFailed(
                description: "\(replay.endpoint) serves epoch \(summary.epoch) of \(stream), not \(epoch); waiting for the stream's heartbeat")
        }
        let wanted = summary.seqs ?? []
        let missing = wanted.filter { buffered[$0] == nil }
        var fetched: [UInt64: StreamMessage] = [:]
        if let low = missing.first, let high = missing.last {
            var cursor = low
            while cursor <= high {
                let batch = try replay.records(stream: stream, from: cursor, through: high, prefixes: prefixes, limit: options.batch)
                guard batch.summary.epoch == epoch, batch.messages.allSatisfy({ $0.envelope.epoch == epoch }) else {
                    throw ReplayClient.ReplayFailed(description: "\(replay.endpoint) changed epoch during a replay of \(stream)")
                }
                for message in batch.messages { fetched[message.envelope.seq] = message }
                replayedCount += batch.messages.count
                guard batch.summary.next > cursor else { break }
                cursor = batch.summary.next
            }
        }
        let messages = wanted.compactMap { buffered[$0] ?? fetched[$0] }
        guard messages.count == wanted.count else {
            throw ReplayClient.ReplayFailed(description: "the replay endpoint did not return every seq it listed")
        }
        return (messages, summary.next, summary.first)
    }

    /// Takes what the SUB socket holds: records into the buffer, heartbeats into the head.
    private func receiveLive(timeoutMilliseconds: Int32) throws {
        var wait = timeoutMilliseconds
        while let events = try subscriber.next(timeoutMilliseconds: wait) {
            wait = 0
            for event in events {
                switch event {
                case .live(let heartbeat, let envelope), .heartbeat(let heartbeat, let envelope):
                    adopt(heartbeat, envelope)
                case .message(let message):
                    guard let checkpoint, message.envelope.epoch == checkpoint.epoch else {
                        continue  // before the first heartbeat the stream is not known yet
                    }
                    // Past the cap, live copies are left to the replay endpoint: memory stays bounded.
                    if message.envelope.seq > checkpoint.seq, buffered.count < Self.maxBuffered, buffered[message.envelope.seq] == nil {
                        buffered[message.envelope.seq] = message
                    }
                    head = max(head, message.envelope.seq)
                case .gap, .malformed:
                    break
                }
            }
            if buffered.count >= options.batch { break }
        }
    }

    private func adopt(_ heartbeat: Heartbeat, _ envelope: Envelope) {
        if let replayEndpoint = heartbeat.replay, replay?.endpoint != replayEndpoint {
            replay = ReplayClient(context: context, endpoint: replayEndpoint, security: options.security)
        }
        if let current = checkpoint, current.stream == envelope.stream, current.epoch == envelope.epoch {
            head = max(head, heartbeat.head)
            return
        }
        if let current = checkpoint {
            logger.warning(
                "the stream started a new epoch; starting over from its first record",
                metadata: ["stream": "\(envelope.stream)", "old_epoch": "\(current.epoch)", "new_epoch": "\(envelope.epoch)"])
        }
        // A new consumer starts where the journal starts (or at the head); a consumer whose epoch
        // is gone starts over from the first record, and says so above.
        let startSeq: UInt64 = (checkpoint == nil && options.start == .live) ? heartbeat.head : heartbeat.first - 1
        checkpoint = Checkpoint(stream: envelope.stream, epoch: envelope.epoch, seq: startSeq)
        buffered.removeAll()
        head = heartbeat.head
    }
}
