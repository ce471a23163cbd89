import Glibc

/// Appends bytes to a file whole or not at all, the way the journal, the JSONL outputs and the
/// alert file sink write: every byte (a short write is carried on, an interrupted one retried),
/// then `fdatasync` if asked. When either fails (a full disk), the file is cut back to where it
/// ended, so a retry of the same bytes leaves neither a torn record nor a repeated one.
public enum WholeAppend {
    /// Which call failed (`write` or `fdatasync`) and its errno.
    public struct Failure: Error, Sendable {
        public let operation: String
        public let code: Int32
        /// "write /path: No space left on device".
        public func describe(_ path: String) -> String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    /// Appends `bytes` to `descriptor` (opened `O_APPEND`), whose file ends at `end` now.
    public static func append(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, endingAt end: off_t, sync: Bool) throws {
        func failed(_ operation: String) -> Failure {
            let failure = Failure(operation: operation, code: errno)
            _ = ftruncate(descriptor, end)
            return failure
        }
        var written = 0
        while written < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failed("write") }
            written += count
        }
        if sync && fdatasync(descriptor) != 0 { throw failed("fdatasync") }
    }

    /// The same, for a file whose end is not tracked: it is asked for first.
    public static func append(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, sync: Bool) throws {
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw Failure(operation: "lseek", code: errno) }
        try append(bytes, to: descriptor, endingAt: end, sync: sync)
    }
}
