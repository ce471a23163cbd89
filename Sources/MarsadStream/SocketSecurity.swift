import Foundation
import Logging
import Synchronization
import ZeroMQ

/// CURVE settings of one endpoint, for its server side or a client of it.
public struct SocketSecurity: Sendable {
    /// Server: its secret key. Client: its own key pair.
    public var keys: CurveKeyPair
    /// Client only: the server's public key.
    public var serverPublicKey: String?

    public init(keys: CurveKeyPair, serverPublicKey: String? = nil) {
        self.keys = keys
        self.serverPublicKey = serverPublicKey
    }

    /// The ZAP domain Marsad's servers use; `ZAPHandler` answers for it.
    public static let zapDomain = "marsad"

    public func applyServer(to socket: Socket) throws {
        try socket.setZAPDomain(Self.zapDomain)
        try socket.setCurveServer(secretKey: keys.secretKey)
    }

    public func applyClient(to socket: Socket) throws {
        guard let serverPublicKey else { return }
        try socket.setCurveClient(serverKey: serverPublicKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
    }
}

/// The ZeroMQ authentication handler (ZAP, RFC 27) for one context: admits a CURVE client only if
/// its public key is on the allow-list. Runs on a thread of its own until the context shuts down.
public final class ZAPHandler: Sendable {
    private let context: Context
    private let allowed: Set<String>
    private let logger: Logger
    private let ready = Mutex<Result<Void, Error>?>(nil)

    public init(context: Context, allowedClientKeys: Set<String>, logger: Logger) {
        self.context = context
        self.allowed = allowedClientKeys
        self.logger = logger
    }

    /// Binds `inproc://zeromq.zap.01` and starts answering; returns once bound.
    public func start() throws {
        NamedThread.start("zap") { self.loop() }
        while true {
            if let result = ready.withLock({ $0 }) { return try result.get() }
            usleep(1000)
        }
    }

    private func loop() {
        let socket: Socket
        do {
            socket = try Socket(context: context, type: .rep)
            try socket.bind("inproc://zeromq.zap.01")
            ready.withLock { $0 = .success(()) }
        } catch {
            ready.withLock { $0 = .failure(error) }
            return
        }
        defer { socket.close() }
        while true {
            do {
                guard let frames = try socket.receive(), frames.count >= 6 else { continue }
                // version, request id, domain, address, identity, mechanism, credentials…
                let requestID = frames[1].bytes
                let mechanism = frames[5].string
                var key: String?
                if mechanism == "CURVE", frames.count >= 7 { key = Z85.encode(frames[6].bytes) }
                let admitted = key.map { allowed.contains($0) } ?? false
                if !admitted {
                    logger.warning(
                        "refused a client", metadata: ["mechanism": "\(mechanism)", "address": "\(frames[3].string)", "key": "\(key ?? "none")"])
                }
                try socket.send([
                    Array("1.0".utf8), requestID, Array((admitted ? "200" : "400").utf8), Array((admitted ? "OK" : "client key not allowed").utf8),
                    Array((key ?? "").utf8), [],
                ])
            } catch let error as ZMQError where error.isTerminated {
                return
            } catch {
                logger.error("ZAP handler failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
