import CZeroMQ

/// One frame of a ZeroMQ message. The underlying `zmq_msg_t` lives on the heap and never moves,
/// as libzmq requires (small messages are stored inside the struct itself).
public final class Message {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// An empty frame, ready to receive into.
    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    /// A frame of `size` bytes that the caller fills through `withUnsafeMutableBytes`,
    /// so an encoder can write straight into the buffer libzmq will send.
    public init(size: Int) throws {
        pointer = .allocate(capacity: 1)
        if zmq_msg_init_size(pointer, size) != 0 {
            let error = ZMQError.last("zmq_msg_init_size(\(size))")
            pointer.deallocate()
            throw error
        }
    }

    /// A frame holding a copy of `bytes`.
    public convenience init(bytes: some Collection<UInt8>) throws {
        try self.init(size: bytes.count)
        withUnsafeMutableBytes { buffer in
            buffer.copyBytes(from: bytes)
        }
    }

    /// A frame holding the UTF-8 bytes of `string`.
    public convenience init(string: String) throws {
        try self.init(bytes: string.utf8)
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The frame's size in bytes.
    public var count: Int { zmq_msg_size(pointer) }

    /// Whether more frames of the same message follow this one (after a receive).
    public var hasMore: Bool { zmq_msg_more(pointer) == 1 }

    /// Reads the frame's bytes in place, without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: count))
    }

    /// Writes the frame's bytes in place.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(pointer), count: count))
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The frame decoded as UTF-8 (invalid sequences repaired).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
}
