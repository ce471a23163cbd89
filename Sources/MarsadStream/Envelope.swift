import Foundation

/// The second frame of every message: which stream it belongs to and where in it.
/// JSON, so any ZeroMQ client can read it (see `docs/wire.md`).
public struct Envelope: Codable, Sendable, Equatable {
    /// The publishing stream's name, e.g. `ingest`.
    public var stream: String
    /// Changes when the stream's numbering restarts; compare `seq` only within one epoch.
    public var epoch: UInt64
    /// The record's position in the stream, from 1, without gaps. All topic copies of one
    /// record carry the same `seq`. In a heartbeat: the stream's head (last seq published).
    public var seq: UInt64
    /// The record id, or `nil` in a heartbeat.
    public var id: String?
    /// Payload schema, e.g. `marsad.article/1` or `marsad.heartbeat/1`.
    public var schema: String
    /// When the message was published (ISO 8601, UTC, milliseconds).
    public var time: String

    public init(stream: String, epoch: UInt64, seq: UInt64, id: String?, schema: String, time: String) {
        self.stream = stream
        self.epoch = epoch
        self.seq = seq
        self.id = id
        self.schema = schema
        self.time = time
    }

    public func jsonData() throws -> Data { try Self.encoder.encode(self) }
    public static func decode(_ bytes: some Collection<UInt8>) throws -> Envelope {
        try decoder.decode(Envelope.self, from: Data(bytes))
    }

    // Every message carries an envelope: one coder each, not one per message.
    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()
}

/// The payload of a heartbeat (`marsad.heartbeat/1`).
public struct Heartbeat: Codable, Sendable, Equatable {
    public static let schemaName = "marsad.heartbeat/1"
    /// The last seq journaled (0 before the first record).
    public var head: UInt64
    /// The oldest seq the replay endpoint still serves.
    public var first: UInt64
    /// The replay endpoint to ask for anything missed, as a subscriber can reach it.
    public var replay: String?
    /// How often heartbeats are sent, so a subscriber can tell a silent publisher from a dead one.
    public var intervalMs: Int
    /// When this run of the publisher started.
    public var startedAt: String

    public init(head: UInt64, first: UInt64, replay: String?, intervalMs: Int, startedAt: String) {
        self.head = head
        self.first = first
        self.replay = replay
        self.intervalMs = intervalMs
        self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey {
        case head, first, replay
        case intervalMs = "interval_ms"
        case startedAt = "started_at"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(head, forKey: .head)
        try container.encode(first, forKey: .first)
        try container.encode(replay, forKey: .replay)
        try container.encode(intervalMs, forKey: .intervalMs)
        try container.encode(startedAt, forKey: .startedAt)
    }
}
