import Archive
import ArgumentParser
import Foundation
import Logging
import MarsadConfig
import MarsadStream
import ServiceLifecycle
import Synchronization
import Telemetry
import Workers
import ZeroMQ

/// Options shared by the commands that read the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("Configuration file (TOML). Default: $MARSAD_CONFIG, else built-in defaults under ./var/.", valueName: "file")
    )
    var config: String?

    @Option(
        name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical. Overrides [log] level.", valueName: "level")
    )
    var logLevel: String?

    /// Loads the configuration, printing every problem and exiting on failure.
    func load() throws -> MarsadConfiguration {
        do {
            var configuration = try MarsadConfiguration.load(file: config ?? MarsadConfiguration.defaultFile)
            if let logLevel {
                guard LogSettings.levels.contains(logLevel) else {
                    throw ValidationError("--log-level \(logLevel) is not one of \(LogSettings.levels.joined(separator: ", "))")
                }
                configuration.log.level = logLevel
            }
            return configuration
        } catch let errors as ConfigErrors {
            FileHandle.standardError.write(Data("marsad: invalid configuration\n\(errors)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
    }
}

/// `--spool` and `--state`, which override the configuration's directories.
struct DirectoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Spool root holding inbox/, processing/, done/, failed/. Overrides [spool] dir.", valueName: "dir"))
    var spool: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "State directory: journals, checkpoints, sockets, the default archive and alert database. Overrides [state] dir.", valueName: "dir"))
    var state: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to serve /metrics and /healthz (HOST:PORT; port 0 picks one; \"\" serves none). Overrides [metrics] ingest.", valueName: "address")
    )
    var metrics: String?

    func apply(to config: inout MarsadConfiguration) {
        if let spool { config.spool.directory = spool }
        if let state { config.state.directory = state }
        if let metrics { config.metrics.addresses["ingest"] = metrics }
    }
}

enum LoggingSetup {
    private static let done = Mutex(false)

    /// Sends logs to standard error (journald picks them up under systemd) at `level`. Once per
    /// process: later calls (a second worker in the same process) change nothing.
    static func bootstrap(level: String) {
        guard
            done.withLock({ done in
                defer { done = true }; return !done
            })
        else { return }
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}

/// Data files failed to load: print and exit like a configuration error.
func exitOnDataErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let errors as ConfigErrors {
        FileHandle.standardError.write(Data("marsad: invalid data file\n\(errors)\n".utf8))
        throw ExitCode(78)
    }
}

/// The `/metrics` and `/healthz` server of `process` (`[metrics]`), or none when its address is empty.
func metricsServices(_ config: MarsadConfiguration, process: String, logger: Logger) throws -> [any Service] {
    guard let address = config.metrics.address(for: process) else { return [] }
    do {
        return [try MetricsServer(address: address, process: process, logger: logger)]
    } catch {
        FileHandle.standardError.write(Data("marsad: [metrics] \(process): \(error)\n".utf8))
        throw ExitCode(78)
    }
}

/// Runs `service` (and `helpers` beside it) until it returns or SIGTERM/SIGINT asks for a
/// graceful shutdown.
/// A process without data files to reload still answers SIGHUP (`systemctl reload`) with a log
/// line, never by dying of the signal's default action.
func runUntilShutdown(_ service: some Service, helpers: [any Service] = [], logger: Logger) async throws {
    var helpers = helpers
    if !helpers.contains(where: { $0 is HangupReloadService }) { helpers.append(HangupReloadService([], logger: logger)) }
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
                + helpers.map { .init(service: $0, successTerminationBehavior: .ignore) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    try await group.run()
}

/// The CURVE side of a client, from `[curve] client_key_file` and `server_public_key`.
enum ClientSecurity {
    static func load(_ settings: CurveSettings) throws -> SocketSecurity? {
        guard let keyFile = settings.clientKeyFile, let serverKey = settings.serverPublicKey else { return nil }
        let keys = try KeyFiles.readKeyPair(path: keyFile)
        return SocketSecurity(keys: CurveKeyPair(publicKey: keys.publicKey, secretKey: keys.secretKey), serverPublicKey: serverKey)
    }
}

/// A failure to report as `Error: <message>` without the usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The archive `config` names, with `--db` or `--postgres` taking precedence.
func archiveLocation(_ config: MarsadConfiguration, db: String? = nil, postgres: String? = nil) -> ArchiveLocation {
    if let postgres { return .postgres(url: postgres) }
    if let db { return .sqlite(path: db) }
    if config.archive.backend == .postgres, let url = config.archive.postgresURL { return .postgres(url: url) }
    return .sqlite(path: config.archiveDatabase)
}

extension ArchiveLocation {
    /// The `marsad search` flag that names this archive.
    var searchFlag: String {
        switch self {
        case .sqlite(let path): return "--db \(path)"
        case .postgres(let url): return "--postgres \(url)"
        }
    }

    /// The file or server, for messages.
    var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url
        }
    }
}
