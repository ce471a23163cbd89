import CLinux
import Foundation
import Glibc

/// The drop directory: `inbox/` → `processing/` → `done/` or `failed/`.
///
/// Every move is an atomic rename that never replaces an existing file, so a file is always in
/// exactly one directory, whatever instant the process dies at.
public struct Spool: Sendable {
    public let root: String
    public var inbox: String { root + "/inbox" }
    public var processing: String { root + "/processing" }
    public var done: String { root + "/done" }
    public var failed: String { root + "/failed" }

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardized.path
    }

    /// Creates the four directories if they are missing.
    public func prepare() throws {
        for directory in [inbox, processing, done, failed] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// Whether a name in `inbox/` is not (yet) an article: dotfiles and `*.part`/`*.tmp` are
    /// still being written and are taken once renamed.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.contains("/")
    }

    /// Names in `directory`, sorted, ignored names left out.
    public func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !Self.isIgnored($0) }.sorted()
    }

    /// Claims `inbox/name` by renaming it into `processing/`. Returns the name it has there
    /// (suffixed if `processing/` already holds that name), or `nil` if it is gone — another
    /// event or scan claimed it first.
    public func claim(_ name: String) throws -> String? {
        try move(name, from: inbox, to: processing, missingIsNil: true)
    }

    /// Moves `processing/name` to `done/`; returns its final name.
    @discardableResult
    public func complete(_ name: String) throws -> String {
        try move(name, from: processing, to: done, missingIsNil: false)!
    }

    /// Deletes `processing/name` (when processed files are not kept).
    public func delete(_ name: String) throws {
        if unlink(processing + "/" + name) != 0 && errno != ENOENT {
            throw SpoolError(operation: "delete", path: processing + "/" + name, code: errno)
        }
    }

    /// Quarantines `processing/name` in `failed/` with `<name>.error.json` beside it. The
    /// report is written first: a crash in between leaves the file in `processing/`, to be
    /// tried again, never a file in `failed/` without its reason.
    @discardableResult
    public func quarantine(_ name: String, report: Data) throws -> String {
        let finalName = availableName(name, in: failed)
        let reportPath = failed + "/" + finalName + ".error.json"
        let temporary = failed + "/." + finalName + ".error.json.tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: report) else {
            throw SpoolError(operation: "write", path: temporary, code: errno)
        }
        if rename(temporary, reportPath) != 0 { throw SpoolError(operation: "rename", path: reportPath, code: errno) }
        return try move(name, from: processing, to: failed, missingIsNil: false, preferredName: finalName)!
    }

    /// Writes `bytes` as `failed/<name>` with its report, both atomically; an existing
    /// `failed/<name>` is left as it is (the same line quarantined again after a restart).
    public func quarantineCopy(_ name: String, bytes: [UInt8], report: Data) throws {
        let target = failed + "/" + name
        if FileManager.default.fileExists(atPath: target) { return }
        for (path, contents) in [(target + ".error.json", report), (target, Data(bytes))] {
            let temporary = failed + "/." + (path as NSString).lastPathComponent + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: contents) else {
                throw SpoolError(operation: "write", path: temporary, code: errno)
            }
            if rename(temporary, path) != 0 { throw SpoolError(operation: "rename", path: path, code: errno) }
        }
    }

    private func move(_ name: String, from source: String, to destination: String, missingIsNil: Bool, preferredName: String? = nil) throws -> String?
    {
        var target = preferredName ?? name
        var attempt = 0
        while true {
            if marsad_rename_noreplace(source + "/" + name, destination + "/" + target) == 0 { return target }
            let code = errno
            if code == ENOENT && missingIsNil { return nil }
            guard code == EEXIST, attempt < 1000 else {
                throw SpoolError(operation: "rename", path: source + "/" + name + " → " + destination + "/" + target, code: code)
            }
            attempt += 1
            target = Self.suffixed(name, attempt)
        }
    }

    private func availableName(_ name: String, in directory: String) -> String {
        var candidate = name
        var attempt = 0
        while FileManager.default.fileExists(atPath: directory + "/" + candidate)
            || FileManager.default.fileExists(atPath: directory + "/" + candidate + ".error.json")
        {
            attempt += 1
            candidate = Self.suffixed(name, attempt)
        }
        return candidate
    }

    /// `a.txt` → `a.dup-1.txt`: a second file of the same name never replaces the first.
    static func suffixed(_ name: String, _ attempt: Int) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(name[..<dot]).dup-\(attempt)\(name[dot...])"
        }
        return "\(name).dup-\(attempt)"
    }
}

/// A file-system operation on the spool failed.
public struct SpoolError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
