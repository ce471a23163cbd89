import Foundation
import Logging
import Metrics
import Synchronization
import ZeroMQ

/// Serves a stream's journal again to whoever asks, on a ROUTER socket owned by a thread of
/// its own, so long replays never hold up live publishing.
public final class ReplayServer: Sendable {
    public let journal: Journal
    public let endpoint: String
    private let context: Context
    private let logger: Logger
    private let security: SocketSecurity?
    private let finished = Mutex(false)
    private let bound = Mutex<Result<String, Error>?>(nil)

    public init(journal: Journal, endpoint: String, context: Context, security: SocketSecurity? = nil, logger: Logger) {
        self.journal = journal
        self.endpoint = endpoint
        self.context = context
        self.security = security
        self.logger = logger
    }

    /// Starts the thread; returns the bound endpoint once bound, or throws why it could not bind.
    public func start() throws -> String {
        NamedThread.start("replay") { self.loop() }
        while true {
            if let result = bound.withLock({ $0 }) { return try result.get() }
            usleep(1000)
        }
    }

    /// Whether the thread has ended (after `Context.shutdown()`).
    public var isFinished: Bool { finished.withLock { $0 } }

    private func loop() {
        defer { finished.withLock { $0 = true } }
        let socket: Socket
        do {
            socket = try Socket(context: context, type: .router)
            try socket.setSendHighWaterMark(0)  // answers are bounded per request instead
            try socket.setRouterMandatory(true)
            try security?.applyServer(to: socket)
            try socket.bind(endpoint)
            let actual = try socket.lastEndpoint
            bound.withLock { $0 = .success(actual) }
        } catch {
            bound.withLock { $0 = .failure(error) }
            return
        }
        defer { socket.close() }
        while true {
            do {
                guard let frames = try socket.receive(), frames.count >= 2 else { continue }
                let client = frames[0]
                try answer(frames: Array(frames.dropFirst()), to: client.bytes, on: socket)
            } catch let error as ZMQError where error.isTerminated {
                return
            } catch let error as ZMQError where error.code == EHOSTUNREACH {
                continue  // the client went away mid-answer
            } catch {
                logger.error("replay request failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func answer(frames: [Message], to client: [UInt8], on socket: Socket) throws {
        func fail(_ code: String, _ message: String) throws {
            let body = try JSONEncoder().encode(ReplayProtocol.Failure(code: code, message: message))
            try socket.send([client, Array("error".utf8), Array(body)])
        }
        guard frames[0].string == ReplayProtocol.version, frames.count == 2 else {
            return try fail("bad-request", "expected [\"\(ReplayProtocol.version)\", request JSON]")
        }
        let request: ReplayProtocol.Request
        do {
            request = try frames[1].withUnsafeBytes { try JSONDecoder().decode(ReplayProtocol.Request.self, from: Data($0)) }
        } catch {
            return try fail("bad-request", "the request is not valid JSON of marsad.replay/1: \(error)")
        }
        guard request.stream == journal.settings.stream else {
            return try fail("unknown-stream", "this endpoint serves stream \"\(journal.settings.stream)\", not \"\(request.stream)\"")
        }
        let prefixes = request.prefixes ?? []
        let through = request.through ?? .max
        let stream = journal.settings.stream
        Counter(label: "marsad_replay_requests_total", dimensions: [("stream", stream), ("mode", (request.mode ?? .records).rawValue)]).increment()
        switch request.mode ?? .records {
        case .seqs:
            let result = try journal.read(from: request.from, through: through, limit: ReplayProtocol.maxScan, prefixes: prefixes, payloads: false)
            let summary = ReplayProtocol.Summary(
                stream: journal.settings.stream, epoch: journal.epoch, first: result.first, head: result.head, next: result.next, count: 0,
                seqs: result.entries.map(\.seq))
            try socket.send([client, Array("seqs".utf8), Array(try JSONEncoder().encode(summary))])
        case .records:
            let limit = max(1, min(request.limit ?? ReplayProtocol.maxRecords, ReplayProtocol.maxRecords))
            let result = try journal.read(from: request.from, through: through, limit: limit, prefixes: prefixes)
            for entry in result.entries {
                let topic = entry.firstTopic(matching: prefixes) ?? Topic.article
                let envelope = try Envelope(entry: entry, stream: journal.settings.stream, epoch: journal.epoch).jsonData()
                try socket.send([
                    try Message(bytes: client), try Message(string: "record"), try Message(string: topic), try Message(bytes: envelope),
                    try Message(bytes: entry.payload),
                ])
            }
            Counter(label: "marsad_replayed_records_total", dimensions: [("stream", stream)]).increment(by: result.entries.count)
            let summary = ReplayProtocol.Summary(
                stream: journal.settings.stream, epoch: journal.epoch, first: result.first, head: result.head, next: result.next,
                count: result.entries.count, seqs: nil)
            try socket.send([client, Array("end".utf8), Array(try JSONEncoder().encode(summary))])
        }
    }
}

extension Envelope {
    /// The envelope of a journaled record.
    public init(entry: JournalEntry, stream: String, epoch: UInt64) {
        self.init(
            stream: stream, epoch: epoch, seq: entry.seq, id: entry.id, schema: entry.schema,
            time: StreamClock.iso(Date(timeIntervalSince1970: Double(entry.timeMilliseconds) / 1000)))
    }
}
