import Foundation
import ZeroMQ

/// One message as a subscriber receives it.
public struct StreamMessage: Sendable {
    public let topic: String
    public let envelope: Envelope
    public let payload: Data

    public init(topic: String, envelope: Envelope, payload: Data) {
        self.topic = topic
        self.envelope = envelope
        self.payload = payload
    }
}

/// What a subscriber sees, in order.
public enum StreamEvent: Sendable {
    /// The first heartbeat: every subscription made before it is in force, so nothing
    /// published from now on will be missed.
    case live(Heartbeat, Envelope)
    /// A later heartbeat.
    case heartbeat(Heartbeat, Envelope)
    /// A record copy.
    case message(StreamMessage)
    /// Records were published that this subscriber did not receive (only detectable when it
    /// subscribes to `article.`, which carries every seq): `missing` seqs before `envelope.seq`.
    case gap(missing: ClosedRange<UInt64>, stream: String, epoch: UInt64)
    /// A frame sequence that is not a Marsad message.
    case malformed(String)
}

/// A SUB socket on one stream that decodes frames, reports when it is live and detects gaps
/// on a topic that carries every seq (`Topic.everyRecord`). Owned by one thread; stop it from
/// elsewhere with `Context.shutdown()`.
public final class StreamSubscriber {
    public let socket: Socket
    public let prefixes: [String]
    /// Whether the subscription covers `article.` or `labels.`, which carry every seq of their
    /// stream (so gaps show as jumps and no replay is needed to learn which seqs are ours).
    public let tracksEverySeq: Bool
    private var isLive = false
    /// Last seq seen per stream and epoch, for gap detection.
    private var lastSeq: [String: (epoch: UInt64, seq: UInt64)] = [:]

    /// Connects to `endpoint` and subscribes to `prefixes` (all records when empty), then to
    /// heartbeats — last, so that the first heartbeat proves the others are in force.
    public init(context: Context, endpoint: String, prefixes: [String], security: SocketSecurity? = nil, receiveHighWaterMark: Int32 = 0) throws {
        self.prefixes = prefixes.isEmpty ? [Topic.article] : prefixes
        tracksEverySeq = self.prefixes.contains { prefix in Topic.everyRecord.contains { $0.hasPrefix(prefix) } }
        socket = try Socket(context: context, type: .sub)
        try socket.setReceiveHighWaterMark(receiveHighWaterMark)
        try security?.applyClient(to: socket)
        for prefix in self.prefixes { try socket.subscribe(prefix) }
        try socket.subscribe(Topic.heartbeat)
        try socket.connect(endpoint)
    }

    /// Waits for the next event; `nil` when `timeoutMilliseconds` pass (-1 waits forever).
    /// Throws `ETERM` once the context is shut down.
    public func next(timeoutMilliseconds: Int32 = -1) throws -> [StreamEvent]? {
        try socket.setReceiveTimeout(milliseconds: timeoutMilliseconds)
        guard let frames = try socket.receive() else { return nil }
        return decode(frames)
    }

    func decode(_ frames: [Message]) -> [StreamEvent] {
        guard frames.count == 3 else { return [.malformed("expected 3 frames, got \(frames.count)")] }
        let topic = frames[0].string
        let envelope: Envelope
        do { envelope = try frames[1].withUnsafeBytes { try Envelope.decode($0) } } catch {
            return [.malformed("envelope of \(topic) is not valid JSON: \(error)")]
        }
        let payload = frames[2].withUnsafeBytes { Data($0) }
        if topic == Topic.heartbeat {
            guard let heartbeat = try? JSONDecoder().decode(Heartbeat.self, from: payload) else {
                return [.malformed("heartbeat payload is not valid JSON")]
            }
            var events: [StreamEvent] = []
            if isLive {
                events.append(.heartbeat(heartbeat, envelope))
            } else {
                isLive = true
                events.append(.live(heartbeat, envelope))
            }
            // A heartbeat carries the head: records published before it that never arrived are a gap.
            if tracksEverySeq, let gap = advance(envelope, to: envelope.seq, inclusive: true) { events.append(gap) }
            return events
        }
        var events: [StreamEvent] = []
        if tracksEverySeq && topic == Topic.article, let gap = advance(envelope, to: envelope.seq, inclusive: false) {
            events.append(gap)
        }
        events.append(.message(StreamMessage(topic: topic, envelope: envelope, payload: payload)))
        return events
    }

    /// Moves the gap tracker to `seq`; returns the gap, if seqs were skipped. Before the first
    /// record or heartbeat of an epoch nothing is known, so nothing is a gap.
    private func advance(_ envelope: Envelope, to seq: UInt64, inclusive: Bool) -> StreamEvent? {
        defer {
            if let known = lastSeq[envelope.stream], known.epoch == envelope.epoch {
                lastSeq[envelope.stream] = (envelope.epoch, max(known.seq, seq))
            } else {
                lastSeq[envelope.stream] = (envelope.epoch, seq)
            }
        }
        guard let known = lastSeq[envelope.stream], known.epoch == envelope.epoch else { return nil }
        guard seq > 0 else { return nil }
        let firstMissing = known.seq + 1
        let lastMissing = inclusive ? seq : seq - 1
        guard firstMissing <= lastMissing else { return nil }
        return .gap(missing: firstMissing...lastMissing, stream: envelope.stream, epoch: envelope.epoch)
    }
}
