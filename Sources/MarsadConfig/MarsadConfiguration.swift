import Foundation

/// The whole configuration of a Marsad installation: one TOML file with a section per stage.
/// Every key has a default, so an empty file (or none) is a working configuration under `./var/`.
public struct MarsadConfiguration: Sendable {
    /// The file this was loaded from, if any.
    public var sourceFile: String?
    public var spool = SpoolSettings()
    public var state = StateSettings()
    public var ingest = IngestSettings()
    public var journal = JournalConfig()
    public var archive = ArchiveSettings()
    public var curve = CurveSettings()
    public var parsing = ParsingSettings()
    public var classify = ClassifySettings()
    public var alert = AlertSettings()
    public var metrics = MetricsSettings()
    public var log = LogSettings()

    public init() {}

    /// The configuration file used when none is named: `$MARSAD_CONFIG`, else none.
    public static var defaultFile: String? { ProcessInfo.processInfo.environment["MARSAD_CONFIG"] }

    /// Loads and validates `file`, or returns the defaults when `file` is nil.
    /// All problems are reported together, each with its file, line and key.
    public static func load(file: String?) throws -> MarsadConfiguration {
        var config = MarsadConfiguration()
        guard let file else { return config }
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        config.sourceFile = file

        let spool = root.table("spool")
        config.spool.directory = spool.string("dir", default: config.spool.directory)
        config.spool.afterProcessing = SpoolSettings.AfterProcessing(
            rawValue: spool.choice(
                "after_processing", default: config.spool.afterProcessing.rawValue, allowed: SpoolSettings.AfterProcessing.allCases.map(\.rawValue)))!
        config.spool.maxFileBytes = spool.int("max_file_bytes", default: config.spool.maxFileBytes, range: 1...(1 << 34))
        config.spool.rescanIntervalSeconds = spool.int("rescan_interval_s", default: config.spool.rescanIntervalSeconds, range: 0...86_400)
        config.spool.settleMilliseconds = spool.int("settle_ms", default: config.spool.settleMilliseconds, range: 0...60_000)
        spool.rejectUnknownKeys()

        let state = root.table("state")
        config.state.directory = state.string("dir", default: config.state.directory)
        state.rejectUnknownKeys()

        let ingest = root.table("ingest")
        config.ingest.stream = ingest.string("stream", default: config.ingest.stream)
        if config.ingest.stream.isEmpty || !config.ingest.stream.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            ingest.report("stream", "\"\(config.ingest.stream)\" is not a valid stream name", hint: "use ASCII letters, digits, - and _")
        }
        config.ingest.publish = ingest.optionalString("publish").flatMap { $0.isEmpty ? nil : $0 }
        let curveServer = root.table("curve").has("server_key_file")
        if let publish = config.ingest.publish, let problem = EndpointPolicy.problem(with: publish, curve: curveServer) {
            ingest.report("publish", problem.reason, hint: problem.hint)
        }
        config.ingest.replay = ingest.optionalString("replay").flatMap { $0.isEmpty ? nil : $0 }
        if let replay = config.ingest.replay, let problem = EndpointPolicy.problem(with: replay, curve: curveServer) {
            ingest.report("replay", problem.reason, hint: problem.hint)
        }
        config.ingest.heartbeatIntervalMilliseconds = ingest.int(
            "heartbeat_interval_ms", default: config.ingest.heartbeatIntervalMilliseconds, range: 50...60_000)
        config.ingest.sendHighWaterMark = ingest.int("send_hwm", default: config.ingest.sendHighWaterMark, range: 1...10_000_000)
        config.ingest.batchMax = ingest.int("batch_max", default: config.ingest.batchMax, range: 1...10_000)
        ingest.rejectUnknownKeys()

        let journal = root.table("journal")
        config.journal.segmentBytes = journal.int("segment_bytes", default: config.journal.segmentBytes, range: 4096...(1 << 32) - 1)
        config.journal.retentionBytes = journal.int("retention_bytes", default: config.journal.retentionBytes, range: 4096...(1 << 50))
        config.journal.retentionHours = journal.int("retention_hours", default: config.journal.retentionHours, range: 0...(24 * 3650))
        config.journal.durable = journal.bool("durable", default: config.journal.durable)
        journal.rejectUnknownKeys()

        let curve = root.table("curve")
        let curveBase = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let path: (String) -> String? = { key in curve.optionalString(key).flatMap { $0.isEmpty ? nil : resolve($0, against: curveBase) } }
        config.curve.serverKeyFile = path("server_key_file")
        config.curve.allowedClientsFile = path("allowed_clients_file")
        config.curve.clientKeyFile = path("client_key_file")
        config.curve.serverPublicKey = curve.optionalString("server_public_key").flatMap { $0.isEmpty ? nil : $0 }
        if (config.curve.serverKeyFile == nil) != (config.curve.allowedClientsFile == nil) {
            curve.report(
                config.curve.serverKeyFile == nil ? "server_key_file" : "allowed_clients_file",
                "CURVE needs both server_key_file and allowed_clients_file", hint: "create the keys with `marsad keygen`")
        }
        if (config.curve.clientKeyFile == nil) != (config.curve.serverPublicKey == nil) {
            curve.report(
                config.curve.clientKeyFile == nil ? "client_key_file" : "server_public_key",
                "a CURVE client needs both client_key_file and server_public_key")
        }
        curve.rejectUnknownKeys()

        let archive = root.table("archive")
        config.archive.database = archive.optionalString("db").flatMap { $0.isEmpty ? nil : $0 }
        config.archive.backend = ArchiveSettings.Backend(
            rawValue: archive.choice("backend", default: config.archive.backend.rawValue, allowed: ArchiveSettings.Backend.allCases.map(\.rawValue)))!
        config.archive.postgresURL = archive.optionalString("postgres_url").flatMap { $0.isEmpty ? nil : $0 }
        config.archive.follow = ArchiveSettings.Follow(
            rawValue: archive.choice("follow", default: config.archive.follow.rawValue, allowed: ArchiveSettings.Follow.allCases.map(\.rawValue)))!
        if config.archive.backend == .postgres && config.archive.postgresURL == nil {
            archive.report("postgres_url", "is needed when backend = \"postgres\"", hint: "e.g. postgres://marsad@127.0.0.1:5432/marsad")
        }
        archive.rejectUnknownKeys()

        let parsing = root.table("parsing")
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        if let gazetteer = parsing.optionalString("gazetteer") { config.parsing.gazetteer = resolve(gazetteer, against: base) }
        if let boilerplate = parsing.optionalString("boilerplate") { config.parsing.boilerplate = resolve(boilerplate, against: base) }
        if let linking = parsing.optionalString("linking") { config.parsing.linking = resolve(linking, against: base) }
        parsing.rejectUnknownKeys()

        let classify = root.table("classify")
        config.classify.stream = classify.string("stream", default: config.classify.stream)
        if config.classify.stream == config.ingest.stream || config.classify.stream.isEmpty
            || !config.classify.stream.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            classify.report(
                "stream", "\"\(config.classify.stream)\" is not a valid stream name of its own",
                hint: "use ASCII letters, digits, - and _, not the ingest stream's name")
        }
        for key in ["publish", "replay"] {
            let value = classify.optionalString(key).flatMap { $0.isEmpty ? nil : $0 }
            if let value, let problem = EndpointPolicy.problem(with: value, curve: curveServer) {
                classify.report(key, problem.reason, hint: problem.hint)
            }
            if key == "publish" { config.classify.publish = value } else { config.classify.replay = value }
        }
        if let labels = classify.optionalString("labels"), !labels.isEmpty { config.classify.labels = resolve(labels, against: base) }
        if let model = classify.optionalString("model"), !model.isEmpty { config.classify.model = resolve(model, against: base) }
        classify.rejectUnknownKeys()

        let alert = root.table("alert")
        if let rules = alert.optionalString("rules"), !rules.isEmpty { config.alert.rules = resolve(rules, against: base) }
        config.alert.database = alert.optionalString("db").flatMap { $0.isEmpty ? nil : $0 }
        config.alert.jsonl = alert.optionalString("jsonl").flatMap { $0.isEmpty ? nil : $0 }
        config.alert.publish = alert.optionalString("publish").flatMap { $0.isEmpty ? nil : $0 }
        if let publish = config.alert.publish, let problem = EndpointPolicy.problem(with: publish, curve: curveServer) {
            alert.report("publish", problem.reason, hint: problem.hint)
        }
        alert.rejectUnknownKeys()

        let metrics = root.table("metrics")
        for process in MetricsSettings.processes {
            let address = metrics.string(process, default: config.metrics.addresses[process] ?? "")
            if !address.isEmpty {
                let port = address.split(separator: ":").last.flatMap { Int($0) }
                if !address.contains(":") || port == nil || !(0...65535).contains(port!) {
                    metrics.report(process, "\"\(address)\" is not HOST:PORT", hint: "e.g. 127.0.0.1:9464, or \"\" to serve no metrics")
                }
            }
            config.metrics.addresses[process] = address
        }
        metrics.rejectUnknownKeys()

        let log = root.table("log")
        config.log.level = log.choice("level", default: config.log.level, allowed: LogSettings.levels)
        log.rejectUnknownKeys()

        root.rejectUnknownKeys()
        try document.finish()
        return config
    }

    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardized.path
    }

    /// The endpoint ingest publishes on: the configured one or an ipc socket in the state directory.
    public var ingestPublishEndpoint: String { ingest.publish ?? stateEndpoint("ingest.pub") }

    /// The endpoint ingest serves replays on: the configured one or an ipc socket in the state directory.
    public var ingestReplayEndpoint: String { ingest.replay ?? stateEndpoint("ingest.replay") }

    /// The endpoint the classify worker publishes labels on.
    public var classifyPublishEndpoint: String { classify.publish ?? stateEndpoint("\(classify.stream).pub") }

    /// The endpoint the classify worker serves replays of its labels on.
    public var classifyReplayEndpoint: String { classify.replay ?? stateEndpoint("\(classify.stream).replay") }

    /// The endpoint the alert worker publishes alerts on.
    public var alertPublishEndpoint: String { alert.publish ?? stateEndpoint("alerts.pub") }

    /// The alert worker's state: alerts raised, outbox, checkpoint.
    public var alertDatabase: String {
        alert.database ?? URL(fileURLWithPath: state.directory).appendingPathComponent("alerts.sqlite").standardized.path
    }

    /// The JSONL file of alerts (the `file` sink).
    public var alertFile: String {
        alert.jsonl ?? URL(fileURLWithPath: state.directory).appendingPathComponent("alerts.jsonl").standardized.path
    }

    /// The directory of a stream's journal.
    public func journalDirectory(stream: String) -> String {
        URL(fileURLWithPath: state.directory).appendingPathComponent("journal").appendingPathComponent(stream).standardized.path
    }

    /// The SQLite archive: `[archive] db`, or `<state>/archive.sqlite`.
    public var archiveDatabase: String {
        archive.database ?? URL(fileURLWithPath: state.directory).appendingPathComponent("archive.sqlite").standardized.path
    }

    /// Where consumers record their checkpoints for `marsad status`.
    public var consumersDirectory: String {
        URL(fileURLWithPath: state.directory).appendingPathComponent("consumers").standardized.path
    }

    func stateEndpoint(_ name: String) -> String {
        "ipc://" + URL(fileURLWithPath: state.directory).appendingPathComponent(name).standardized.path
    }
}

/// Where dropped files live and what happens to them.
public struct SpoolSettings: Sendable {
    public enum AfterProcessing: String, Sendable, CaseIterable { case move, delete }
    /// Root holding `inbox/`, `processing/`, `done/` and `failed/`.
    public var directory = "var/spool"
    /// `move` processed files to `done/`, or `delete` them.
    public var afterProcessing = AfterProcessing.move
    /// Larger files are quarantined in `failed/` unread.
    public var maxFileBytes = 10 * 1024 * 1024
    /// Safety-net rescan of `inbox/` (seconds; 0 turns it off).
    public var rescanIntervalSeconds = 30
    /// A file found by a scan (not by an inotify close/rename event) is taken only once it has
    /// not been modified for this long, so a writer that has not finished is not cut short.
    public var settleMilliseconds = 1000
}

/// Where journals, checkpoints and sockets live.
public struct StateSettings: Sendable {
    public var directory = "var/state"
}

/// The ingest stage's stream.
public struct IngestSettings: Sendable {
    /// Name of the stream ingest owns (appears in every envelope).
    public var stream = "ingest"
    /// Publish endpoint; `nil` means `ipc://<state>/ingest.pub`.
    public var publish: String?
    public var heartbeatIntervalMilliseconds = 1000
    /// Replay endpoint; `nil` means `ipc://<state>/ingest.replay`.
    public var replay: String?
    /// Messages queued for one subscriber; past it a slow subscriber misses live messages and
    /// repairs the gap from the journal. Bounds the daemon's memory.
    public var sendHighWaterMark = 2_000
    /// At most this many files are journaled per group commit.
    public var batchMax = 64
}

/// How a stream's journal is kept.
public struct JournalConfig: Sendable {
    public var segmentBytes = 64 << 20
    public var retentionBytes = 1 << 30
    public var retentionHours = 168
    /// `fdatasync` each batch before its files leave `processing/`.
    public var durable = true
}

/// CURVE keys for tcp endpoints off loopback.
public struct CurveSettings: Sendable {
    /// Server: a key file from `marsad keygen` (mode 0600).
    public var serverKeyFile: String?
    /// Server: public keys of the clients allowed in, one per line.
    public var allowedClientsFile: String?
    /// Client: its own key file.
    public var clientKeyFile: String?
    /// Client: the server's public key.
    public var serverPublicKey: String?
}

/// Data files used to parse articles.
public struct ParsingSettings: Sendable {
    /// The gazetteer; `nil` means the default search (see `DataFiles`).
    public var gazetteer: String?
    /// Boilerplate markers; `nil` means the default search.
    public var boilerplate: String?
    /// The linking rules (cited sources, titles); `nil` means the default search.
    public var linking: String?
}

/// The classify worker: its label catalog, model, and the stream it publishes.
public struct ClassifySettings: Sendable {
    /// Name of the labels stream (journal directory, envelopes).
    public var stream = "labels"
    /// Publish endpoint; `nil` means `ipc://<state>/<stream>.pub`.
    public var publish: String?
    /// Replay endpoint; `nil` means `ipc://<state>/<stream>.replay`.
    public var replay: String?
    /// The label catalog and lexicon; `nil` means the default search for `classify.toml`.
    public var labels: String?
    /// The trained model; `nil` means the default search for `classify-model.json`.
    public var model: String?
}

/// The alert worker: rules, state and sinks.
public struct AlertSettings: Sendable {
    /// The rules; `nil` means the default search for `alerts.toml`.
    public var rules: String?
    /// SQLite state (alerts raised, outbox, checkpoint); `nil` means `<state>/alerts.sqlite`.
    public var database: String?
    /// The `file` sink; `nil` means `<state>/alerts.jsonl`.
    public var jsonl: String?
    /// The `zmq` sink's PUB endpoint; `nil` means `ipc://<state>/alerts.pub`.
    public var publish: String?
}

/// Where each process serves Prometheus `/metrics` and `/healthz`.
public struct MetricsSettings: Sendable {
    /// The processes with an address of their own; `marsad run` uses `ingest`'s.
    public static let processes = ["ingest", "classify", "archive", "alert"]
    /// `HOST:PORT` per process; `""` serves nothing; port 0 picks a free port.
    public var addresses: [String: String] = [
        "ingest": "127.0.0.1:9464", "classify": "127.0.0.1:9465", "archive": "127.0.0.1:9466", "alert": "127.0.0.1:9467",
    ]

    /// The address of `process`, or `nil` when it serves no metrics.
    public func address(for process: String) -> String? {
        guard let address = addresses[process], !address.isEmpty else { return nil }
        return address
    }
}

public struct LogSettings: Sendable {
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    public var level = "info"
}

/// The archive worker's database.
public struct ArchiveSettings: Sendable {
    public enum Backend: String, Sendable, CaseIterable { case sqlite, postgres }
    /// `sqlite` (one file) or `postgres` (a database several hosts share).
    public var backend = Backend.sqlite
    /// The SQLite file; `nil` means `<state>/archive.sqlite`.
    public var database: String?
    /// The PostgreSQL database, `postgres://user@host:port/database`.
    public var postgresURL: String?
    /// The stream the archive worker follows.
    public enum Follow: String, Sendable, CaseIterable {
        /// The classify worker's labels stream: articles with their labels.
        case labels
        /// The ingest stream: articles only.
        case articles
        /// Both: each article from the ingest stream as soon as it is published (searchable
        /// without waiting for classification), its labels from the labels stream when they come.
        case both
    }
    public var follow = Follow.both
}
