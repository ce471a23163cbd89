import CLinux

/// Gives the memory a burst left free back to the system once a stage has been quiet for a
/// while. glibc keeps freed memory in its arenas, so without this a process stays at the size of
/// its largest burst for good (`marsad run` after 2,000 articles dropped at once: 136 MB of
/// resident memory while idle, against 78–81 MB with this).
///
/// Each stage's loop keeps one: `worked()` after a batch, `quiet()` when a wait for work found
/// none. On the first quiet call `after` milliseconds past the last batch it looks at how much
/// the allocator holds free, and trims only past `thresholdBytes`: after a burst (70 MB free
/// after 2,000 articles), not after each article of a trickle (1.3–2.4 MB at one article every
/// 1.4 s), where a trim would be wasted work and the next article would fault its pages back in.
public struct IdleMemory {
    public static let defaultAfterMilliseconds: UInt64 = 1_000
    public static let defaultThresholdBytes = 4 << 20
    let after: UInt64
    let thresholdBytes: Int
    private var lastWork: UInt64?

    public init(afterMilliseconds: UInt64 = IdleMemory.defaultAfterMilliseconds, thresholdBytes: Int = IdleMemory.defaultThresholdBytes) {
        after = afterMilliseconds
        self.thresholdBytes = thresholdBytes
    }

    public mutating func worked(now: UInt64 = StreamClock.monotonicMilliseconds()) { lastWork = now }

    /// Whether the stage worked since the last look and has been quiet long enough for another.
    mutating func isDue(now: UInt64) -> Bool {
        guard let last = lastWork, now >= last + after else { return false }
        lastWork = nil
        return true
    }

    /// Trims if due and the allocator holds more than `thresholdBytes` free; returns whether it
    /// trimmed.
    @discardableResult
    public mutating func quiet(now: UInt64 = StreamClock.monotonicMilliseconds()) -> Bool {
        guard isDue(now: now), marsad_free_heap_bytes() > thresholdBytes else { return false }
        _ = marsad_release_free_memory()
        return true
    }
}
