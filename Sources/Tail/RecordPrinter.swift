import Foundation
import MarsadRecord
import MarsadStream

/// How `marsad tail` and `marsad run` show records.
public enum RecordFormat: Sendable {
    /// One human line per record: time, seq, topic, title, outlet and date, entities, and for
    /// a labels record its best labels.
    case compact
    /// The record's JSON, one per line.
    case json
}

/// Formats stream messages for a terminal or a pipe.
public struct RecordPrinter: Sendable {
    public let format: RecordFormat

    public init(format: RecordFormat) { self.format = format }

    /// The line to print for one record message.
    public func line(for message: StreamMessage) -> String {
        switch format {
        case .json:
            return String(decoding: message.payload, as: UTF8.self)
        case .compact:
            let time = String(message.envelope.time.dropFirst(11).prefix(8))
            var parts = ["\(time)  #\(message.envelope.seq)  \(message.topic)"]
            var labels: [LabelsRecord.Label]?
            let record: ArticleRecord
            if message.envelope.schema == LabelsRecord.schemaName, let labelled = try? LabelsRecord.decode(message.payload) {
                record = labelled.article
                labels = labelled.labels
            } else if let article = try? ArticleRecord.decode(message.payload) {
                record = article
            } else {
                return parts[0] + "  (\(message.envelope.schema), \(message.payload.count) bytes)"
            }
            parts.append(record.title)
            let facts = [record.outlet?.name, record.published?.date].compactMap { $0 }
            if !facts.isEmpty { parts.append("[" + facts.joined(separator: ", ") + "]") }
            if !record.entities.isEmpty {
                let shown = record.entities.prefix(8).map(\.id).joined(separator: " ")
                parts.append("→ " + shown + (record.entities.count > 8 ? " (+\(record.entities.count - 8))" : ""))
            }
            if let labels, !labels.isEmpty {
                parts.append("◆ " + labels.prefix(5).map { "\($0.label) \(String(format: "%.2f", $0.score))" }.joined(separator: " "))
            }
            return parts.joined(separator: "  ")
        }
    }
}
