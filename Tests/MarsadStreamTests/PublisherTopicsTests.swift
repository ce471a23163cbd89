import Foundation
import Logging
import MarsadStream
import Testing
import ZeroMQ

/// The publisher sends a record only on topics some subscriber asked for; a subscriber of an
/// entity's topic still gets it live, and one that subscribes later gets the next ones.
@Suite struct PublisherTopicsTests {
    static func entry(_ seq: UInt64, topics: [String]) -> JournalEntry {
        JournalEntry(
            seq: seq, timeMilliseconds: 1_732_000_000_000, id: String(format: "%032x", seq), schema: "marsad.article/1", topics: topics,
            payload: Data(#"{"title":"انسحاب القوات"}"#.utf8))
    }

    /// The messages `subscriber` receives within `milliseconds`, heartbeats left out.
    static func messages(_ subscriber: StreamSubscriber, milliseconds: Int) throws -> [StreamMessage] {
        var received: [StreamMessage] = []
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while Date() < deadline, let events = try subscriber.next(timeoutMilliseconds: 50) {
            for case .message(let message) in events { received.append(message) }
        }
        return received
    }

    /// A context and a publisher of the ingest stream bound to a fresh ipc endpoint, closed
    /// when the test lets go of it.
    final class Stream {
        let context: Context
        let endpoint =
            "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("marsad-topics-\(UUID().uuidString.prefix(8)).pub").path
        let publisher: StreamPublisher

        init() throws {
            context = try Context()
            publisher = try StreamPublisher(
                context: context,
                settings: .init(
                    stream: "ingest", endpoint: endpoint, replayEndpoint: nil, heartbeatIntervalMilliseconds: 1000, sendHighWaterMark: 1000),
                epoch: 1, head: 0, logger: Logger(label: "test"))
        }

        deinit {
            publisher.close(lingerMilliseconds: 0)
            context.shutdown()
        }

        /// A subscriber of `prefixes`, live (its subscriptions in force).
        func subscriber(_ prefixes: [String]) throws -> StreamSubscriber {
            let subscriber = try StreamSubscriber(context: context, endpoint: endpoint, prefixes: prefixes)
            try PublisherTopicsTests.waitLive(subscriber, publisher)
            return subscriber
        }
    }

    /// Publishes heartbeats until `subscriber` is live (its subscriptions are in force).
    static func waitLive(_ subscriber: StreamSubscriber, _ publisher: StreamPublisher) throws {
        for _ in 0..<100 {
            try publisher.handleSubscriptions()
            try publisher.sendHeartbeat()
            if let events = try subscriber.next(timeoutMilliseconds: 50), events.contains(where: { if case .live = $0 { true } else { false } }) {
                return
            }
        }
        Issue.record("the subscriber never went live")
    }

    /// A record numbered 0 (no journal numbers one so; a foreign or broken publisher might)
    /// after a known one is delivered as it is, not a crash of the subscriber's gap tracking.
    @Test func aRecordNumberedZeroIsNoGapAndNoCrash() throws {
        let stream = try Stream()
        let publisher = stream.publisher
        let articles = try stream.subscriber(["article."])
        try publisher.publish([Self.entry(1, topics: ["article."])])
        try publisher.publish([Self.entry(0, topics: ["article."])])
        #expect(try Self.messages(articles, milliseconds: 300).map(\.envelope.seq) == [1, 0])
    }

    @Test func entityTopicsReachTheirSubscribersOnlyOnceSomeoneAsks() throws {
        let stream = try Stream()
        let publisher = stream.publisher

        let articles = try stream.subscriber(["article."])
        try publisher.publish([Self.entry(1, topics: ["article.", "entity.org.sdf.", "entity.loc.raqqa."])])
        #expect(try Self.messages(articles, milliseconds: 300).map(\.topic) == ["article."])

        let sdf = try stream.subscriber(["entity.org.sdf."])
        try publisher.publish([Self.entry(2, topics: ["article.", "entity.org.sdf.", "entity.loc.raqqa."])])
        try publisher.publish([Self.entry(3, topics: ["article.", "entity.loc.raqqa."])])
        let forSDF = try Self.messages(sdf, milliseconds: 300)
        #expect(forSDF.map(\.topic) == ["entity.org.sdf."])
        #expect(forSDF.map(\.envelope.seq) == [2])
        #expect(try Self.messages(articles, milliseconds: 300).map(\.envelope.seq) == [2, 3])
    }
}
