import Foundation
import Testing

/// The classify and alert workers as separate processes, as systemd runs them.
@Suite(.serialized) struct ClassifyAlertTests {
    /// The labels stream mirrored by a durable JSONL worker: every record once, with the article.
    func labelLines(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["record"] as? [String: Any]
        }
    }

    @Test func seedsAreLabelledWithEvidenceFromTheirTextOnTheirOwnStream() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let ingest = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        let classify = try MarsadProcess(["worker", "classify", "--config", workspace.config], workDirectory: workspace.root)
        let labels = "ipc://" + workspace.state + "/labels.pub"
        let all = workspace.root + "/labels.jsonl"
        let withdrawals = workspace.root + "/withdrawal.jsonl"
        let mirror = try MarsadProcess(
            ["worker", "jsonl", "--config", workspace.config, "--connect", labels, "--output", all, "labels."], workDirectory: workspace.root)
        let topic = try MarsadProcess(
            ["worker", "jsonl", "--config", workspace.config, "--connect", labels, "--output", withdrawals, "label.force_withdrawal."],
            workDirectory: workspace.root)
        #expect(ingest.waitForLog("ingest ready"))
        try workspace.dropSeeds()
        #expect(waitUntil(timeout: 60) { labelLines(all).count == 5 }, "classify log:\n\(classify.log)\nmirror log:\n\(mirror.log)")

        var bySeed: [String: [String: Any]] = [:]
        for record in labelLines(all) {
            #expect(record["schema"] as? String == "marsad.labels/1")
            let article = try #require(record["article"] as? [String: Any])
            let file = try #require((article["files"] as? [[String: Any]])?.first?["name"] as? String)
            bySeed[String(file.prefix(3))] = record
            // Every evidence span is the article's own text at its offsets.
            let title = try #require(article["title"] as? String)
            let paragraphs = try #require(article["paragraphs"] as? [String])
            for label in record["labels"] as? [[String: Any]] ?? [] {
                let evidence = try #require(label["evidence"] as? [[String: Any]])
                #expect(!evidence.isEmpty, "\(file): \(label["label"] ?? "") has no evidence")
                for item in evidence {
                    let text = item["field"] as? String == "title" ? title : paragraphs[item["paragraph"] as! Int]
                    let scalars = Array(text.unicodeScalars)
                    let start = item["start"] as! Int
                    let end = item["end"] as! Int
                    #expect(String(String.UnicodeScalarView(scalars[start..<end])) == item["text"] as? String)
                }
            }
        }
        func names(_ seed: String) -> Set<String> {
            Set((bySeed[seed]?["labels"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String })
        }
        #expect(!names("004").isDisjoint(with: ["force_withdrawal", "force_presence", "force_redeployment", "RETREAT"]), "\(names("004"))")
        #expect(!names("003").isDisjoint(with: ["ASSAULT", "strike_raid"]), "\(names("003"))")
        // The label topic carries exactly the records with that label.
        let expected = bySeed.filter { names($0.key).contains("force_withdrawal") }.count
        #expect(expected > 0)
        #expect(waitUntil(timeout: 30) { labelLines(withdrawals).count == expected }, "topic worker log:\n\(topic.log)")
        _ = ingest
    }

    /// Two alert workers on one database would evaluate every record twice, and the second to
    /// bind the `zmq` sink's ipc endpoint would take it from the first: the second is refused,
    /// and so is a second classify worker on the labels journal.
    @Test func aSecondAlertOrClassifyWorkerOnTheSameStateIsRefused() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let alert = try MarsadProcess(["worker", "alert", "--config", workspace.config], workDirectory: workspace.root)
        let classify = try MarsadProcess(["worker", "classify", "--config", workspace.config], workDirectory: workspace.root)
        #expect(alert.waitForLog("worker started"), "log:\n\(alert.log)")
        #expect(classify.waitForLog("worker started"), "log:\n\(classify.log)")

        let secondAlert = try MarsadProcess(["worker", "alert", "--config", workspace.config], workDirectory: workspace.root)
        #expect(secondAlert.waitForExit() == 1)
        #expect(
            secondAlert.log.contains("the alert database \(workspace.state)/alerts.sqlite is in use by another process (pid \(alert.pid): "),
            "log:\n\(secondAlert.log)")
        let secondClassify = try MarsadProcess(["worker", "classify", "--config", workspace.config], workDirectory: workspace.root)
        #expect(secondClassify.waitForExit() == 1)
        #expect(
            secondClassify.log.contains(
                "the journal of stream \"labels\" (\(workspace.state)/journal/labels) is in use by another process (pid \(classify.pid): "),
            "log:\n\(secondClassify.log)")
        #expect(alert.process.isRunning && classify.process.isRunning)
    }

    func runScript(_ arguments: [String]) throws -> (status: Int32, counts: [String: Any], log: String) {
        let run = try runPythonScript(["scripts/alert_check.py"] + arguments)
        let parsed = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? [:]
        return (run.status, parsed, run.log)
    }

    @Test func killingTheAlertWorkerMidStreamNeitherLosesNorRepeatsAnAlert() throws {
        let run = try runScript(["--scenario", "kill", "--articles", "600", "--kills", "5", "--timeout", "300"])
        #expect(run.status == 0, "\(run.log)")
        #expect((run.counts["alert_kills"] as? Int ?? 0) >= 5)
        #expect(run.counts["file_duplicates"] as? Int == 0)
        #expect(run.counts["webhook_invalid_signatures"] as? Int == 0)
        #expect((run.counts["expected_alerts"] as? Int ?? 0) > 300)
        #expect(run.counts["webhook_unique"] as? Int == run.counts["expected_alerts"] as? Int)
    }

    @Test func alertsRaisedWhileTheReceiverIsDownArriveOnceItIsUp() throws {
        let run = try runScript(["--scenario", "receiver-down", "--articles", "200", "--down-seconds", "30", "--timeout", "300"])
        #expect(run.status == 0, "\(run.log)")
        #expect(run.counts["received_while_down"] as? Int == 0)
        #expect(run.counts["webhook_posts"] as? Int == run.counts["expected_alerts"] as? Int)
    }

    @Test func aBurstAboutOneEntityFiresTheSpikeRuleAndATrickleDoesNot() throws {
        let run = try runScript(["--scenario", "spike", "--timeout", "200"])
        #expect(run.status == 0, "\(run.log)")
        #expect(run.counts["trickle_spikes"] as? Int == 0)
        #expect(run.counts["burst_spikes"] as? Int == 1)
    }
}
