import Foundation
import Testing

/// glibc keeps freed memory in its arenas: without handing it back, a daemon stays at the size of
/// its largest burst for good. `marsad run` after a burst of 600 articles, its memory read from
/// `/proc/<pid>/status`.
@Suite struct IdleMemoryTests {
    /// The process's anonymous resident memory (`RssAnon`: its heap, not its mapped code) in MB.
    func heap(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }) else { return 0 }
        return (line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
    }

    @Test func memoryFreedAfterABurstGoesBackOnceTheStagesAreQuiet() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try MarsadProcess(["run", "--quiet", "--config", workspace.config], workDirectory: workspace.root)
        #expect(run.waitForLog("ingest ready"), "log:\n\(run.log)")

        let staging = workspace.root + "/staging"
        let generator = MarsadProcess.packageRoot.appendingPathComponent("scripts/generate_articles.py").path
        let generated = try runToEnd("/usr/bin/env", ["python3", generator, "--out", staging, "-n", "600"])
        #expect(generated.status == 0, "\(generated.errors)")
        let names = try FileManager.default.contentsOfDirectory(atPath: staging).filter { $0.hasSuffix(".txt") }
        #expect(names.count == 600)
        for name in names { #expect(rename(staging + "/" + name, workspace.inbox + "/" + name) == 0) }
        // The heap's peak while the burst goes through every stage.
        let idle = heap(run.pid)
        var peak = idle
        #expect(
            waitUntil(timeout: 240) {
                peak = max(peak, heap(run.pid))
                return workspace.names(in: "done").count == 600
            }, "log:\n\(run.log)")
        let settled = Date().addingTimeInterval(10)
        while Date() < settled {
            peak = max(peak, heap(run.pid))
            usleep(50_000)
        }
        #expect(peak > idle + 10, "the burst should grow the heap: \(idle) → \(peak) MB")

        // Once every stage has had a second without work, what the burst freed is handed back.
        // Without that, the heap stays at its peak (measured: 41.8 MB → 41.9 MB, idle 20.4 MB);
        // with it, it falls by the burst's transient memory and keeps what the stages still
        // hold (the word memos and caches a burst fills: 41.9 → 34.4 MB in a debug build).
        var now = peak
        #expect(
            waitUntil(timeout: 60) {
                now = heap(run.pid)
                return now < peak - 5
            }, "heap idle \(idle) MB, peak \(peak) MB, now \(now) MB")
        run.signal(SIGTERM)
        #expect(run.waitForExit(timeout: 60) == 0, "log:\n\(run.log)")
    }
}
