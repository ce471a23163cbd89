import Foundation
import Testing

/// A pyzmq program that knows only docs/wire.md receives and decodes records by entity topic.
@Suite struct ThirdPartyClientTests {
    @Test func aPyzmqSubscriberReceivesRecordsByEntityTopic() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import zmq"]
        try check.run()
        check.waitUntilExit()
        try #require(check.terminationStatus == 0, "pyzmq is not installed: run `python3 -m pip install pyzmq` (scripts/test.sh does)")

        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))

        let (client, read) = try PythonClient.start(
            "Tests/python/wire_subscriber.py", [workspace.endpoint, "3", "entity.org.pentagon.", "entity.per.sergei-shoigu."], in: workspace)
        defer { if client.isRunning { client.terminate() } }
        #expect(waitUntil(timeout: 20) { read().hasPrefix("LIVE") }, "client never went live")

        // 000, 001 and 004 name the Pentagon, 001 also Shoigu; 003 names neither and must not arrive.
        let seeds = MarsadProcess.packageRoot.appendingPathComponent("seeds").path
        for name in ["000_6137f2710a422ad6.txt", "001_12a26c16c15d3239.txt", "003_37c9bb5fdf71ec70.txt", "004_e7fe13eef03437ae.txt"] {
            try workspace.drop(name, bytes: Array(FileManager.default.contents(atPath: seeds + "/" + name)!))
        }
        #expect(waitUntil(timeout: 30) { !client.isRunning }, "client still waiting; output:\n\(read())")
        #expect(client.terminationStatus == 0)
        let records = read().split(separator: "\n").dropFirst().map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(records.count == 3)
        let topicsBySeq = records.map { ($0["topics"] as! [String]) }
        #expect(topicsBySeq.allSatisfy { $0.contains("entity.org.pentagon.") })
        // Seed 001 reached the client on both subscribed topics, and was reported once.
        #expect(topicsBySeq.contains { Set($0) == ["entity.org.pentagon.", "entity.per.sergei-shoigu."] })
        #expect(!records.contains { ($0["title"] as! String).hasPrefix("أمريكا تقرر") })
    }
}

/// A pyzmq program that knows only docs/wire.md replays what it missed and then follows live,
/// subscribed to a prefix only, without a gap or a duplicate.
@Suite struct ThirdPartyReplayTests {
    @Test func aPyzmqDurableSubscriberReplaysThenFollowsLive() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))
        let generator = MarsadProcess.packageRoot.appendingPathComponent("scripts/generate_articles.py").path
        func generate(_ count: Int, start: Int) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", generator, "--out", workspace.inbox, "-n", "\(count)", "--start", "\(start)", "--tiny"]
            try process.run()
            process.waitUntilExit()
        }
        // 300 before the client exists: even-numbered tiny articles name an organisation.
        try generate(300, start: 0)
        #expect(waitUntil(timeout: 60) { workspace.names(in: "done").count == 300 })

        let (client, read) = try PythonClient.start("Tests/python/replay_subscriber.py", [workspace.endpoint, "200", "entity.org."], in: workspace)
        defer { if client.isRunning { client.terminate() } }
        #expect(waitUntil(timeout: 30) { read().split(separator: "\n").count >= 150 }, "client output:\n\(read())")
        try generate(100, start: 300)
        #expect(waitUntil(timeout: 60) { !client.isRunning }, "client output:\n\(read())")
        #expect(client.terminationStatus == 0)
        let lines = read().split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let seqs = lines.map { $0["seq"] as! Int }
        #expect(seqs.count == 200)
        #expect(seqs == seqs.sorted() && Set(seqs).count == 200)
        #expect(Set(lines.map { $0["id"] as! String }).count == 200)
        #expect(lines.prefix(150).allSatisfy { $0["via"] as? String == "replay" })
    }
}

/// A Python program of the repository run as a child process, its standard output in a file.
enum PythonClient {
    /// Starts `python3 script arguments…`; returns the process and a reader of its output so far.
    static func start(_ script: String, _ arguments: [String], in workspace: Workspace) throws -> (Process, () -> String) {
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", MarsadProcess.packageRoot.appendingPathComponent(script).path] + arguments
        let output = workspace.root + "/\(UUID().uuidString.prefix(6)).out"
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        client.standardOutput = FileHandle(forWritingAtPath: output)
        try client.run()
        return (client, { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" })
    }
}
