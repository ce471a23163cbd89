import ArabicText
import Classification
import Foundation
import Logging
import MarsadRecord
import MarsadStream
import Metrics
import Workers
import ZeroMQ

/// The classify worker's sink: labels each article of a batch, journals the `marsad.labels/1`
/// records in one group commit, then publishes them on `labels.` and `label.<LABEL>.` with
/// heartbeats and a replay endpoint — the same guarantees as ingest's stream. Its journal is
/// its checkpoint: each record names the article's seq, so after any stop it resumes after
/// the last one journaled, and never labels an article twice.
public final class LabelSink: RecordSink {
    public struct Settings: Sendable {
        public var journal: JournalSettings
        public var publish: String
        public var replay: String
        public var heartbeatIntervalMilliseconds: Int
        public var sendHighWaterMark: Int
        public var security: ServerSecurity?

        public init(
            journal: JournalSettings, publish: String, replay: String, heartbeatIntervalMilliseconds: Int, sendHighWaterMark: Int,
            security: ServerSecurity?
        ) {
            self.journal = journal
            self.publish = publish
            self.replay = replay
            self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
            self.sendHighWaterMark = sendHighWaterMark
            self.security = security
        }
    }

    /// Every labels record is published on this topic.
    public static let allTopic = Topic.labels
    /// The topic of one label: `label.<LABEL>.`.
    public static func topic(label: String) -> String { "label.\(label)." }

    public let classifier: Classifier
    public let journal: Journal
    private let context: Context
    private let publisher: StreamPublisher
    private let logger: Logger
    public let publishEndpoint: String
    public let replayEndpoint: String
    /// Features of the words seen in earlier articles (this sink is used by one thread).
    private var memo: Classifier.Memo = [:]
    /// The article of the last labels record journaled: a batch tried again after its records
    /// were journaled (its publishing failed) skips what is journaled already.
    private var lastJournaled: Checkpoint?

    /// Opens the journal and binds the endpoints; call on the worker's thread.
    public init(classifier: Classifier, settings: Settings, logger: Logger) throws {
        self.classifier = classifier
        self.logger = logger
        journal = try Journal(settings: settings.journal, logger: logger)
        context = try Context()
        if let security = settings.security {
            try ZAPHandler(context: context, allowedClientKeys: security.allowedClients, logger: logger).start()
        }
        replayEndpoint = try ReplayServer(
            journal: journal, endpoint: settings.replay, context: context, security: settings.security?.socket, logger: logger
        ).start()
        publisher = try StreamPublisher(
            context: context,
            settings: PublisherSettings(
                stream: settings.journal.stream, endpoint: settings.publish, replayEndpoint: replayEndpoint,
                heartbeatIntervalMilliseconds: settings.heartbeatIntervalMilliseconds, sendHighWaterMark: settings.sendHighWaterMark,
                security: settings.security?.socket),
            epoch: journal.epoch, head: journal.head, logger: logger)
        publisher.first = journal.first
        publishEndpoint = publisher.boundEndpoint
        try publisher.sendHeartbeat()
        lastJournaled = try checkpoint
    }

    /// Stops publishing and ends the replay thread.
    public func close() {
        try? publisher.sendHeartbeat()
        publisher.close(lingerMilliseconds: 1000)
        context.shutdown()
    }

    /// The article seq of the last labels record journaled.
    public var checkpoint: Checkpoint? {
        get throws {
            let head = journal.head
            guard head > 0, head >= journal.first else { return nil }
            let read = try journal.read(from: head, through: head, limit: 1)
            guard let last = read.entries.last else { return nil }
            let record = try LabelsRecord.decode(last.payload)
            return Checkpoint(stream: record.source.stream, epoch: record.source.epoch, seq: record.source.seq)
        }
    }

    public var summary: String { "\(journal.settings.directory) (head \(journal.head))" }

    public func commit(_ batch: DurableSubscriber.Batch) throws {
        var drafts: [Journal.Draft] = []
        var journaling: Checkpoint?
        let now = Timestamp.iso(Date())
        for message in batch.messages {
            guard message.envelope.schema == ArticleRecord.schemaName else { continue }
            if let last = lastJournaled, last.stream == message.envelope.stream, last.epoch == message.envelope.epoch,
                message.envelope.seq <= last.seq
            {
                continue
            }
            // Only the text is decoded: the article goes out exactly as ingest published it.
            let article: ArticleRecord.Text
            do {
                article = try ArticleRecord.Text.decode(message.payload)
            } catch {
                logger.error("not an article record; skipped", metadata: ["seq": "\(message.envelope.seq)", "error": "\(error)"])
                continue
            }
            let labels = Self.labels(title: article.title, paragraphs: article.paragraphs, classifier: classifier, memo: &memo)
            let source = LabelsRecord.Source(stream: message.envelope.stream, epoch: message.envelope.epoch, seq: message.envelope.seq)
            let payload = try LabelsRecord.jsonData(id: article.id, source: source, labels: labels, classifiedAt: now, articleJSON: message.payload)
            for label in labels { Counter(label: "marsad_labels_total", dimensions: [("label", label.label)]).increment() }
            drafts.append(
                Journal.Draft(
                    id: article.id, schema: LabelsRecord.schemaName, topics: [Self.allTopic] + labels.map { Self.topic(label: $0.label) },
                    payload: payload))
            journaling = Checkpoint(stream: source.stream, epoch: source.epoch, seq: source.seq)
        }
        let entries = try journal.append(drafts)
        if let journaling { lastJournaled = journaling }
        try publisher.publish(entries)
        publisher.first = journal.first
        onCommit?(journal.head)
    }

    /// Called after each commit with the labels stream's head (e.g. for `marsad run --once`).
    public var onCommit: (@Sendable (UInt64) -> Void)?

    /// Keeps heartbeats going and answers subscriptions between batches.
    public func idle() throws {
        _ = try publisher.heartbeatIfDue()
        _ = try publisher.handleSubscriptions()
    }

    /// The labels record of one article.
    public static func labels(
        of article: ArticleRecord, classifier: Classifier, source: LabelsRecord.Source, now: String = Timestamp.iso(Date())
    )
        -> LabelsRecord
    {
        LabelsRecord(
            id: article.id, source: source, labels: labels(title: article.title, paragraphs: article.paragraphs, classifier: classifier),
            classifiedAt: now, article: article)
    }

    /// The labels of an article's text.
    public static func labels(title: String, paragraphs: [String], classifier: Classifier) -> [LabelsRecord.Label] {
        var memo: Classifier.Memo = [:]
        return labels(title: title, paragraphs: paragraphs, classifier: classifier, memo: &memo)
    }

    /// The same, reusing (and trimming) a memo of word features kept across articles.
    public static func labels(
        title: String, paragraphs: [String], classifier: Classifier, memo: inout Classifier.Memo
    )
        -> [LabelsRecord.Label]
    {
        WordMemo.trim(&memo)
        return classifier.classify(title: title, paragraphs: paragraphs, memo: &memo).map { assigned in
            LabelsRecord.Label(
                label: assigned.label, score: assigned.score,
                evidence: assigned.evidence.map {
                    LabelsRecord.Evidence(text: $0.text, field: $0.field, paragraph: $0.paragraph, start: $0.start, end: $0.end, weight: $0.weight)
                })
        }
    }
}
