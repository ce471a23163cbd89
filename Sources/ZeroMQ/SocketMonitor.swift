import CZeroMQ
import Glibc

/// Socket events a monitor can report (`ZMQ_EVENT_*`).
public struct MonitorEvents: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let connected = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
    public static let connectDelayed = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CONNECT_DELAYED))
    public static let connectRetried = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CONNECT_RETRIED))
    public static let listening = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_LISTENING))
    public static let bindFailed = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_BIND_FAILED))
    public static let accepted = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_ACCEPTED))
    public static let acceptFailed = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_ACCEPT_FAILED))
    public static let closed = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CLOSED))
    public static let closeFailed = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CLOSE_FAILED))
    public static let disconnected = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
    public static let monitorStopped = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_MONITOR_STOPPED))
    public static let handshakeFailedNoDetail = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
    public static let handshakeSucceeded = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
    public static let handshakeFailedProtocol = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
    public static let handshakeFailedAuth = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
    public static let all = MonitorEvents(rawValue: UInt16(truncatingIfNeeded: ZMQ_EVENT_ALL))
}

/// One event reported by a socket monitor.
public struct MonitorEvent: Sendable, Equatable {
    /// The single event flag.
    public let event: MonitorEvents
    /// The event's value: a file descriptor, an errno, a retry interval or a ZAP status code.
    public let value: UInt32
    /// The endpoint the event concerns.
    public let endpoint: String
}

/// Watches another socket's connection events (`zmq_socket_monitor` over a PAIR socket).
/// Lives on the same thread as the socket it watches.
public final class SocketMonitor {
    private static let counter = MonitorCounter()
    private let pair: Socket
    private weak var watched: Socket?

    /// Starts monitoring `socket` for `events`.
    public init(watching socket: Socket, events: MonitorEvents = .all) throws {
        let endpoint = "inproc://marsad-monitor-\(getpid())-\(Self.counter.next())"
        try socket.startMonitor(endpoint: endpoint, events: events)
        pair = try Socket(context: socket.context, type: .pair)
        try pair.connect(endpoint)
        watched = socket
    }

    deinit {
        watched?.stopMonitor()
        pair.close()
    }

    /// The next event, waiting at most `timeoutMilliseconds` (-1 = forever); `nil` on timeout.
    public func next(timeoutMilliseconds: Int32 = -1) throws -> MonitorEvent? {
        try pair.setReceiveTimeout(milliseconds: timeoutMilliseconds)
        guard let frames = try pair.receive(), frames.count >= 2 else { return nil }
        // Frame 1: 16-bit event id then 32-bit value, native byte order. Frame 2: the endpoint.
        let (event, value) = frames[0].withUnsafeBytes { raw -> (UInt16, UInt32) in
            guard raw.count >= 6 else { return (0, 0) }
            return (raw.loadUnaligned(as: UInt16.self), raw.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        return MonitorEvent(event: MonitorEvents(rawValue: event), value: value, endpoint: frames[1].string)
    }

    /// Waits until one of `events` is reported or `timeoutMilliseconds` pass; returns it or `nil`.
    public func wait(for events: MonitorEvents, timeoutMilliseconds: Int32) throws -> MonitorEvent? {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        let deadline = Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000 + Int64(timeoutMilliseconds)
        while true {
            clock_gettime(CLOCK_MONOTONIC, &clock)
            let now = Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000
            let left = deadline - now
            if left <= 0 { return nil }
            guard let event = try next(timeoutMilliseconds: Int32(left)) else { return nil }
            if events.contains(event.event) { return event }
        }
    }
}

private final class MonitorCounter: @unchecked Sendable {
    private var value = 0
    private var lock = pthread_mutex_t()
    init() { pthread_mutex_init(&lock, nil) }
    func next() -> Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        value += 1
        return value
    }
}
