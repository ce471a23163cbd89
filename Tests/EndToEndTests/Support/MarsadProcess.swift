import Foundation
import Testing

/// A real `marsad` child process with its own temporary spool and state directories.
final class MarsadProcess {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized

    /// The built executable: `$MARSAD_BIN`, else `.build/debug/marsad` (the README's test command builds it first).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["MARSAD_BIN"] { return path }
        return packageRoot.appendingPathComponent(".build/debug/marsad").path
    }

    let process = Process()
    let logPath: String
    let outputPath: String

    /// `launcher`, when given, is a command that runs marsad: marsad's path and `arguments` are
    /// appended to it (e.g. `unshare` with a shell that prepares a mount first).
    init(_ arguments: [String], workDirectory: String, environment: [String: String] = [:], launcher: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw TestFailure("no marsad executable at \(Self.binary): run `swift build` before `swift test`")
        }
        logPath = workDirectory + "/marsad-\(UUID().uuidString.prefix(6)).log"
        outputPath = logPath + ".out"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        if let command = launcher.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = launcher.dropFirst() + [Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["MARSAD_DATA_DIR"] = Self.packageRoot.appendingPathComponent("config").path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits until the log contains `text`.
    func waitForLog(_ text: String, timeout: TimeInterval = 20) -> Bool {
        waitUntil(timeout: timeout) { self.log.contains(text) }
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `executable ARGUMENTS` from the package root to its end; returns its status, standard
/// output and standard error.
func runToEnd(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> (
    status: Int32, output: String, errors: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = MarsadProcess.packageRoot
    if let environment { process.environment = environment }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, out, err)
}

/// Runs `python3 SCRIPT …` from the package root with `--marsad` pointing at the built binary, as
/// the script-driven suites do; the script's standard error (its human summary) is echoed.
func runPythonScript(_ arguments: [String]) throws -> (status: Int32, output: String, log: String) {
    let run = try runToEnd("/usr/bin/env", ["python3"] + arguments + ["--marsad", MarsadProcess.binary])
    print(run.errors, terminator: "")
    return (run.status, run.output, run.errors)
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// A temporary spool, state directory and config file for one test.
struct Workspace {
    let root: String
    var spool: String { root + "/spool" }
    var inbox: String { spool + "/inbox" }
    var state: String { root + "/state" }
    var config: String { root + "/marsad.toml" }
    var endpoint: String { "ipc://" + state + "/ingest.pub" }

    init(extraConfig: String = "") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-e2e-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let config = """
            [spool]
            dir = "\(spool)"
            settle_ms = 0
            rescan_interval_s = 2
            [state]
            dir = "\(state)"
            [metrics]
            ingest = "127.0.0.1:0"
            classify = "127.0.0.1:0"
            archive = "127.0.0.1:0"
            alert = "127.0.0.1:0"
            [ingest]
            heartbeat_interval_ms = 100
            \(extraConfig)
            """
        try config.write(toFile: self.config, atomically: true, encoding: .utf8)
    }

    func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool + "/" + directory)) ?? []).sorted()
    }

    /// Writes a file under a hidden name, then renames it into the inbox, as producers should.
    func drop(_ name: String, bytes: [UInt8]) throws {
        let hidden = inbox + "/." + name + ".tmp"
        _ = FileManager.default.createFile(atPath: hidden, contents: Data(bytes))
        guard rename(hidden, inbox + "/" + name) == 0 else { throw TestFailure("rename failed for \(name)") }
    }

    func drop(_ name: String, text: String) throws { try drop(name, bytes: Array(text.utf8)) }

    /// Copies the repository's seed articles into the inbox; returns their names.
    @discardableResult
    func dropSeeds() throws -> [String] {
        let seeds = MarsadProcess.packageRoot.appendingPathComponent("seeds").path
        let names = try FileManager.default.contentsOfDirectory(atPath: seeds).filter { $0.hasSuffix(".txt") }.sorted()
        for name in names { try drop(name, bytes: Array(FileManager.default.contents(atPath: seeds + "/" + name)!)) }
        return names
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
