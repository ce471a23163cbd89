import Foundation
import Testing

/// `marsad eval` in CI, with the issue's thresholds, and the shipped model kept up to date.
@Suite struct EvaluationTests {
    func marsad(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["MARSAD_DATA_DIR"] = MarsadProcess.packageRoot.appendingPathComponent("config").path
        return try runToEnd(MarsadProcess.binary, arguments, environment: environment)
    }

    @Test func theLabelledArticlesMeetTheThresholds() throws {
        // Defaults: title ≥ 95 %, date ≥ 90 %, outlet ≥ 90 %, entity precision ≥ 0.95, recall ≥ 0.90.
        let run = try marsad(["eval", "Tests/Fixtures/eval"])
        print(run.output)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("55 labelled articles"))
        let json = try marsad(["eval", "Tests/Fixtures/eval", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect((report["articles"] as? Int ?? 0) >= 40)
    }

    @Test func theClassifierScoresOnItsHeldOutFifth() throws {
        let run = try marsad(["eval", "labels", "--min-f1", "0.7"])
        print(run.output)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("force_withdrawal"))
    }

    @Test func theShippedModelIsWhatTrainingOnTheShippedDataGives() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString.prefix(6)).json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try marsad(["train", "--output", output])
        #expect(run.status == 0, "\(run.errors)")
        let shipped = FileManager.default.contents(atPath: MarsadProcess.packageRoot.appendingPathComponent("config/classify-model.json").path)
        #expect(FileManager.default.contents(atPath: output) == shipped, "config/classify-model.json is stale: run `marsad train`")
    }

    @Test func everyFormatMakesTheRightRecordAndABrokenJSONLLineIsQuarantinedWithItsNumber() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let formats = MarsadProcess.packageRoot.appendingPathComponent("Tests/Fixtures/formats").path
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        // Without --output the mirror is <state dir>/mirror.jsonl (as marsad-worker@jsonl runs it).
        let mirror = workspace.state + "/mirror.jsonl"
        let worker = try MarsadProcess(["worker", "jsonl", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))
        for name in try FileManager.default.contentsOfDirectory(atPath: formats).sorted() {
            try workspace.drop(name, bytes: Array(FileManager.default.contents(atPath: formats + "/" + name)!))
        }
        func records() -> [[String: Any]] {
            ((try? String(contentsOfFile: mirror, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["record"] as? [String: Any]
            }
        }
        #expect(waitUntil(timeout: 30) { records().count == 6 }, "\(daemon.log)\n\(worker.log)")
        var byTitle: [String: [String: Any]] = [:]
        for record in records() { byTitle[record["title"] as! String] = record }
        let legacy = try #require(byTitle["أنقرة تعلن تمديد العملية العسكرية في شمال العراق"])
        #expect(legacy["encoding"] as? String == "windows-1256")
        #expect((legacy["published"] as? [String: Any])?["date"] as? String == "2024-03-14")
        #expect((legacy["paragraphs"] as? [String])?.count == 3)
        let wire = try #require(byTitle["مقتل ثلاثة عناصر من قوات سوريا الديمقراطية بهجوم في دير الزور"])
        #expect(wire["encoding"] as? String == "utf-16le")
        let page = try #require(byTitle["الأمم المتحدة تحذر من أزمة مياه في الحسكة"])
        #expect((page["outlet"] as? [String: Any])?["name"] as? String == "شبكة المراقب")
        #expect((page["published"] as? [String: Any])?["basis"] as? String == "metadata")
        #expect(page["url"] as? String == "https://example.org/news/hasakah-water")
        let body = (page["paragraphs"] as? [String])?.joined(separator: "\n") ?? ""
        #expect(body.contains("محطة علوك") && !body.contains("جميع الحقوق") && !body.contains("انقطاع الكهرباء في القامشلي"))
        #expect((page["subheadings"] as? [[String: Any]])?.first?["text"] as? String == "مطالب بتحييد المحطة")
        let json = try #require(byTitle["واشنطن تفرض عقوبات جديدة على شبكات تهريب النفط الإيراني"])
        #expect((json["paragraphs"] as? [String])?.count == 2)
        #expect(byTitle["الحشد الشعبي يعلن إحباط هجوم غرب الأنبار"] != nil && byTitle["بغداد وأنقرة تبحثان ملف المياه"] != nil)
        // The broken second line of feed.jsonl, alone, with its number; the file itself is done.
        #expect(waitUntil(timeout: 10) { workspace.names(in: "failed").contains("feed.jsonl.line-2") }, "\(workspace.names(in: "failed"))")
        let report = try #require(
            try JSONSerialization.jsonObject(
                with: FileManager.default.contents(atPath: workspace.spool + "/failed/feed.jsonl.line-2.error.json")!) as? [String: Any])
        #expect(report["line"] as? Int == 2)
        #expect(report["reason"] as? String == "bad_json")
        #expect(waitUntil(timeout: 10) { workspace.names(in: "done").contains("feed.jsonl") })
    }
}
