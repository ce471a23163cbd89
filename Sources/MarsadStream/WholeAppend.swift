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
            if count == 0 { errno = EIO }  // nothing written and no error: not to be retried forever
            guard count > 0 else { throw failed("write") }
            written += count
        }
        if sync && fdatasync(descriptor) != 0 { throw failed("fdatasync") }
    }

    /// The same, for a file of whole lines whose end is not tracked (a JSONL output, the alert
    /// file): it ends after its last newline, and a torn line after it (a failed write whose
    /// cut-back failed too) is cut off first, so the next line never continues a torn one.
    public static func appendLines(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, sync: Bool) throws {
        var end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw Failure(operation: "lseek", code: errno) }
        let whole = try endOfLastLine(descriptor, size: end)
        if whole < end {
            guard ftruncate(descriptor, whole) == 0 else { throw Failure(operation: "ftruncate", code: errno) }
            end = whole
        }
        try append(bytes, to: descriptor, endingAt: end, sync: sync)
    }

    /// Where the last whole line of the first `size` bytes ends (0 when there is none).
    public static func endOfLastLine(_ descriptor: Int32, size: off_t) throws -> off_t {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var end = size
        while end > 0 {
            let start = max(0, end - off_t(buffer.count))
            let wanted = Int(end - start)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, start) }
            if count < 0 && errno == EINTR { continue }
            guard count == wanted else { throw Failure(operation: "read", code: count < 0 ? errno : EIO) }
            if let newline = buffer[..<wanted].lastIndex(of: 0x0A) { return start + off_t(newline) + 1 }
            end = start
        }
        return 0
    }
}
