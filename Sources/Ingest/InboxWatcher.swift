import Glibc

/// What inotify said about the inbox since the last read.
public struct InboxChanges: Sendable, Equatable {
    /// Names closed after writing or renamed into the inbox, in order, each once.
    public var names: [InboxName] = []
    /// The kernel's event queue overflowed: events were lost, so the inbox must be rescanned.
    public var overflowed = false
}

/// Watches one directory for files that are complete: closed after writing (`IN_CLOSE_WRITE`)
/// or renamed in (`IN_MOVED_TO`). Non-blocking; poll `fileDescriptor` for readability.
public final class InboxWatcher {
    public let fileDescriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(directory: String) throws {
        fileDescriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fileDescriptor >= 0 else { throw SpoolError(operation: "inotify_init1", path: directory, code: errno) }
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_ONLYDIR)
        if inotify_add_watch(fileDescriptor, directory, mask) < 0 {
            let code = errno
            close(fileDescriptor)
            throw SpoolError(operation: "inotify_add_watch", path: directory, code: code)
        }
    }

    deinit { close(fileDescriptor) }

    /// Reads every queued event without blocking.
    public func read() -> InboxChanges {
        var changes = InboxChanges()
        var seen: Set<InboxName> = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
                while offset + 16 <= count {
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { changes.overflowed = true }
                    if length > 0, mask & UInt32(IN_ISDIR) == 0 {
                        let name = InboxName(bytes: Array(raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }))
                        // One atomic write can yield CLOSE_WRITE and MOVED_TO under the same name.
                        if !Spool.isIgnored(name), seen.insert(name).inserted { changes.names.append(name) }
                    }
                    offset += 16 + length
                }
            }
        }
        return changes
    }
}
