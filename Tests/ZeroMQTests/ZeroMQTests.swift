import CZeroMQ
import Foundation
import Testing

@testable import ZeroMQ

/// Real sockets over inproc, ipc and loopback tcp. Every receive has a timeout, so a broken
/// behaviour fails the test instead of hanging it.
@Suite struct ZeroMQTests {
    static let timeout: Int32 = 5000

    static func ipcEndpoint() -> String {
        "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("marsad-zmq-\(UUID().uuidString.prefix(8)).sock").path
    }

    /// Binds an XPUB, connects a SUB, and waits for the subscription to arrive, so nothing
    /// sent afterwards can be lost to the slow-joiner effect.
    static func connectedPair(_ context: Context, bind endpoint: String, prefix: String) throws -> (Socket, Socket) {
        let publisher = try Socket(context: context, type: .xpub)
        try publisher.bind(endpoint)
        let bound = try publisher.lastEndpoint
        let subscriber = try Socket(context: context, type: .sub)
        try subscriber.setReceiveTimeout(milliseconds: timeout)
        try subscriber.subscribe(prefix)
        try subscriber.connect(bound)
        try publisher.setReceiveTimeout(milliseconds: timeout)
        let subscription = try #require(try publisher.receive())
        #expect(subscription[0].bytes == [1] + Array(prefix.utf8))
        return (publisher, subscriber)
    }

    @Test(arguments: ["inproc://marsad-test-pubsub", "ipc", "tcp://127.0.0.1:*"])
    func multipartMessagesCrossPublishSubscribe(endpoint: String) throws {
        let context = try Context()
        let (publisher, subscriber) = try Self.connectedPair(context, bind: endpoint == "ipc" ? Self.ipcEndpoint() : endpoint, prefix: "entity.org.")
        try publisher.send(strings: ["entity.loc.syria.", "ignored"])
        try publisher.send(strings: ["entity.org.isis.", "{\"seq\":1}", "داعش"])
        let frames = try #require(try subscriber.receive())
        #expect(frames.map(\.string) == ["entity.org.isis.", "{\"seq\":1}", "داعش"])
        #expect(frames[0].hasMore && frames[1].hasMore && !frames[2].hasMore)
    }

    @Test func prefixSubscriptionEndingInADotKeepsIdsApart() throws {
        let context = try Context()
        let (publisher, subscriber) = try Self.connectedPair(context, bind: "inproc://marsad-test-prefix", prefix: "entity.org.isis.")
        try publisher.send(strings: ["entity.org.isis-k.", "k"])
        try publisher.send(strings: ["entity.org.isis.", "i"])
        let frames = try #require(try subscriber.receive())
        #expect(frames.map(\.string) == ["entity.org.isis.", "i"])
    }

    @Test func largeFramesArriveIntact() throws {
        let context = try Context()
        let push = try Socket(context: context, type: .push)
        try push.bind("inproc://marsad-test-large")
        let pull = try Socket(context: context, type: .pull)
        try pull.setReceiveTimeout(milliseconds: Self.timeout)
        try pull.connect("inproc://marsad-test-large")
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let message = try Message(size: payload.count)
        message.withUnsafeMutableBytes { $0.copyBytes(from: payload) }
        try push.send([message])
        let frames = try #require(try pull.receive())
        #expect(frames.count == 1)
        #expect(frames[0].count == payload.count)
        frames[0].withUnsafeBytes { #expect($0.elementsEqual(payload)) }
    }

    @Test func routerRepliesToTheDealerThatAsked() throws {
        let context = try Context()
        let router = try Socket(context: context, type: .router)
        try router.setReceiveTimeout(milliseconds: Self.timeout)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        let dealer = try Socket(context: context, type: .dealer)
        try dealer.setRoutingID(Array("worker-1".utf8))
        try dealer.setReceiveTimeout(milliseconds: Self.timeout)
        try dealer.connect(endpoint)
        try dealer.send(strings: ["replay", "from 5"])
        let request = try #require(try router.receive())
        #expect(request.map(\.string) == ["worker-1", "replay", "from 5"])
        try router.send(strings: ["worker-1", "batch", "5..9"])
        let reply = try #require(try dealer.receive())
        #expect(reply.map(\.string) == ["batch", "5..9"])
    }

    @Test func xpubWithNoDropReportsBackPressureInsteadOfDropping() throws {
        let context = try Context()
        let publisher = try Socket(context: context, type: .xpub)
        try publisher.setSendHighWaterMark(10)
        try publisher.setXPubNoDrop(true)
        try publisher.bind("inproc://marsad-test-nodrop")
        let subscriber = try Socket(context: context, type: .sub)
        try subscriber.setReceiveHighWaterMark(10)
        try subscriber.subscribe("")
        try subscriber.connect("inproc://marsad-test-nodrop")
        try publisher.setReceiveTimeout(milliseconds: Self.timeout)
        _ = try #require(try publisher.receive())
        var accepted = 0
        while try publisher.send(strings: ["t", "\(accepted)"], dontWait: true) {
            accepted += 1
            if accepted > 10_000 { break }
        }
        #expect(accepted >= 10 && accepted <= 100, "sends accepted before EAGAIN: \(accepted)")
        // Everything accepted is delivered, in order.
        try subscriber.setReceiveTimeout(milliseconds: Self.timeout)
        for expected in 0..<accepted {
            let frames = try #require(try subscriber.receive())
            #expect(frames[1].string == "\(expected)")
        }
    }

    @Test func optionsReachTheSocket() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .dealer)
        try socket.setHeartbeat(interval: 250, timeout: 1000, ttl: 2000)
        try socket.setSendHighWaterMark(123)
        try socket.setReceiveHighWaterMark(456)
        try socket.setLinger(milliseconds: 77)
        #expect(try socket.intOption(ZMQ_HEARTBEAT_IVL, name: "") == 250)
        #expect(try socket.intOption(ZMQ_HEARTBEAT_TIMEOUT, name: "") == 1000)
        #expect(try socket.intOption(ZMQ_SNDHWM, name: "") == 123)
        #expect(try socket.intOption(ZMQ_RCVHWM, name: "") == 456)
        #expect(try socket.intOption(ZMQ_LINGER, name: "") == 77)
    }

    @Test func pollerSeesSocketsAndPlainDescriptors() throws {
        let context = try Context()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind("inproc://marsad-test-poll")
        let push = try Socket(context: context, type: .push)
        try push.connect("inproc://marsad-test-poll")
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
        }
        let poller = Poller()
        let socketItem = poller.add(pull)
        let pipeItem = poller.add(fileDescriptor: pipeEnds[0])
        #expect(try poller.poll(timeoutMilliseconds: 50) == 0)
        try push.send(strings: ["ping"])
        #expect(try poller.poll(timeoutMilliseconds: Int(Self.timeout)) == 1)
        #expect(poller.events(at: socketItem).contains(.readable))
        #expect(!poller.events(at: pipeItem).contains(.readable))
        _ = write(pipeEnds[1], "x", 1)
        try poller.poll(timeoutMilliseconds: Int(Self.timeout))
        #expect(poller.events(at: pipeItem).contains(.readable))
    }

    @Test func monitorReportsListeningAndConnections() throws {
        let context = try Context()
        let server = try Socket(context: context, type: .pull)
        let monitor = try SocketMonitor(watching: server, events: [.listening, .accepted])
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint
        let listening = try #require(try monitor.wait(for: .listening, timeoutMilliseconds: Self.timeout))
        #expect(listening.endpoint == endpoint)
        let client = try Socket(context: context, type: .push)
        try client.connect(endpoint)
        let accepted = try #require(try monitor.wait(for: .accepted, timeoutMilliseconds: Self.timeout))
        #expect(accepted.endpoint == endpoint)
    }

    @Test func curveEncryptsAndRefusesAWrongServerKey() throws {
        #expect(ZeroMQLibrary.has("curve"))
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        #expect(try CurveKeyPair.publicKey(forSecretKey: serverKeys.secretKey) == serverKeys.publicKey)
        let server = try Socket(context: context, type: .pull)
        try server.setCurveServer(secretKey: serverKeys.secretKey)
        try server.setReceiveTimeout(milliseconds: 1500)
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint

        let clientKeys = try CurveKeyPair.generate()
        let good = try Socket(context: context, type: .push)
        try good.setCurveClient(serverKey: serverKeys.publicKey, publicKey: clientKeys.publicKey, secretKey: clientKeys.secretKey)
        try good.connect(endpoint)
        try good.send(strings: ["secret"])
        #expect(try server.receive()?.first?.string == "secret")

        let impostorKeys = try CurveKeyPair.generate()
        let wrong = try Socket(context: context, type: .push)
        let monitor = try SocketMonitor(
            watching: wrong, events: [.handshakeFailedProtocol, .handshakeFailedNoDetail, .handshakeFailedAuth, .disconnected])
        try wrong.setCurveClient(serverKey: impostorKeys.publicKey, publicKey: clientKeys.publicKey, secretKey: clientKeys.secretKey)
        try wrong.connect(endpoint)
        try wrong.send(strings: ["should not arrive"], dontWait: true)
        #expect(try server.receive() == nil)
        #expect(try monitor.next(timeoutMilliseconds: Self.timeout) != nil)
    }

    @Test func errorsCarryTheOperationAndStrerrorText() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .pub)
        let error = try #require(throws: ZMQError.self) { try socket.bind("nonsense://x") }
        #expect(error.operation == "bind(nonsense://x)")
        #expect(error.message == "Protocol not supported")
        socket.close()
        let closed = try #require(throws: ZMQError.self) { try socket.connect("inproc://x") }
        #expect(closed.code == ENOTSOCK)
    }

    @Test func contextShutdownUnblocksAReceiveOnAnotherThread() throws {
        let context = try Context()
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let thread = Thread {
            do {
                let pull = try Socket(context: context, type: .pull)
                try pull.bind("inproc://marsad-test-shutdown")
                _ = try pull.receive()
                outcome.set("returned")
            } catch let error as ZMQError {
                outcome.set(error.isTerminated ? "ETERM" : error.description)
            } catch {
                outcome.set("\(error)")
            }
            finished.signal()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.1)
        context.shutdown()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.get() == "ETERM")
    }
}

final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func set(_ new: String) { lock.withLock { value = new } }
    func get() -> String { lock.withLock { value } }
}
