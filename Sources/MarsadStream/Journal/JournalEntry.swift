import Foundation

/// One record in a stream's journal: what is needed to publish or replay it.
public struct JournalEntry: Sendable, Equatable {
    /// Position in the stream, from 1, without gaps.
    public var seq: UInt64
    /// When it was journaled, in milliseconds since 1970.
    public var timeMilliseconds: UInt64
    /// The record id (32 hex digits).
    public var id: String
    public var schema: String
    /// Every topic the record is published on, `article.` first.
    public var topics: [String]
    public var payload: Data

    public init(seq: UInt64, timeMilliseconds: UInt64, id: String, schema: String, topics: [String], payload: Data) {
        self.seq = seq
        self.timeMilliseconds = timeMilliseconds
        self.id = id
        self.schema = schema
        self.topics = topics
        self.payload = payload
    }

    /// The first of `topics` that starts with one of `prefixes` (all topics match no prefix).
    public func firstTopic(matching prefixes: [String]) -> String? {
        if prefixes.isEmpty { return topics.first }
        return topics.first { topic in prefixes.contains { topic.hasPrefix($0) } }
    }

    // On disk: u32 body length, u32 CRC-32C of the body, then the body:
    // u64 seq, u64 time, u8 id length + id, u8 schema length + schema,
    // u16 topic count + (u16 length + topic)…, u32 payload length + payload. Little endian.
    static let headerSize = 8

    func encode(into buffer: inout [UInt8]) {
        // The length and checksum go in front of the body; they are filled in once it is written,
        // so the payload is copied once, straight into the batch's buffer.
        let header = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.headerSize))
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
        put(seq)
        put(timeMilliseconds)
        put(UInt8(id.utf8.count))
        buffer.append(contentsOf: id.utf8)
        put(UInt8(schema.utf8.count))
        buffer.append(contentsOf: schema.utf8)
        put(UInt16(topics.count))
        for topic in topics {
            put(UInt16(topic.utf8.count))
            buffer.append(contentsOf: topic.utf8)
        }
        put(UInt32(payload.count))
        buffer.append(contentsOf: payload)
        let bodyCount = buffer.count - header - Self.headerSize
        buffer.withUnsafeMutableBytes { raw in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(header + Self.headerSize)...]))
            raw.storeBytes(of: UInt32(bodyCount).littleEndian, toByteOffset: header, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: header + 4, as: UInt32.self)
        }
    }

    /// An upper bound of the bytes `encode(into:)` appends, to size a batch's buffer once.
    var encodedCapacity: Int {
        Self.headerSize + 8 + 8 + 1 + id.utf8.count + 1 + schema.utf8.count + 2 + topics.reduce(0) { $0 + 2 + $1.utf8.count } + 4 + payload.count
    }

    /// Decodes a body whose checksum has been verified.
    static func decode(body: UnsafeRawBufferPointer) -> JournalEntry? {
        var offset = 0
        func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= body.count else { return nil }
            defer { offset += MemoryLayout<T>.size }
            return T(littleEndian: body.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        func string(_ length: Int) -> String? {
            guard offset + length <= body.count else { return nil }
            defer { offset += length }
            return String(decoding: body[offset..<(offset + length)], as: UTF8.self)
        }
        guard let seq = take(UInt64.self), let time = take(UInt64.self),
            let idLength = take(UInt8.self), let id = string(Int(idLength)),
            let schemaLength = take(UInt8.self), let schema = string(Int(schemaLength)),
            let topicCount = take(UInt16.self)
        else { return nil }
        var topics: [String] = []
        for _ in 0..<topicCount {
            guard let length = take(UInt16.self), let topic = string(Int(length)) else { return nil }
            topics.append(topic)
        }
        guard let payloadLength = take(UInt32.self), offset + Int(payloadLength) == body.count else { return nil }
        let payload = Data(body[offset..<(offset + Int(payloadLength))])
        return JournalEntry(seq: seq, timeMilliseconds: time, id: id, schema: schema, topics: topics, payload: payload)
    }

    /// Reads only the seq and id of a verified or unverified body (for indexing at open).
    static func peekSeqAndID(body: UnsafeRawBufferPointer) -> (UInt64, String)? {
        guard body.count >= 17 else { return nil }
        let seq = UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let idLength = Int(body[16])
        guard 17 + idLength <= body.count else { return nil }
        return (seq, String(decoding: body[17..<(17 + idLength)], as: UTF8.self))
    }
}
