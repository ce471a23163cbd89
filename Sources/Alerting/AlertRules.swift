import ArabicText
import Foundation
import MarsadConfig

/// How urgent an alert is; it names the `alert.<severity>.<rule>.` topic.
public enum Severity: String, Sendable, CaseIterable, Codable {
    case info, low, medium, high, critical
}

/// Where alerts go. Every sink delivers from the durable outbox.
public struct SinkDefinition: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A log line at `warning` (high, critical) or `notice` level.
        case log
        /// One JSON alert per line appended to a file (`[alert] jsonl` unless `path` is set).
        case file(path: String?)
        /// An HTTP POST of the JSON alert, signed, retried with backoff until it is accepted.
        case webhook(url: String, secret: String?, timeoutMilliseconds: Int)
        /// The `alert.<severity>.<rule>.` topic on the alert worker's PUB endpoint.
        case zmq
    }
    public let name: String
    public let kind: Kind
}

/// A rule on single articles: conditions on entities, labels, words and outlet.
public struct MatchRule: Sendable {
    public let name: String
    public let severity: Severity
    public let description: String
    public let entitiesAll: [String]
    public let entitiesAny: [String]
    public let entitiesNone: [String]
    /// Any of these labels, each with at least `minScore`.
    public let labels: [String]
    public let minScore: Double
    /// Normalised light stems; `wordsAny` needs one, `wordsAll` every one.
    public let wordsAny: [[String]]
    public let wordsAll: [[String]]
    /// Outlet names (normalised) or ids; the article's outlet must be one of them.
    public let outlets: [String]
    /// One alert per rule and matched entity set per this many seconds (0: no throttle).
    public let throttleSeconds: Int
    public let sinks: [String]
}

/// A rule on counts: more than `minArticles` articles about one entity (optionally with a
/// label) within `windowSeconds`, and — when `baselineFactor` is set — at least that many times
/// its average per window over the `baselineSeconds` before.
public struct SpikeRule: Sendable {
    public let name: String
    public let severity: Severity
    public let description: String
    /// The entities watched, each counted on its own; empty means every entity of `kinds`.
    public let entities: [String]
    public let kinds: [String]
    public let label: String?
    public let minScore: Double
    public let windowSeconds: Int
    public let minArticles: Int
    public let baselineFactor: Double?
    public let baselineSeconds: Int
    /// After firing for an entity, the rule stays quiet for it this long.
    public let cooldownSeconds: Int
    public let sinks: [String]

    public func watches(_ entityID: String) -> Bool {
        if !entities.isEmpty { return entities.contains(entityID) }
        return kinds.contains(String(entityID.prefix { $0 != "." }))
    }
}

/// The rules file (`config/alerts.toml`): sinks, match rules and spike rules.
public struct AlertRules: Sendable {
    public let sinks: [SinkDefinition]
    public let rules: [MatchRule]
    public let spikes: [SpikeRule]

    public init(sinks: [SinkDefinition], rules: [MatchRule], spikes: [SpikeRule]) {
        self.sinks = sinks
        self.rules = rules
        self.spikes = spikes
    }

    /// The longest window any spike rule looks back over, in seconds.
    public var horizonSeconds: Int { spikes.map { $0.windowSeconds + $0.baselineSeconds }.max() ?? 0 }

    /// Normalised light stems of a word or phrase, as words are matched.
    public static func wordKey(_ text: String) -> [String] {
        ArabicTokenizer.tokens(of: text).map { SearchForms.lightStem($0.text) }
    }

    /// Loads and validates the rules; `environment` resolves `url_env` and `secret_env`.
    /// Every problem is reported with its line; known label names and sinks are checked.
    public static func load(
        file: String, knownLabels: Set<String>, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> AlertRules
    {
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        var sinks: [SinkDefinition] = []
        for table in root.tables("sink") {
            let name = table.string("name", default: "")
            let type = table.choice("type", default: "log", allowed: ["log", "file", "webhook", "zmq"])
            var url = table.optionalString("url") ?? ""
            if let variable = table.optionalString("url_env"), !variable.isEmpty {
                url = environment[variable] ?? ""
                if url.isEmpty && type == "webhook" { table.report("url_env", "$\(variable) is not set", hint: "export the webhook URL or set url") }
            }
            var secret = table.optionalString("secret")
            if let variable = table.optionalString("secret_env"), !variable.isEmpty {
                secret = environment[variable]
                if secret == nil { table.report("secret_env", "$\(variable) is not set", hint: "export the signing secret") }
            }
            let timeout = table.int("timeout_ms", default: 5000, range: 100...120_000)
            let path = table.optionalString("path").flatMap { $0.isEmpty ? nil : $0 }
            table.rejectUnknownKeys()
            if name.isEmpty { table.report("name", "is missing") }
            if sinks.contains(where: { $0.name == name }) { table.report("name", "\"\(name)\" is used twice") }
            let kind: SinkDefinition.Kind
            switch type {
            case "file": kind = .file(path: path)
            case "webhook":
                if type == "webhook", !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                    table.report("url", "\"\(url)\" is not an http(s) URL")
                }
                if url.isEmpty && table.optionalString("url_env") == nil { table.report("url", "is missing", hint: "set url or url_env") }
                kind = .webhook(url: url, secret: secret, timeoutMilliseconds: timeout)
            case "zmq": kind = .zmq
            default: kind = .log
            }
            sinks.append(SinkDefinition(name: name, kind: kind))
        }
        let sinkNames = Set(sinks.map(\.name))
        var names: Set<String> = []
        func checkName(_ table: TableReader, _ name: String) {
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                table.report("name", "\"\(name)\" is not a rule name", hint: "use ASCII letters, digits, - and _")
            } else if !names.insert(name).inserted {
                table.report("name", "\"\(name)\" is used twice")
            }
        }
        func checkSinks(_ table: TableReader, _ list: [String]) {
            for sink in list where !sinkNames.contains(sink) { table.report("sinks", "no sink is named \"\(sink)\"") }
            if list.isEmpty { table.report("sinks", "is empty", hint: "name at least one [[sink]]") }
        }
        func checkLabels(_ table: TableReader, _ list: [String]) {
            for label in list where !knownLabels.contains(label) { table.report("labels", "\"\(label)\" is not a label of classify.toml") }
        }
        var rules: [MatchRule] = []
        for table in root.tables("rule") {
            let name = table.string("name", default: "")
            checkName(table, name)
            let severity = Severity(rawValue: table.choice("severity", default: "medium", allowed: Severity.allCases.map(\.rawValue)))!
            let labels = table.strings("labels")
            checkLabels(table, labels)
            let sinks = table.strings("sinks")
            checkSinks(table, sinks)
            let rule = MatchRule(
                name: name, severity: severity, description: table.string("description", default: ""),
                entitiesAll: table.strings("entities_all"), entitiesAny: table.strings("entities_any"), entitiesNone: table.strings("entities_none"),
                labels: labels, minScore: table.double("min_score", default: 0.5, range: 0...1),
                wordsAny: table.strings("words_any").map(wordKey).filter { !$0.isEmpty },
                wordsAll: table.strings("words_all").map(wordKey).filter { !$0.isEmpty },
                outlets: table.strings("outlets").map { $0.contains(".") ? $0 : ArabicNormalizer.normalizedString($0) },
                throttleSeconds: table.int("throttle_minutes", default: 0, range: 0...525_600) * 60, sinks: sinks)
            table.rejectUnknownKeys()
            if rule.entitiesAll.isEmpty && rule.entitiesAny.isEmpty && rule.labels.isEmpty && rule.wordsAny.isEmpty && rule.wordsAll.isEmpty
                && rule.outlets.isEmpty
            {
                table.report("name", "rule \"\(name)\" has no condition", hint: "a rule needs entities, labels, words or outlets")
            }
            rules.append(rule)
        }
        var spikes: [SpikeRule] = []
        for table in root.tables("spike") {
            let name = table.string("name", default: "")
            checkName(table, name)
            let severity = Severity(rawValue: table.choice("severity", default: "medium", allowed: Severity.allCases.map(\.rawValue)))!
            let label = table.optionalString("label").flatMap { $0.isEmpty ? nil : $0 }
            if let label { checkLabels(table, [label]) }
            let sinks = table.strings("sinks")
            checkSinks(table, sinks)
            let factor = table.double("baseline_factor", default: 0, range: 0...1000)
            let spike = SpikeRule(
                name: name, severity: severity, description: table.string("description", default: ""),
                entities: table.strings("entities"), kinds: table.strings("kinds"), label: label,
                minScore: table.double("min_score", default: 0.5, range: 0...1),
                windowSeconds: table.int("window_seconds", default: 3600, range: 1...2_592_000),
                minArticles: table.int("min_articles", default: 10, range: 1...1_000_000),
                baselineFactor: factor > 0 ? factor : nil, baselineSeconds: table.int("baseline_seconds", default: 86_400, range: 0...31_536_000),
                cooldownSeconds: table.int("cooldown_seconds", default: 3600, range: 0...31_536_000), sinks: sinks)
            table.rejectUnknownKeys()
            if spike.entities.isEmpty && spike.kinds.isEmpty {
                table.report("entities", "spike \"\(name)\" watches nothing", hint: "list entities or kinds")
            }
            spikes.append(spike)
        }
        root.rejectUnknownKeys()
        try document.finish()
        return AlertRules(sinks: sinks, rules: rules, spikes: spikes)
    }
}
