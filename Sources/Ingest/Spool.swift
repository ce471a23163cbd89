import CLinux
import Foundation
import Glibc
import MarsadConfig

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
            try Directories.create(directory, for: "the spool", setting: "[spool] dir (or --spool)")
        }
    }

    /// Whether a name in `inbox/` is not (yet) an article: dotfiles and `*.part`/`*.tmp` are
    /// still being written and are taken once renamed.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.contains("/")
    }

    /// Whether a raw name in `inbox/` is not (yet) an article (see `isIgnored(_:)`).
    public static func isIgnored(_ name: InboxName) -> Bool {
        isIgnored(name.displayName)
    }

    /// Names in `directory`, sorted, ignored names left out.
    public func names(in directory: String) -> [String] {
        (try? listing(directory)) ?? []
    }

    /// The same, for a directory that must be read (what waits in `processing/`): a directory
    /// that cannot be opened (out of descriptors, a failing disk) is an error, not an empty list.
    public func listing(_ directory: String) throws -> [String] {
        try Self.entries(of: directory).map { String(decoding: $0, as: UTF8.self) }.filter { !Self.isIgnored($0) }.sorted()
    }

    /// The names in `directory` as bytes, `.` and `..` left out.
    private static func entries(of directory: String) throws -> [[UInt8]] {
        guard let stream = opendir(directory) else { throw SpoolError(operation: "list", path: directory, code: errno) }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(bytes)
        }
        return names
    }

    /// The names in `inbox/` as the file system has them (bytes, which need not be UTF-8), ignored
    /// names left out, unsorted.
    public func inboxNames() -> [InboxName] {
        ((try? Self.entries(of: inbox)) ?? []).map { InboxName(bytes: $0) }.filter { !Self.isIgnored($0) }
    }

    /// `lstat` of `inbox/name`, or `nil` if it is gone.
    public func status(ofInbox name: InboxName) -> stat? {
        var status = stat()
        let found = name.withPath(in: inbox) { lstat($0, &status) == 0 }
        return found ? status : nil
    }

    /// Claims `inbox/name` by renaming it into `processing/`. Returns the name it has there
    /// (its display name, suffixed if `processing/` already holds that name), or `nil` if it is
    /// gone — another event or scan claimed it first.
    public func claim(_ name: InboxName) throws -> String? {
        var target = name.displayName
        var attempt = 0
        while true {
            let result = name.withPath(in: inbox) { source in marsad_rename_noreplace(source, processing + "/" + target) }
            if result == 0 { return target }
            let code = errno
            if code == ENOENT { return nil }
            guard code == EEXIST, attempt < 1000 else {
                throw SpoolError(operation: "rename", path: inbox + "/" + name.displayName + " → " + processing + "/" + target, code: code)
            }
            attempt += 1
            target = Self.suffixed(name.displayName, attempt)
        }
    }

    /// Moves `processing/name` to `done/`; returns its final name.
    @discardableResult
    public func complete(_ name: String) throws -> String {
        try move(name, from: processing, to: done)
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
    /// A name too long for `.error.json` beside it is shortened (`Spool.fitted`); the report
    /// keeps the full name.
    /// A move that fails takes its report back, so a quarantine tried again (after the storage
    /// retry's pause) leaves one report, not one more per attempt.
    @discardableResult
    public func quarantine(_ name: String, report: Data) throws -> String {
        let finalName = availableName(name, in: failed, reserving: Self.reportSuffix.utf8.count)
        let reportPath = failed + "/" + finalName + Self.reportSuffix
        try writeAtomically(report, to: reportPath)
        do {
            return try move(name, from: processing, to: failed, preferredName: finalName)
        } catch {
            unlink(reportPath)
            throw error
        }
    }

    /// Writes `bytes` as `failed/<name>` with its report, both atomically, and returns the name
    /// used (shortened like `quarantine`'s) and whether it was written. An existing copy with the
    /// same bytes is left as it is (the same line quarantined again after a restart or a storage
    /// failure); one with other bytes (the same line number of another file of the same name) is
    /// kept, and this one takes the next free `.dup-<n>` name.
    @discardableResult
    public func quarantineCopy(_ name: String, bytes: [UInt8], report: Data) throws -> (name: String, written: Bool) {
        let reserving = Self.reportSuffix.utf8.count
        var finalName = Self.fitted(name, reserving: reserving)
        var attempt = 0
        while FileManager.default.fileExists(atPath: failed + "/" + finalName) {
            if FileManager.default.contents(atPath: failed + "/" + finalName) == Data(bytes) { return (finalName, false) }
            attempt += 1
            finalName = Self.suffixed(name, attempt, reserving: reserving)
        }
        try writeAtomically(report, to: failed + "/" + finalName + Self.reportSuffix)
        try writeAtomically(Data(bytes), to: failed + "/" + finalName)
        return (finalName, true)
    }

    static let reportSuffix = ".error.json"

    /// Writes through a short hidden temporary name in `failed/` (never in the way of the inbox
    /// rules, never too long), then renames it into place.
    private func writeAtomically(_ contents: Data, to path: String) throws {
        let temporary = failed + "/.write-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: contents) else {
            throw SpoolError(operation: "write", path: temporary, code: errno)
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw SpoolError(operation: "rename", path: path, code: code)
        }
    }

    private func move(_ name: String, from source: String, to destination: String, preferredName: String? = nil) throws -> String {
        var target = preferredName ?? name
        var attempt = 0
        while true {
            if marsad_rename_noreplace(source + "/" + name, destination + "/" + target) == 0 { return target }
            let code = errno
            guard code == EEXIST, attempt < 1000 else {
                throw SpoolError(operation: "rename", path: source + "/" + name + " → " + destination + "/" + target, code: code)
            }
            attempt += 1
            target = Self.suffixed(name, attempt)
        }
    }

    private func availableName(_ name: String, in directory: String, reserving: Int) -> String {
        var candidate = Self.fitted(name, reserving: reserving)
        var attempt = 0
        while FileManager.default.fileExists(atPath: directory + "/" + candidate)
            || FileManager.default.fileExists(atPath: directory + "/" + candidate + Self.reportSuffix)
        {
            attempt += 1
            candidate = Self.suffixed(name, attempt, reserving: reserving)
        }
        return candidate
    }

    /// The longest name a Linux file system takes, in bytes (NAME_MAX).
    public static let nameMax = 255

    /// `a.txt` → `a.dup-1.txt`: a second file of the same name never replaces the first. The
    /// result, plus `reserving` bytes, fits in `nameMax` (shortened like `fitted`).
    public static func suffixed(_ name: String, _ attempt: Int, reserving: Int = 0) -> String {
        let (stem, dottedExtension) = split(name)
        return fitted(stem: stem, tail: ".dup-\(attempt)" + dottedExtension, fullName: name, reserving: reserving)
    }

    /// `name` itself when it and `reserving` more bytes fit in `nameMax`; otherwise its stem cut at
    /// a character boundary and marked `~<8 hex digits of a hash of the whole name>`, extension
    /// kept: different long names stay different, the same name always gets the same short form.
    public static func fitted(_ name: String, reserving: Int = 0) -> String {
        if name.utf8.count + reserving <= nameMax { return name }
        let (stem, dottedExtension) = split(name)
        return fitted(stem: stem, tail: dottedExtension, fullName: name, reserving: reserving)
    }

    private static func fitted(stem: Substring, tail: String, fullName: String, reserving: Int) -> String {
        if stem.utf8.count + tail.utf8.count + reserving <= nameMax { return stem + tail }
        var hash: UInt32 = 2_166_136_261
        for byte in fullName.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let mark = "~" + String(hash, radix: 16).leftPadded(to: 8)
        let budget = max(0, nameMax - reserving - tail.utf8.count - mark.utf8.count)
        var kept = ""
        for character in stem.unicodeScalars {
            if kept.utf8.count + String(character).utf8.count > budget { break }
            kept.unicodeScalars.append(character)
        }
        return kept + mark + tail
    }

    /// `a.b.txt` → (`a.b`, `.txt`); a leading dot or an extension longer than 16 bytes is no
    /// extension.
    private static func split(_ name: String) -> (stem: Substring, dottedExtension: String) {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex, name.utf8.distance(from: dot, to: name.endIndex) <= 16 {
            return (name[..<dot], String(name[dot...]))
        }
        return (name[...], "")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A name in `inbox/` exactly as the file system has it: bytes, which need not be UTF-8 (nor
/// fit Swift's `String`), and the name Marsad gives it from `processing/` on.
public struct InboxName: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// The bytes as text when they are UTF-8; otherwise the valid parts as text and each byte
    /// that is not UTF-8 as `%XX`, so `bad-\xFF.txt` is claimed as `bad-%FF.txt`. Never longer
    /// than `Spool.nameMax` bytes.
    public let displayName: String

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        if let text = String(validating: bytes, as: UTF8.self) {
            displayName = text
        } else {
            displayName = Spool.fitted(Self.escaped(bytes))
        }
    }

    public init(_ name: String) {
        self.init(bytes: Array(name.utf8))
    }

    public var description: String { displayName }

    private static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<(offset + length)] {
                    text += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
                offset += length
            case .emptyInput:
                break loop
            }
        }
        return text
    }

    /// Calls `body` with the NUL-terminated path `directory/<bytes>`.
    func withPath<Result>(in directory: String, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        let path = Array(directory.utf8) + [UInt8(ascii: "/")] + bytes + [0]
        return path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}

/// A file-system operation on the spool failed.
public struct SpoolError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }

    /// Whether the file system itself fails (full, read-only, failing), rather than one file
    /// (made immutable, owned by another user in a sticky inbox, a name that never frees).
    public var isStorageWide: Bool { [EROFS, ENOSPC, EDQUOT, EIO].contains(code) }
}
