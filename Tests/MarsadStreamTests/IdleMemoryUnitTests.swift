import Testing

@testable import MarsadStream

/// When a stage hands freed memory back: once per burst, after a quiet second.
@Suite struct IdleMemoryUnitTests {
    func quiet(_ memory: inout IdleMemory, _ now: UInt64) -> Bool { memory.quiet(now: now) }

    @Test func trimsOncePerBurstAfterTheQuietPeriod() {
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
}
