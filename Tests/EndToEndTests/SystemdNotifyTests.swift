import Foundation
import Testing

/// `marsad ingest` and `marsad worker` speak sd_notify to a real notify socket, as systemd's
/// `Type=notify` and `WatchdogSec=` expect.
@Suite struct SystemdNotifyTests {
    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let descriptor: Int32
        let path: String

        init(abstract: Bool) throws {
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let name = "marsad-notify-\(UUID().uuidString.prefix(8))"
            path = abstract ? "@" + name : FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes: [UInt8] = abstract ? [0] + Array(name.utf8) : Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in for (index, byte) in bytes.enumerated() { buffer[index] = byte } }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            guard result == 0 else { throw TestFailure("bind \(path): errno \(errno)") }
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(descriptor)
            if !path.hasPrefix("@") { unlink(path) }
        }

        /// Collects notifications until one contains `text` or `timeout` passes.
        func wait(for text: String, timeout: TimeInterval = 20, into seen: inout [String]) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                let message = String(decoding: buffer.prefix(count), as: UTF8.self)
                seen.append(message)
                if message.contains(text) { return true }
            }
            return false
        }
    }

    @Test(arguments: [false, true])
    func ingestSaysReadyPetsTheWatchdogAndSaysStopping(abstract: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let notify = try NotifySocket(abstract: abstract)
        let daemon = try MarsadProcess(
            ["ingest", "--config", workspace.config], workDirectory: workspace.root,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        var seen: [String] = []
        #expect(notify.wait(for: "READY=1", into: &seen), "log:\n\(daemon.log)")
        #expect(seen.last?.contains("STATUS=watching \(workspace.spool)/inbox") == true)
        #expect(daemon.log.contains("ingest ready"))
        try workspace.drop("a.txt", text: "عنوان خبر عن العراق وسوريا\nفقرة عن الانسحاب من العراق.\n")
        #expect(notify.wait(for: "STATUS=published 1", into: &seen), "\(seen)")
        #expect(seen.last?.hasPrefix("WATCHDOG=1") == true)
        daemon.signal(SIGTERM)
        #expect(notify.wait(for: "STOPPING=1", into: &seen))
        #expect(daemon.waitForExit() == 0)
    }

    @Test func aWorkerSaysReadyOnceSubscribed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let notify = try NotifySocket(abstract: false)
        let worker = try MarsadProcess(
            ["worker", "jsonl", "--config", workspace.config, "--output", workspace.root + "/out.jsonl"], workDirectory: workspace.root,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        var seen: [String] = []
        #expect(notify.wait(for: "READY=1", into: &seen), "log:\n\(worker.log)")
        #expect(notify.wait(for: "WATCHDOG=1", into: &seen))
        worker.signal(SIGTERM)
        #expect(notify.wait(for: "STOPPING=1", into: &seen))
        #expect(worker.waitForExit() == 0)
    }
}
