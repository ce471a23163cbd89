import Foundation
import ZeroMQ

/// Asks a replay endpoint for records or seqs (`marsad.replay/1`), one request at a time.
/// Owned by one thread. A request that gets no answer in time throws, and the socket is
/// replaced, so a late answer can never be taken for the next one.
public final class ReplayClient {
    public let endpoint: String
    private let context: Context
    private let security: SocketSecurity?
    private let timeoutMilliseconds: Int32
    private var socket: Socket?

    public init(context: Context, endpoint: String, security: SocketSecurity? = nil, timeoutMilliseconds: Int32 = 10_000) {
        self.context = context
        self.endpoint = endpoint
        self.security = security
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit { socket?.close() }

    public struct ReplayFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// One batch of records and the summary that closed it.
    public struct Batch: Sendable {
        public var messages: [StreamMessage]
        public var summary: ReplayProtocol.Summary
    }

    /// Records from `from` (through `through`), matching `prefixes`, at most `limit`.
    public func records(
        stream: String, from: UInt64, through: UInt64? = nil, prefixes: [String] = [], limit: Int = ReplayProtocol.maxRecords
    )
        throws -> Batch
    {
        try exchange { socket in
            try send(
                ReplayProtocol.Request(
                    stream: stream, from: from, through: through, prefixes: prefixes.isEmpty ? nil : prefixes, limit: limit, mode: .records),
                on: socket)
            var messages: [StreamMessage] = []
            while true {
                let frames = try receive(on: socket)
                switch frames[0].string {
                case "record" where frames.count == 4:
                    let envelope = try frames[2].withUnsafeBytes { try Envelope.decode($0) }
                    messages.append(StreamMessage(topic: frames[1].string, envelope: envelope, payload: frames[3].withUnsafeBytes { Data($0) }))
                case "end" where frames.count == 2:
                    let summary = try frames[1].withUnsafeBytes { try JSONDecoder().decode(ReplayProtocol.Summary.self, from: Data($0)) }
                    return Batch(messages: messages, summary: summary)
                default:
                    throw failure(frames)
                }
            }
        }
    }

    /// The seqs from `from` through `through` that match `prefixes` (as far as one answer scans:
    /// up to `summary.next - 1`).
    public func seqs(stream: String, from: UInt64, through: UInt64, prefixes: [String]) throws -> ReplayProtocol.Summary {
        try exchange { socket in
            try send(
                ReplayProtocol.Request(stream: stream, from: from, through: through, prefixes: prefixes.isEmpty ? nil : prefixes, mode: .seqs),
                on: socket)
            let frames = try receive(on: socket)
            guard frames[0].string == "seqs", frames.count == 2 else { throw failure(frames) }
            return try frames[1].withUnsafeBytes { try JSONDecoder().decode(ReplayProtocol.Summary.self, from: Data($0)) }
        }
    }

    /// One request and its answer. Any failure (no answer in time, an error answer, an answer
    /// that does not decode) replaces the socket, so what is left of that answer is never read
    /// as the next one's, and is a `ReplayFailed`, which a consumer retries; only the context's
    /// shutdown passes as it is.
    private func exchange<Answer>(_ body: (Socket) throws -> Answer) throws -> Answer {
        let socket = try connected()
        do {
            return try body(socket)
        } catch let error as ZMQError where error.isTerminated {
            throw error
        } catch {
            socket.close()
            self.socket = nil
            throw error as? ReplayFailed ?? ReplayFailed(description: "\(endpoint): \(error)")
        }
    }

    private func connected() throws -> Socket {
        if let socket { return socket }
        let socket = try Socket(context: context, type: .dealer)
        try socket.setReceiveTimeout(milliseconds: timeoutMilliseconds)
        try security?.applyClient(to: socket)
        try socket.connect(endpoint)
        self.socket = socket
        return socket
    }

    private func send(_ request: ReplayProtocol.Request, on socket: Socket) throws {
        try socket.send([Array(ReplayProtocol.version.utf8), Array(try JSONEncoder().encode(request))])
    }

    private func receive(on socket: Socket) throws -> [Message] {
        guard let frames = try socket.receive(), !frames.isEmpty else {
            throw ReplayFailed(description: "no answer from \(endpoint) within \(timeoutMilliseconds) ms")
        }
        return frames
    }

    private func failure(_ frames: [Message]) -> ReplayFailed {
        if frames[0].string == "error", frames.count == 2,
            let failure = try? frames[1].withUnsafeBytes({ try JSONDecoder().decode(ReplayProtocol.Failure.self, from: Data($0)) })
        {
            return ReplayFailed(description: "\(endpoint): \(failure.code): \(failure.message)")
        }
        return ReplayFailed(description: "\(endpoint): unexpected answer \(frames.first?.string ?? "")")
    }
}
