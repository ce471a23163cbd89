import Foundation
import Glibc
import Synchronization

/// Talks to systemd's service manager over `$NOTIFY_SOCKET` (sd_notify(3), without libsystemd):
/// `READY=1` once a service can do its job, `STATUS=…` lines for `systemctl status`, `WATCHDOG=1`
/// from the real work loop, `STOPPING=1` on the way out. Without `$NOTIFY_SOCKET` (not run by
/// systemd, or not `Type=notify`) every call does nothing.
public final class SystemdNotifier: Sendable {
    /// The notifier of this process, from its environment.
    public static let shared = SystemdNotifier(environment: ProcessInfo.processInfo.environment)

    private let address: [UInt8]?
    /// Half of `$WATCHDOG_USEC`, in milliseconds: how often to send `WATCHDOG=1`; `nil` when
    /// no watchdog is configured for this process.
    public let watchdogIntervalMilliseconds: UInt64?
    private let lastWatchdog = Mutex<UInt64>(0)
    private let lastLoop = Mutex<UInt64>(0)

    /// When the work loop last called `watchdog` (monotonic milliseconds), whether or not systemd
    /// watches: the liveness `/healthz` reports. 0 until the loop first runs.
    public var lastLoopMilliseconds: UInt64 { lastLoop.withLock { $0 } }

    /// Monotonic milliseconds now.
    public static func monotonicMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }

    public init(environment: [String: String]) {
        if let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.hasPrefix("/") || path.hasPrefix("@") {
            // A leading @ names an abstract socket: a NUL first, and no NUL at the end.
            address = path.hasPrefix("@") ? [0] + Array(path.utf8.dropFirst()) : Array(path.utf8)
        } else {
            address = nil
        }
        let pidMatches = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0, pidMatches {
            watchdogIntervalMilliseconds = max(usec / 2000, 1)
        } else {
            watchdogIntervalMilliseconds = nil
        }
    }

    /// Whether a service manager is listening.
    public var isActive: Bool { address != nil }

    /// Sends one notification (lines `KEY=value` separated by newlines). Failures are ignored:
    /// the service must not stop because its manager cannot be told something.
    public func notify(_ state: String) {
        guard let address else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        guard address.count < capacity else { return }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
            for (index, byte) in address.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count + (address.first == 0 ? 0 : 1))
        let bytes = Array(state.utf8)
        _ = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                sendto(descriptor, bytes, bytes.count, 0, sockaddrPointer, length)
            }
        }
    }

    /// Sends `WATCHDOG=1` (with `status`, if given) when half the watchdog interval has passed
    /// since the last one. Call it from the loop that does the real work.
    public func watchdog(status: @autoclosure () -> String? = nil) {
        let milliseconds = Self.monotonicMilliseconds()
        lastLoop.withLock { $0 = milliseconds }
        guard let interval = watchdogIntervalMilliseconds, isActive else { return }
        let due = lastWatchdog.withLock { last in
            guard milliseconds >= last + interval else { return false }
            last = milliseconds
            return true
        }
        if due { notify("WATCHDOG=1" + (status().map { "\nSTATUS=" + $0 } ?? "")) }
    }
}
