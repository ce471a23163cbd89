import Foundation
import Testing

/// `marsad status`, `marsad replay`, `marsad keygen` and CURVE, against a real daemon.
@Suite struct StreamToolsTests {
    @Test func statusShowsTheJournalAndEachConsumersLagAndReplayPrintsARange() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))
        try workspace.dropSeeds()
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done").count == 5 })
        let worker = try MarsadProcess(
            ["worker", "jsonl", "--config", workspace.config, "--output", workspace.root + "/sdf.jsonl", "--name", "sdf", "entity.org.sdf."],
            workDirectory: workspace.root)
        #expect(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: workspace.state + "/consumers/sdf.json") })
        worker.signal(SIGTERM)
        #expect(worker.waitForExit() == 0)

        let status = try MarsadProcess(["status", "--config", workspace.config, "--json"], workDirectory: workspace.root)
        #expect(status.waitForExit() == 0, "\(status.log)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        let stream = try #require((report["streams"] as? [[String: Any]])?.first)
        #expect(stream["stream"] as? String == "ingest")
        #expect(stream["first"] as? Int == 1)
        #expect(stream["head"] as? Int == 5)
        let consumer = try #require((report["consumers"] as? [[String: Any]])?.first)
        #expect((consumer["status"] as? [String: Any])?["name"] as? String == "sdf")
        #expect(consumer["lag"] as? Int == 0)

        let replay = try MarsadProcess(
            ["replay", "--config", workspace.config, "--from", "2", "--to", "4", "--json"], workDirectory: workspace.root)
        #expect(replay.waitForExit() == 0, "\(replay.log)")
        let titles = try replay.output.split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["title"] as! String
        }
        #expect(titles.count == 3)
        #expect(titles[0].hasPrefix("البنتاجون: لم نتلقَ"))
    }

    @Test func curveAdmitsAnAllowedClientAndGivesAnUnknownKeyNothing() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        for name in ["server", "reader", "stranger"] {
            let keygen = try MarsadProcess(["keygen", workspace.root + "/" + name], workDirectory: workspace.root)
            #expect(keygen.waitForExit() == 0, "\(keygen.log)")
        }
        let key = { (name: String) in
            try String(contentsOfFile: workspace.root + "/\(name).pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try (try key("reader") + "\n").write(toFile: workspace.root + "/allowed", atomically: true, encoding: .utf8)
        let serverConfig =
            try String(contentsOfFile: workspace.config, encoding: .utf8)
            .replacingOccurrences(of: "[ingest]\n", with: "[ingest]\npublish = \"tcp://127.0.0.1:*\"\nreplay = \"tcp://127.0.0.1:*\"\n")
            + "\n[curve]\nserver_key_file = \"server.key\"\nallowed_clients_file = \"allowed\"\n"
        try serverConfig.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"), "\(daemon.log)")
        #expect(daemon.log.contains("curve=true"))
        let publish = try #require(daemon.log.firstMatch(of: /publish=(tcp:\/\/127\.0\.0\.1:\d+)/)?.1)

        func clientConfig(_ name: String) throws -> String {
            let path = workspace.root + "/\(name).toml"
            try
                "[state]\ndir = \"\(workspace.root)/\(name)-state\"\n[curve]\nclient_key_file = \"\(name).key\"\nserver_public_key = \"\(try key("server"))\"\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let reader = try MarsadProcess(
            ["worker", "jsonl", "--config", try clientConfig("reader"), "--connect", String(publish), "--output", workspace.root + "/reader.jsonl"],
            workDirectory: workspace.root)
        let stranger = try MarsadProcess(
            [
                "worker", "jsonl", "--config", try clientConfig("stranger"), "--connect", String(publish), "--output",
                workspace.root + "/stranger.jsonl",
            ],
            workDirectory: workspace.root)
        try workspace.dropSeeds()
        let lines = { (name: String) in
            ((try? String(contentsOfFile: workspace.root + "/\(name).jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        #expect(waitUntil(timeout: 30) { lines("reader") == 5 }, "reader log:\n\(reader.log)\ndaemon log:\n\(daemon.log)")
        usleep(1_000_000)
        #expect(lines("stranger") == 0)
        #expect(daemon.log.contains("refused a client"))
        #expect(stranger.process.isRunning)
    }

    @Test func checkRefusesPlainTcpOffLoopbackWithTheKeyAndTheFix() throws {
        let workspace = try Workspace(extraConfig: "publish = \"tcp://0.0.0.0:7411\"")
        defer { workspace.remove() }
        let check = try MarsadProcess(["check", workspace.config], workDirectory: workspace.root)
        #expect(check.waitForExit() == 78)
        #expect(check.log.contains("ingest.publish: plain tcp on the non-loopback address \"0.0.0.0\""))
        #expect(check.log.contains("marsad keygen"))
    }

    @Test func keyFilesReadableByOthersAreRefused() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let keygen = try MarsadProcess(["keygen", workspace.root + "/loose"], workDirectory: workspace.root)
        #expect(keygen.waitForExit() == 0)
        #expect(chmod(workspace.root + "/loose.key", 0o644) == 0)
        try (try String(contentsOfFile: workspace.root + "/loose.pub", encoding: .utf8)).write(
            toFile: workspace.root + "/allowed", atomically: true, encoding: .utf8)
        let config =
            try String(contentsOfFile: workspace.config, encoding: .utf8)
            + "\n[curve]\nserver_key_file = \"loose.key\"\nallowed_clients_file = \"allowed\"\n"
        try config.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForExit() != 0)
        #expect(daemon.log.contains("the secret key file is readable by others (mode 644)"))
        #expect(daemon.log.contains("chmod 600"))
    }
}
