/// How long a stage waits before it tries a write again that failed for want of storage (a full
/// disk, a read-only remount): half a second, doubling at each failure, at most 30 s. Short enough
/// to go on soon after an operator frees space, long enough not to flood the log meanwhile.
public enum RetryPause {
    /// The pause after the `attempt`-th failure in a row (1, 2, …), in milliseconds.
    public static func milliseconds(afterAttempt attempt: Int) -> Int {
        min(500 << min(max(attempt, 1) - 1, 6), 30_000)
    }
}
