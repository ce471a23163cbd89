import Foundation
import Glibc

/// One process's exclusive claim on a directory that only one process may work in: a stream's
/// journal (two writers would interleave their records under the same seqs) or a spool (two
/// ingest daemons would both finish the files in `processing/`).
///
/// It is an `flock` on a lock file in the directory, which holds the owner's pid for the error
/// the next claimant gets. The kernel releases it when the owner's descriptor closes, however the
/// process ends (SIGKILL and power cuts included), so a lock file left behind never blocks a
/// restart. The claim lasts as long as this object.
public final class OwnerLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// Claims `path` (created if missing). `what` names the directory in the error (e.g. "the
    /// journal of stream \"ingest\""), `risk` says what two owners would do, and `fix` how to
    /// give this process a directory of its own.
    public init(path: String, what: String, risk: String, fix: String) throws {
        self.path = path
        // Held read-only: a descriptor open for writing would keep the file system from being
        // remounted read-only (EBUSY), which a stage must survive (see StorageRetry).
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw OwnerLockError("cannot open the lock file \(path) of \(what): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            if failure == EWOULDBLOCK, holder?.pid == getpid() {
                throw OwnerLockError("\(what) is already open in this process. The lock is \(path).")
            }
            if failure == EWOULDBLOCK {
                throw OwnerLockError(
                    "\(what) is in use by another process (\(holder?.description ?? "whose pid \(path) does not hold")): two "
                        + "processes on it would \(risk). Stop that process first, or \(fix). The lock is \(path).")
            }
            throw OwnerLockError("cannot lock \(path) (\(what)): \(String(cString: strerror(failure)))")
        }
        let pid = Array("\(getpid())\n".utf8)
        let writer = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        let written = writer >= 0 ? pid.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } : -1
        let failure = errno
        if writer >= 0 { close(writer) }
        guard written == pid.count else {
            close(descriptor)
            throw OwnerLockError("cannot write the owner's pid to \(path): \(String(cString: strerror(failure)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The pid the lock file names, described as "pid 1234: marsad run --state …" from `/proc`;
    /// nil when the file names no pid.
    private static func holder(_ descriptor: Int32) -> (pid: Int32, description: String)? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0, let pid = Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        let command = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
            .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        return (pid, command.isEmpty ? "pid \(pid)" : "pid \(pid): \(command)")
    }
}

/// A directory is owned by another process, or its lock file cannot be used.
public struct OwnerLockError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
