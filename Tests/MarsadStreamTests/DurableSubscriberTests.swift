import Foundation
import Logging
import Testing
import ZeroMQ

@testable import MarsadStream

/// A consumer far behind catches up in batches of bounded size, and copies the publisher dropped
/// at its high-water mark are repaired from the journal: every record once, in order, over real
/// ZeroMQ sockets and a real journal.
@Suite struct DurableSubscriberTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-durable-\(UUID().uuidString.prefix(8))").path
    let logger = Logger(label: "test")

    /// Records of about 20 KB, the size of an article record with its mentions.
    static func drafts(_ range: Range<Int>, topics: [String] = ["article."]) -> [Journal.Draft] {
        let body = String(repeating: "انسحبت القوات من مدينة الرقة شمال سوريا. ", count: 260)
        return range.map { index in
            Journal.Draft(
                id: String(format: "%032x", index + 1), schema: "marsad.article/1", topics: topics,
                payload: Data(#"{"n":\#(index),"body":"\#(body)"}"#.utf8))
        }
    }

    /// A journal (holding `journaled` before the publisher starts), its replay server (unless
    /// `replay` is false) and a publisher announcing both, over ipc in a fresh directory.
    struct Stream {
        let context: Context
        let journal: Journal
        let publisher: StreamPublisher

        init(
            directory: String, stream: String = "ingest", sendHighWaterMark: Int, journaled: [Journal.Draft] = [], replay: Bool = true,
            logger: Logger
        ) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            context = try Context()
            journal = try Journal(settings: JournalSettings(directory: directory + "/journal", stream: stream, durable: false), logger: logger)
            _ = try journal.append(journaled)
            let replay =
                replay ? try ReplayServer(journal: journal, endpoint: "ipc://\(directory)/replay", context: context, logger: logger).start() : nil
            publisher = try StreamPublisher(
                context: context,
                settings: .init(
                    stream: stream, endpoint: "ipc://\(directory)/pub", replayEndpoint: replay, heartbeatIntervalMilliseconds: 50,
                    sendHighWaterMark: sendHighWaterMark),
                epoch: journal.epoch, head: journal.head, logger: logger)
        }

        func append(_ drafts: [Journal.Draft]) throws -> [JournalEntry] {
            let entries = try journal.append(drafts)
            publisher.first = journal.first
            return entries
        }
    }

    /// Takes batches until `count` records arrived (or 20 s passed), keeping the stream's
    /// heartbeats going; returns the batch sizes and the seqs in the order delivered.
    func drain(_ subscriber: DurableSubscriber, _ stream: Stream, count: Int) throws -> (sizes: [Int], seqs: [UInt64]) {
        var sizes: [Int] = []
        var seqs: [UInt64] = []
        let deadline = Date().addingTimeInterval(20)
        while seqs.count < count, Date() < deadline {
            try stream.publisher.handleSubscriptions()
            try stream.publisher.heartbeatIfDue()
            guard let batch = try subscriber.next(timeoutMilliseconds: 20), !batch.messages.isEmpty else { continue }
            sizes.append(batch.messages.count)
            seqs += batch.messages.map(\.envelope.seq)
            #expect(batch.checkpoint.seq == batch.messages.last?.envelope.seq)
        }
        return (sizes, seqs)
    }

    @Test func aConsumerFarBehindCatchesUpInBoundedBatches() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 300 records journaled before the consumer exists: all of them come by replay.
        let stream = try Stream(directory: directory, sendHighWaterMark: 1000, journaled: Self.drafts(0..<300), logger: logger)
        defer {
            stream.publisher.close(lingerMilliseconds: 0)
            stream.context.shutdown()
        }
        let subscriber = try DurableSubscriber(
            context: stream.context, options: .init(endpoint: stream.publisher.settings.endpoint, prefixes: ["article."], batch: 64),
            checkpoint: nil, logger: logger)
        let (sizes, seqs) = try drain(subscriber, stream, count: 300)
        #expect(seqs == Array(1...300))
        #expect(sizes.allSatisfy { $0 <= 64 }, "batch sizes \(sizes)")
        #expect(sizes.count >= 5)
        #expect(subscriber.replayedCount == 300)
    }

    @Test func copiesDroppedAtTheHighWaterMarkAreRepairedFromTheJournal() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try Stream(directory: directory, sendHighWaterMark: 16, logger: logger)
        defer {
            stream.publisher.close(lingerMilliseconds: 0)
            stream.context.shutdown()
        }
        // Live first: the subscriber knows the stream and is subscribed before anything is sent.
        let subscriber = try liveSubscriber(stream, prefixes: [Topic.article])
        // 400 records of 20 KB sent while the subscriber does not read: far more than 16 queued
        // messages and the sockets' buffers hold, so the publisher drops copies.
        try stream.publisher.publish(try stream.append(Self.drafts(0..<400)))
        let (sizes, seqs) = try drain(subscriber, stream, count: 400)
        #expect(seqs == Array(1...400))
        #expect(sizes.allSatisfy { $0 <= 64 }, "batch sizes \(sizes)")
        #expect(subscriber.replayedCount > 0, "no copy was dropped: the test did not test the repair")
        #expect(subscriber.replayedCount < 400, "no copy arrived live")
    }

    /// Ingest started over with a new journal (a new epoch) behind the same replay endpoint,
    /// while a consumer of the old epoch is behind: before the new epoch's heartbeat reaches it,
    /// the consumer must not take the new journal's records for the old one's seqs (they would be
    /// stored under the old epoch's checkpoint, then delivered again under the new one).
    @Test func aReplayOfAnotherEpochIsNotTakenForTheOldOne() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = try Context()
        defer { context.shutdown() }
        let journal = try Journal(settings: JournalSettings(directory: directory + "/journal", stream: "ingest", durable: false), logger: logger)
        _ = try journal.append(Self.drafts(0..<10))
        let replay = try ReplayServer(journal: journal, endpoint: "ipc://\(directory)/replay", context: context, logger: logger).start()
        // Heartbeats of the old epoch still arrive (its head 20), naming the same replay endpoint.
        let oldEpoch = journal.epoch - 1
        let publisher = try StreamPublisher(
            context: context,
            settings: .init(
                stream: "ingest", endpoint: "ipc://\(directory)/pub", replayEndpoint: replay, heartbeatIntervalMilliseconds: 50,
                sendHighWaterMark: 1000),
            epoch: oldEpoch, head: 20, logger: logger)
        defer { publisher.close(lingerMilliseconds: 0) }
        let subscriber = try DurableSubscriber(
            context: context, options: .init(endpoint: "ipc://\(directory)/pub", prefixes: ["article."], batch: 64),
            checkpoint: Checkpoint(stream: "ingest", epoch: oldEpoch, seq: 5), logger: logger)
        var delivered: [UInt64] = []
        var polls = 0
        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline {
            try publisher.handleSubscriptions()
            try publisher.sendHeartbeat()
            if let batch = try subscriber.next(timeoutMilliseconds: 20) {
                polls += 1
                delivered += batch.messages.map(\.envelope.seq)
                #expect(batch.checkpoint == Checkpoint(stream: "ingest", epoch: oldEpoch, seq: 5))
            }
        }
        #expect(polls > 0, "the subscriber never heard the stream")
        #expect(delivered.isEmpty)
    }

    /// Subscribes live to `prefixes` of `stream` and waits for its first heartbeat.
    func liveSubscriber(_ stream: Stream, prefixes: [String]) throws -> DurableSubscriber {
        let subscriber = try DurableSubscriber(
            context: stream.context, options: .init(endpoint: stream.publisher.settings.endpoint, prefixes: prefixes, start: .live, batch: 64),
            checkpoint: nil, logger: logger)
        var live = false
        for _ in 0..<250 where !live {
            try stream.publisher.handleSubscriptions()
            try stream.publisher.sendHeartbeat()
            live = try subscriber.next(timeoutMilliseconds: 20) != nil
        }
        try #require(live, "the subscriber never heard a heartbeat")
        return subscriber
    }

    @Test func aLabelsConsumerThatGotEverySeqLiveAsksNoReplay() throws {
        // `labels.` is on every record of the labels stream, like `article.` on the ingest
        // stream: holding every seq, the consumer takes them without asking the replay endpoint
        // which seqs are its own. There is no replay endpoint here; a consumer that asked one
        // would get nothing.
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try Stream(directory: directory, stream: "labels", sendHighWaterMark: 1000, replay: false, logger: logger)
        defer {
            stream.publisher.close(lingerMilliseconds: 0)
            stream.context.shutdown()
        }
        let subscriber = try liveSubscriber(stream, prefixes: [Topic.labels])
        try stream.publisher.publish(try stream.append(Self.drafts(0..<150, topics: [Topic.labels, "label.negotiation."])))
        let (sizes, seqs) = try drain(subscriber, stream, count: 150)
        #expect(seqs == Array(1...150))
        #expect(sizes.allSatisfy { $0 <= 64 }, "batch sizes \(sizes)")
        #expect(subscriber.replayedCount == 0)
    }
}
