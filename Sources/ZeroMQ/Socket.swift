import CZeroMQ
import Glibc

/// The ZeroMQ socket patterns this wrapper exposes.
public enum SocketType: Sendable {
    case pub, sub, xpub, xsub, router, dealer, push, pull, pair, req, rep

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        }
    }
}

/// One libzmq socket. libzmq sockets are not thread safe, so `Socket` is deliberately not
/// `Sendable`: create it on the thread (or inside the actor) that will use it, and keep it there.
/// Only `Context.shutdown()` may touch it from elsewhere, by making its blocking calls return.
public final class Socket {
    /// The context this socket belongs to; held so the context outlives the socket.
    public let context: Context
    public let type: SocketType
    private var handle: UnsafeMutableRawPointer?

    public init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.context = context
        self.type = type
        self.handle = handle
        // A closed socket with unsent messages must never block context termination forever.
        try setOption(ZMQ_LINGER, 0 as Int32, name: "ZMQ_LINGER")
    }

    deinit { close() }

    /// Closes the socket; further calls fail with `ENOTSOCK`. Idempotent.
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    var rawHandle: UnsafeMutableRawPointer? { handle }

    private func live(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation()) }
        return handle
    }

    // MARK: Endpoints

    /// Binds to an endpoint such as `tcp://127.0.0.1:5555`, `ipc:///run/x.sock` or `inproc://name`.
    public func bind(_ endpoint: String) throws {
        let handle = try live("bind(\(endpoint))")
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("bind(\(endpoint))") }
    }

    /// Connects to an endpoint; libzmq reconnects by itself if the peer goes away.
    public func connect(_ endpoint: String) throws {
        let handle = try live("connect(\(endpoint))")
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("connect(\(endpoint))") }
    }

    public func unbind(_ endpoint: String) throws {
        let handle = try live("unbind(\(endpoint))")
        if zmq_unbind(handle, endpoint) != 0 { throw ZMQError.last("unbind(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws {
        let handle = try live("disconnect(\(endpoint))")
        if zmq_disconnect(handle, endpoint) != 0 { throw ZMQError.last("disconnect(\(endpoint))") }
    }

    /// The endpoint last bound, with wildcards resolved (`tcp://127.0.0.1:*` → the real port).
    public var lastEndpoint: String {
        get throws { try stringOption(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    }

    // MARK: Options

    func setOption(_ option: Int32, _ value: Int32, name: String) throws {
        let handle = try live("setsockopt(\(name))")
        var value = value
        if zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("setsockopt(\(name), \(value))")
        }
    }

    func setOption(_ option: Int32, bytes: some Collection<UInt8>, name: String) throws {
        let handle = try live("setsockopt(\(name))")
        let array = Array(bytes)
        let result = array.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if result != 0 { throw ZMQError.last("setsockopt(\(name))") }
    }

    func intOption(_ option: Int32, name: String) throws -> Int32 {
        let handle = try live("getsockopt(\(name))")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option, &value, &size) != 0 { throw ZMQError.last("getsockopt(\(name))") }
        return value
    }

    func stringOption(_ option: Int32, name: String) throws -> String {
        let handle = try live("getsockopt(\(name))")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        if zmq_getsockopt(handle, option, &buffer, &size) != 0 { throw ZMQError.last("getsockopt(\(name))") }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Messages queued per peer before the socket blocks or drops (0 = unlimited).
    public func setSendHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM") }
    public func setReceiveHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM") }
    /// How long (ms) unsent messages are kept after `close()`; -1 waits forever, 0 discards.
    public func setLinger(milliseconds: Int32) throws { try setOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER") }
    /// Receive timeout in ms; a receive that times out returns `nil`. -1 blocks.
    public func setReceiveTimeout(milliseconds: Int32) throws { try setOption(ZMQ_RCVTIMEO, milliseconds, name: "ZMQ_RCVTIMEO") }
    /// Send timeout in ms; a send that times out returns `false`. -1 blocks.
    public func setSendTimeout(milliseconds: Int32) throws { try setOption(ZMQ_SNDTIMEO, milliseconds, name: "ZMQ_SNDTIMEO") }
    /// Queue messages only to completed connections.
    public func setImmediate(_ on: Bool) throws { try setOption(ZMQ_IMMEDIATE, on ? 1 : 0, name: "ZMQ_IMMEDIATE") }

    /// SUB/XSUB: receive messages whose topic frame starts with `prefix` (empty = everything).
    public func subscribe(_ prefix: some Collection<UInt8>) throws { try setOption(ZMQ_SUBSCRIBE, bytes: prefix, name: "ZMQ_SUBSCRIBE") }
    public func subscribe(_ prefix: String) throws { try subscribe(Array(prefix.utf8)) }
    public func unsubscribe(_ prefix: String) throws { try setOption(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8), name: "ZMQ_UNSUBSCRIBE") }

    /// XPUB: fail a send with `EAGAIN` instead of silently dropping when a subscriber is full.
    public func setXPubNoDrop(_ on: Bool) throws { try setOption(ZMQ_XPUB_NODROP, on ? 1 : 0, name: "ZMQ_XPUB_NODROP") }
    /// XPUB: pass every subscription message up, also repeated ones.
    public func setXPubVerbose(_ on: Bool) throws { try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0, name: "ZMQ_XPUB_VERBOSE") }

    /// ZMTP heartbeats: ping every `interval` ms, drop the peer after `timeout` ms of silence,
    /// and ask the peer to time us out after `ttl` ms.
    public func setHeartbeat(interval: Int32, timeout: Int32, ttl: Int32) throws {
        try setOption(ZMQ_HEARTBEAT_IVL, interval, name: "ZMQ_HEARTBEAT_IVL")
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeout, name: "ZMQ_HEARTBEAT_TIMEOUT")
        try setOption(ZMQ_HEARTBEAT_TTL, ttl, name: "ZMQ_HEARTBEAT_TTL")
    }

    /// ROUTER/DEALER identity of this socket.
    public func setRoutingID(_ id: some Collection<UInt8>) throws { try setOption(ZMQ_ROUTING_ID, bytes: id, name: "ZMQ_ROUTING_ID") }
    /// ROUTER: fail with `EHOSTUNREACH` instead of dropping a message to an unknown peer.
    public func setRouterMandatory(_ on: Bool) throws { try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, name: "ZMQ_ROUTER_MANDATORY") }

    /// Makes this socket a CURVE server with the given Z85 secret key.
    public func setCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes this socket a CURVE client of the server whose Z85 public key is `serverKey`.
    public func setCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8), name: "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8), name: "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
    }

    /// The ZAP domain passed to the authentication handler for this socket.
    public func setZAPDomain(_ domain: String) throws { try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN") }

    /// The file descriptor that becomes readable when the socket's `events` may have changed
    /// (edge triggered: always re-check with `pollEvents`).
    public var fileDescriptor: Int32 { get throws { try intOption(ZMQ_FD, name: "ZMQ_FD") } }

    /// Whether the socket can receive or send right now.
    public var pollEvents: PollEvents { get throws { PollEvents(rawValue: Int16(try intOption(ZMQ_EVENTS, name: "ZMQ_EVENTS"))) } }

    // MARK: Sending and receiving

    /// Sends `frames` as one multipart message. Each `Message` is handed to libzmq, not copied,
    /// and must not be reused. Returns `false` when `dontWait` is set (or a send timeout expired)
    /// and the message could not be queued; nothing was sent then.
    @discardableResult
    public func send(_ frames: [Message], dontWait: Bool = false) throws -> Bool {
        let handle = try live("send")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while zmq_msg_send(frame.pointer, handle, flags) < 0 {
                let error = ZMQError.last("send")
                if error.isInterrupted { continue }
                // libzmq queues all frames of a message once the first is accepted.
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Sends byte arrays as one multipart message (each copied once into a libzmq frame).
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
        try send(frames.map { try Message(bytes: $0) }, dontWait: dontWait)
    }

    /// Sends strings as one multipart message.
    @discardableResult
    public func send(strings frames: [String], dontWait: Bool = false) throws -> Bool {
        try send(frames.map { try Message(string: $0) }, dontWait: dontWait)
    }

    /// Receives one whole multipart message. Returns `nil` when `dontWait` is set and nothing is
    /// waiting, or when the receive timeout expires. Throws `ETERM` after `Context.shutdown()`.
    public func receive(dontWait: Bool = false) throws -> [Message]? {
        let handle = try live("receive")
        var frames: [Message] = []
        repeat {
            let frame = Message()
            let flags: Int32 = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            while zmq_msg_recv(frame.pointer, handle, flags) < 0 {
                let error = ZMQError.last("receive")
                if error.isInterrupted { continue }
                if error.isWouldBlock && frames.isEmpty { return nil }
                throw error
            }
            frames.append(frame)
        } while frames.last!.hasMore
        return frames
    }

    // MARK: Monitoring

    /// Publishes this socket's events on a PAIR endpoint (`inproc://…`); see `SocketMonitor`.
    func startMonitor(endpoint: String, events: MonitorEvents) throws {
        let handle = try live("zmq_socket_monitor")
        if zmq_socket_monitor(handle, endpoint, Int32(events.rawValue)) != 0 {
            throw ZMQError.last("zmq_socket_monitor(\(endpoint))")
        }
    }

    func stopMonitor() {
        if let handle { zmq_socket_monitor(handle, nil, 0) }
    }
}
