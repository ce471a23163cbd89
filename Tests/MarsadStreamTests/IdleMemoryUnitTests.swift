import Testing

@testable import MarsadStream

/// When a stage looks whether to hand freed memory back: once per burst, after a quiet second.
@Suite struct IdleMemoryUnitTests {
    func quiet(_ memory: inout IdleMemory, _ now: UInt64) -> Bool { memory.isDue(now: now) }

    @Test func looksOncePerBurstAfterTheQuietPeriod() {
        var memory = IdleMemory(afterMilliseconds: 1_000)
        #expect(quiet(&memory, 5_000) == false)  // nothing done yet
        memory.worked(now: 10_000)
        #expect(quiet(&memory, 10_500) == false)  // too soon
        memory.worked(now: 10_600)  // a trickle keeps pushing it back
        #expect(quiet(&memory, 11_500) == false)
        #expect(quiet(&memory, 11_600) == true)
        #expect(quiet(&memory, 20_000) == false)  // once per burst
        memory.worked(now: 30_000)
        #expect(quiet(&memory, 31_000) == true)
    }

    @Test func trimsOnlyPastTheThreshold() {
        // Nothing near 1 TB is free: due, but not worth a trim.
        var memory = IdleMemory(afterMilliseconds: 0, thresholdBytes: 1 << 40)
        memory.worked(now: 1)
        let tooLittle = memory.quiet(now: 1)
        #expect(!tooLittle)
        // Any free memory at all is past a threshold of -1.
        var eager = IdleMemory(afterMilliseconds: 0, thresholdBytes: -1)
        eager.worked(now: 1)
        let trimmed = eager.quiet(now: 1)
        #expect(trimmed)
    }
}
