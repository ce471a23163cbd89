import ArticleParsing
import Foundation
import Glibc
import MarsadRecord

/// Why a claimed file could not be read or parsed: what goes into `<name>.error.json`.
public struct IngestFailure: Error, Sendable, Equatable {
    /// A stable code: `empty`, `binary`, `not_regular_file`, …
    public let reason: String
    public let message: String
    public let hint: String
    /// `read` or `parse`.
    public let stage: String
    /// The errno of a failure of this process rather than of the file (out of descriptors or
    /// memory): the file is not quarantined but tried again, like a batch on a full disk.
    public var transientCode: Int32?

    /// Errors of `open` that say nothing about the file.
    static let transientCodes: Set<Int32> = [EMFILE, ENFILE, ENOMEM]

    public init(_ failure: ParseFailure) {
        self.init(reason: failure.code, message: failure.description, hint: failure.hint, stage: "parse")
    }

    public init(reason: String, message: String, hint: String, stage: String) {
        self.reason = reason
        self.message = message
        self.hint = hint
        self.stage = stage
    }
}

/// Reads a claimed file without following symlinks, without blocking on FIFOs and without
/// reading more than the size limit.
public enum ArticleFileReader {
    public static func read(path: String, maxBytes: Int) throws(IngestFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ELOOP {
                throw IngestFailure(
                    reason: "symlink", message: "the file is a symbolic link, which Marsad never follows",
                    hint: "drop the article itself, not a link to it", stage: "read")
            }
            var failure = IngestFailure(
                reason: "unreadable", message: "cannot open: \(String(cString: strerror(code)))", hint: "check the file's permissions", stage: "read")
            if IngestFailure.transientCodes.contains(code) { failure.transientCode = code }
            throw failure
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw IngestFailure(
                reason: "unreadable", message: "cannot stat: \(String(cString: strerror(errno)))", hint: "check the file", stage: "read")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw IngestFailure(reason: "not_regular_file", message: "not a regular file", hint: "drop plain files only", stage: "read")
        }
        let size = Int(status.st_size)
        if size > maxBytes { throw IngestFailure(ParseFailure.tooLarge(size: size, limit: maxBytes)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, size - filled) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                throw IngestFailure(
                    reason: "unreadable", message: "read failed: \(String(cString: strerror(errno)))", hint: "check the file", stage: "read")
            }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes.prefix(filled))
    }

    /// Reads the file at `path` (named `name`) and builds its records (one, or one per line of a
    /// `.jsonl` file), or says why the file cannot be read at all.
    public static func records(
        path: String, name: String, maxBytes: Int, builder: RecordBuilder, receivedAt: Date = Date()
    ) throws(IngestFailure)
        -> [RecordOutcome]
    {
        try checkType(of: name)
        let bytes = try read(path: path, maxBytes: maxBytes)
        do throws(ParseFailure) {
            return try builder.records(for: SourceFile(name: name, bytes: bytes, receivedAt: receivedAt))
        } catch {
            throw IngestFailure(error)
        }
    }

    /// Reads the file at `path` and builds its one record (the first, for a `.jsonl` file), or
    /// says why it cannot be one.
    public static func record(path: String, name: String, maxBytes: Int, builder: RecordBuilder) throws(IngestFailure) -> ArticleRecord {
        let outcomes = try records(path: path, name: name, maxBytes: maxBytes, builder: builder)
        guard let first = outcomes.first else { throw IngestFailure(ParseFailure.empty) }
        do throws(ParseFailure) {
            return try first.result.get()
        } catch {
            throw IngestFailure(error)
        }
    }

    /// Refuses names whose extension the parser does not read.
    public static func checkType(of name: String) throws(IngestFailure) {
        guard ArticleFormat(fileName: name) != nil else {
            throw IngestFailure(ParseFailure.unsupportedType(ArticleFormat.dottedExtension(of: name)))
        }
    }
}
