/// One problem found in a configuration or data file: where it is, what is wrong, how to fix it.
public struct ConfigIssue: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in.
    public let file: String
    /// The 1-based line, when it is known.
    public let line: Int?
    /// The dotted key path, e.g. `ingest.heartbeat_interval_ms`.
    public let key: String
    /// What is wrong.
    public let reason: String
    /// What to do about it.
    public let hint: String?

    public init(file: String, line: Int?, key: String, reason: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
        self.hint = hint
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": \(key.isEmpty ? "" : "\(key): ")\(reason)"
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Every problem found while loading one file, reported together.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public let issues: [ConfigIssue]
    public init(_ issues: [ConfigIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
