import Foundation
import Synchronization
import Testing

@testable import MarsadStream

/// Thread names as the kernel shows them (`/proc/<pid>/task/<tid>/comm`, read by `top -H` and `ps -L`).
@Suite struct NamedThreadTests {
    @Test func aStartedThreadCarriesItsNameInTheKernel() throws {
        let seen = Mutex<String?>(nil)
        let release = DispatchSemaphore(value: 0)
        NamedThread.start("test-named") {
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            seen.withLock { $0 = comm?.trimmingCharacters(in: .newlines) }
            release.signal()
        }
        #expect(release.wait(timeout: .now() + 10) == .success)
        #expect(seen.withLock { $0 } == "test-named")
    }

    @Test func longNamesAreCutToFifteenBytesAtACharacterBoundary() {
        #expect(NamedThread.kernelName("archive-labels") == "archive-labels")
        #expect(NamedThread.kernelName("a-name-longer-than-fifteen") == "a-name-longer-t")
        // Arabic letters are two bytes each: seven fit, the eighth would split.
        #expect(NamedThread.kernelName("مرصد-الأخبار") == "مرصد-الأ")
        #expect(NamedThread.kernelName("مرصد-الأخبار").utf8.count <= NamedThread.kernelNameLimit)
    }
}
