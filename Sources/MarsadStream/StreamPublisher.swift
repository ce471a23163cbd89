import Foundation
import Logging
import ZeroMQ

/// Settings of a publishing stream's live endpoint.
public struct PublisherSettings: Sendable {
    public var stream: String
    public var endpoint: String
    public var heartbeatIntervalMilliseconds: Int
    public var sendHighWaterMark: Int
    public var blockTimeoutMilliseconds: Int

    public init(stream: String, endpoint: String, heartbeatIntervalMilliseconds: Int, sendHighWaterMark: Int, blockTimeoutMilliseconds: Int) {
        self.stream = stream
        self.endpoint = endpoint
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.sendHighWaterMark = sendHighWaterMark
        self.blockTimeoutMilliseconds = blockTimeoutMilliseconds
    }
}

/// What happened to one record's live delivery.
public struct PublishOutcome: Sendable, Equatable {
    public let seq: UInt64
    /// Topic copies that no subscriber could take within the block timeout.
    public let undelivered: [String]
}

/// The live side of a stream: an XPUB socket that numbers records, sends heartbeats, and sees
/// subscriptions arrive. Owned by one thread, like its socket.
///
/// XPUB with `ZMQ_XPUB_NODROP` turns a full subscriber queue into back-pressure instead of a
/// silent drop: the publisher waits up to `blockTimeoutMilliseconds` for room, then logs and
/// counts the copy it could not deliver.
public final class StreamPublisher {
    public let settings: PublisherSettings
    /// The epoch of this run of the stream: its start time in milliseconds since 1970.
    public let epoch: UInt64
    /// The last seq published.
    public private(set) var head: UInt64 = 0
    /// Topic copies given up on since start.
    public private(set) var undeliveredCount = 0
    /// The socket, for adding to a poller (readable = subscriptions waiting).
    public let socket: Socket
    private let startedAt: String
    private let logger: Logger
    private var nextHeartbeat: UInt64 = 0

    public init(context: Context, settings: PublisherSettings, logger: Logger, now: Date = Date()) throws {
        self.settings = settings
        self.logger = logger
        self.epoch = UInt64(now.timeIntervalSince1970 * 1000)
        self.startedAt = StreamClock.iso(now)
        socket = try Socket(context: context, type: .xpub)
        try socket.setSendHighWaterMark(Int32(settings.sendHighWaterMark))
        try socket.setXPubNoDrop(true)
        // Subscriptions repeated by reconnecting subscribers must reach us: each one asks for
        // an immediate heartbeat so it learns it is live.
        try socket.setXPubVerbose(true)
        try socket.bind(settings.endpoint)
    }

    /// The endpoint actually bound (a `tcp://…:*` wildcard resolved).
    public var boundEndpoint: String { (try? socket.lastEndpoint) ?? settings.endpoint }

    /// Publishes one record on `topics` under the next seq.
    public func publish(recordID: String, schema: String, payload: Data, topics: [String]) throws -> PublishOutcome {
        head += 1
        let envelope = try Envelope(
            stream: settings.stream, epoch: epoch, seq: head, id: recordID, schema: schema, time: StreamClock.iso(Date())
        ).jsonData()
        var undelivered: [String] = []
        for topic in topics {
            let frames = [try Message(string: topic), try Message(bytes: envelope), try Message(bytes: payload)]
            if !(try sendWaiting(frames)) {
                undelivered.append(topic)
                undeliveredCount += 1
                logger.warning(
                    "a subscriber stayed full; live copy not delivered",
                    metadata: ["topic": "\(topic)", "seq": "\(head)", "record": "\(recordID)"])
            }
        }
        return PublishOutcome(seq: head, undelivered: undelivered)
    }

    /// Sends a heartbeat now.
    public func sendHeartbeat() throws {
        let envelope = try Envelope(
            stream: settings.stream, epoch: epoch, seq: head, id: nil, schema: Heartbeat.schemaName, time: StreamClock.iso(Date())
        ).jsonData()
        let payload = try JSONEncoder().encode(Heartbeat(head: head, intervalMs: settings.heartbeatIntervalMilliseconds, startedAt: startedAt))
        // A heartbeat is never worth waiting for: a full subscriber will get the next one.
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

    /// Reads subscription messages waiting on the socket. A new subscription gets an immediate
    /// heartbeat, which tells the subscriber that its subscriptions are in force.
    public func handleSubscriptions() throws {
        var subscribed = false
        while let frames = try socket.receive(dontWait: true) {
            guard let first = frames.first, first.count > 0 else { continue }
            let (kind, topic) = first.withUnsafeBytes { raw in (raw[0], String(decoding: raw.dropFirst(), as: UTF8.self)) }
            if kind == 1 {
                subscribed = true
                logger.debug("subscription", metadata: ["prefix": "\(topic)"])
            } else {
                logger.debug("unsubscription", metadata: ["prefix": "\(topic)"])
            }
        }
        if subscribed { try sendHeartbeat() }
    }

    /// Lets queued messages drain for up to `milliseconds` when the socket closes.
    public func close(lingerMilliseconds: Int32) {
        try? socket.setLinger(milliseconds: lingerMilliseconds)
        socket.close()
    }

    private func sendWaiting(_ frames: [Message]) throws -> Bool {
        if try socket.send(frames, dontWait: true) { return true }
        let deadline = StreamClock.monotonicMilliseconds() + UInt64(settings.blockTimeoutMilliseconds)
        let poller = Poller()
        poller.add(socket, events: [.readable, .writable])
        while true {
            let now = StreamClock.monotonicMilliseconds()
            if now >= deadline { return false }
            try poller.poll(timeoutMilliseconds: Int(min(deadline - now, 100)))
            if poller.events(at: 0).contains(.readable) { try handleSubscriptions() }
            if try socket.send(frames, dontWait: true) { return true }
            if now >= nextHeartbeat { try sendHeartbeat() }
        }
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
