import Foundation
import Logging
import Metrics
import ZeroMQ

/// Settings of a publishing stream's live endpoint.
public struct PublisherSettings: Sendable {
    public var stream: String
    public var endpoint: String
    /// The replay endpoint announced in heartbeats.
    public var replayEndpoint: String?
    public var heartbeatIntervalMilliseconds: Int
    public var sendHighWaterMark: Int
    public var security: SocketSecurity?

    public init(
        stream: String, endpoint: String, replayEndpoint: String?, heartbeatIntervalMilliseconds: Int, sendHighWaterMark: Int,
        security: SocketSecurity? = nil
    ) {
        self.stream = stream
        self.endpoint = endpoint
        self.replayEndpoint = replayEndpoint
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.sendHighWaterMark = sendHighWaterMark
        self.security = security
    }
}

/// The live side of a stream: an XPUB socket that sends journaled records and heartbeats and
/// sees subscriptions arrive. Owned by one thread, like its socket.
///
/// Live delivery never waits for a slow subscriber: a subscriber whose queue holds
/// `sendHighWaterMark` messages misses the next ones, which bounds the publisher's memory. The
/// journal holds everything; heartbeats carry the head, so the subscriber sees the gap and
/// fetches it from the replay endpoint (docs/wire.md).
public final class StreamPublisher {
    public let settings: PublisherSettings
    /// The stream's epoch (the journal's).
    public let epoch: UInt64
    /// The last seq published live.
    public private(set) var head: UInt64
    /// The socket, for adding to a poller (readable = subscriptions waiting).
    public let socket: Socket
    private let startedAt: String
    private let logger: Logger
    private var nextHeartbeat: UInt64 = 0
    /// The oldest seq the journal holds, for heartbeats.
    public var first: UInt64 = 1

    public init(context: Context, settings: PublisherSettings, epoch: UInt64, head: UInt64, logger: Logger, now: Date = Date()) throws {
        self.settings = settings
        self.logger = logger
        self.epoch = epoch
        self.head = head
        self.startedAt = StreamClock.iso(now)
        publishedCounter = Counter(label: "marsad_published_total", dimensions: [("stream", settings.stream)])
        headGauge = Gauge(label: "marsad_stream_head", dimensions: [("stream", settings.stream)])
        socket = try Socket(context: context, type: .xpub)
        try socket.setSendHighWaterMark(Int32(settings.sendHighWaterMark))
        // Repeated subscriptions (a subscriber reconnecting) must reach us too: each one gets an
        // immediate heartbeat, which tells the subscriber it is live.
        try socket.setXPubVerbose(true)
        try settings.security?.applyServer(to: socket)
        try socket.bind(settings.endpoint)
    }

    /// The endpoint actually bound (a `tcp://…:*` wildcard resolved).
    public var boundEndpoint: String { (try? socket.lastEndpoint) ?? settings.endpoint }

    /// Publishes journaled records, in order, each on each of its topics. Subscriptions that
    /// arrived meanwhile are read first, once for the batch.
    /// Topics no subscriber ever asked for are not sent: the socket would drop them anyway, after
    /// each had cost a copy of the record (an article goes out on one topic per entity).
    public func publish(_ entries: [JournalEntry]) throws {
        guard !entries.isEmpty else { return }
        try handleSubscriptions()
        for entry in entries {
            let envelope = try Envelope(entry: entry, stream: settings.stream, epoch: epoch).jsonData()
            for topic in entry.topics where isWanted(topic) {
                try socket.send([try Message(string: topic), try Message(bytes: envelope), try Message(bytes: entry.payload)], dontWait: true)
            }
            head = max(head, entry.seq)
        }
        publishedCounter.increment(by: Int64(entries.count))
        headGauge.record(Double(head))
    }

    private let publishedCounter: Counter
    private let headGauge: Gauge

    /// Sends a heartbeat now.
    public func sendHeartbeat() throws {
        let envelope = try Envelope(
            stream: settings.stream, epoch: epoch, seq: head, id: nil, schema: Heartbeat.schemaName, time: StreamClock.iso(Date())
        ).jsonData()
        let heartbeat = Heartbeat(
            head: head, first: first, replay: settings.replayEndpoint, intervalMs: settings.heartbeatIntervalMilliseconds, startedAt: startedAt)
        let payload = try JSONEncoder().encode(heartbeat)
        _ = try socket.send([try Message(string: Topic.heartbeat), try Message(bytes: envelope), try Message(bytes: payload)], dontWait: true)
        nextHeartbeat = StreamClock.monotonicMilliseconds() + UInt64(settings.heartbeatIntervalMilliseconds)
    }

    /// Sends a heartbeat if one is due; returns milliseconds until the next one.
    @discardableResult
    public func heartbeatIfDue() throws -> Int {
        let now = StreamClock.monotonicMilliseconds()
        if now >= nextHeartbeat { try sendHeartbeat() }
        return Int(nextHeartbeat - min(nextHeartbeat, StreamClock.monotonicMilliseconds()))
    }

    /// Every prefix a subscriber has subscribed to since the socket was bound. Never shrinks: an
    /// unsubscription says nothing of the other subscribers of the same prefix.
    private var subscribedPrefixes: Set<String> = []
    /// Topics already matched against `subscribedPrefixes` (emptied when one is added).
    private var wantedTopics: [String: Bool] = [:]

    func isWanted(_ topic: String) -> Bool {
        if let known = wantedTopics[topic] { return known }
        let wanted = subscribedPrefixes.contains { topic.utf8.starts(with: $0.utf8) }
        if wantedTopics.count > 10_000 { wantedTopics.removeAll() }
        wantedTopics[topic] = wanted
        return wanted
    }

    /// Reads subscription messages waiting on the socket; returns how many subscriptions (not
    /// unsubscriptions) arrived. Any new subscription gets an immediate heartbeat, which tells the
    /// subscriber that its subscriptions are in force.
    @discardableResult
    public func handleSubscriptions() throws -> Int {
        var subscriptions = 0
        while let frames = try socket.receive(dontWait: true) {
            guard let first = frames.first, first.count > 0 else { continue }
            let (kind, topic) = first.withUnsafeBytes { raw in (raw[0], String(decoding: raw.dropFirst(), as: UTF8.self)) }
            if kind == 1 {
                subscriptions += 1
                if subscribedPrefixes.insert(topic).inserted { wantedTopics.removeAll() }
            }
            logger.debug(kind == 1 ? "subscription" : "unsubscription", metadata: ["prefix": "\(topic)"])
        }
        if subscriptions > 0 { try sendHeartbeat() }
        return subscriptions
    }

    /// Lets queued messages drain for up to `milliseconds` when the socket closes.
    public func close(lingerMilliseconds: Int32) {
        try? socket.setLinger(milliseconds: lingerMilliseconds)
        socket.close()
    }
}

/// Clocks shared by publishers and subscribers.
public enum StreamClock {
    public static func monotonicMilliseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1000 + UInt64(time.tv_nsec) / 1_000_000
    }

    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
