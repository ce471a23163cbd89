import Foundation
import MarsadRecord
import Testing

/// SIGHUP reloads the gazetteer and boilerplate markers (ingest) and the alert rules (alert
/// worker) without losing or repeating a file or an alert; a broken file keeps the old data.
@Suite struct ReloadTests {
    @Test func sighupLinksANewEntityAndABrokenGazetteerKeepsTheOldOne() throws {
        let gazetteer = MarsadProcess.packageRoot.appendingPathComponent("config/gazetteer.toml").path
        let workspace = try Workspace(extraConfig: "")
        defer { workspace.remove() }
        let copy = workspace.root + "/gazetteer.toml"
        try FileManager.default.copyItem(atPath: gazetteer, toPath: copy)
        try (try String(contentsOfFile: workspace.config, encoding: .utf8) + "\n[parsing]\ngazetteer = \"gazetteer.toml\"\n")
            .write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive(), "log:\n\(daemon.log)")

        let article = { (n: Int) in "خبر رقم \(n) عن مخيم الركبان\nقالت مصادر إن قوافل المساعدات وصلت إلى مخيم الركبان قرب التنف.\n" }
        func entities(of index: Int) throws -> [String] {
            try ArticleRecord.decode(subscriber.messages[index].payload).entities.map(\.id)
        }
        try workspace.drop("before.txt", text: article(1))
        #expect(try subscriber.receive(until: { $0.messages.count == 1 }))
        #expect(!(try entities(of: 0)).contains("fac.rukban-test-camp"))

        let entry =
            "\n[[entity]]\nid = \"fac.rukban-test-camp\"\nkind = \"fac\"\nname_ar = \"مخيم الركبان\"\nname_en = \"Rukban test camp\"\nwikidata = \"\"\naliases = []\n"
        try (try String(contentsOfFile: copy, encoding: .utf8) + entry).write(toFile: copy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reloaded the gazetteer and boilerplate markers"), "log:\n\(daemon.log)")
        try workspace.drop("after.txt", text: article(2))
        #expect(try subscriber.receive(until: { $0.messages.count == 2 }))
        #expect(try entities(of: 1).contains("fac.rukban-test-camp"))

        try "[[entity]]\nid = \"broken\"\n".write(toFile: copy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reload of the gazetteer and boilerplate markers failed; keeping the previous data files"), "log:\n\(daemon.log)")
        try workspace.drop("still.txt", text: article(3))
        #expect(try subscriber.receive(until: { $0.messages.count == 3 }))
        #expect(try entities(of: 2).contains("fac.rukban-test-camp"))
        #expect(daemon.process.isRunning)
        #expect(waitUntil(timeout: 10) { workspace.names(in: "done") == ["after.txt", "before.txt", "still.txt"] })
    }

    @Test func sighupTakesNewAlertRulesFromTheNextArticleAndABrokenFileKeepsTheOldOnes() throws {
        let workspace = try Workspace(extraConfig: "")
        defer { workspace.remove() }
        let rulesFile = workspace.root + "/alerts.toml"
        func rules(rukbanWord: String) -> String {
            """
            [[sink]]
            name = "file"
            type = "file"
            [[rule]]
            name = "every-iraq-article"
            severity = "low"
            description = "any article about Iraq"
            words_any = ["العراق"]
            sinks = ["file"]
            [[rule]]
            name = "rukban"
            severity = "high"
            description = "the Rukban camp"
            words_any = ["\(rukbanWord)"]
            sinks = ["file"]
            """
        }
        try rules(rukbanWord: "كلمةلاتردأبدا").write(toFile: rulesFile, atomically: true, encoding: .utf8)
        try (try String(contentsOfFile: workspace.config, encoding: .utf8) + "\n[alert]\nrules = \"\(rulesFile)\"\n")
            .write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let run = try MarsadProcess(["run", "--quiet", "--config", workspace.config], workDirectory: workspace.root)
        #expect(run.waitForLog("ingest ready"), "log:\n\(run.log)")

        let alertsFile = workspace.state + "/alerts.jsonl"
        func alerts() -> [(rule: String, title: String)] {
            let text = (try? String(contentsOfFile: alertsFile, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let alert = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let article = alert["article"] as? [String: Any]
                else { return nil }
                return ((alert["rule"] as? String) ?? "", (article["title"] as? String) ?? "")
            }
        }
        func drop(_ n: Int) throws {
            try workspace.drop(
                "rukban-\(n).txt",
                text: "خبر رقم \(n) عن مخيم الركبان على حدود العراق\nقالت مصادر إن قوافل المساعدات وصلت إلى مخيم الركبان قرب حدود العراق.\n")
            // Every article raises «every-iraq-article»: once it is in the file, the worker is done with it.
            #expect(
                waitUntil(timeout: 60) { alerts().filter { $0.rule == "every-iraq-article" }.count == n }, "alerts: \(alerts()); log:\n\(run.log)")
        }
        func rukbanTitles() -> [String] { alerts().filter { $0.rule == "rukban" }.map(\.title).sorted() }

        try drop(1)
        #expect(rukbanTitles().isEmpty)

        try rules(rukbanWord: "الركبان").write(toFile: rulesFile, atomically: true, encoding: .utf8)
        run.signal(SIGHUP)
        #expect(run.waitForLog("reloaded the alert rules"), "log:\n\(run.log)")
        try drop(2)
        #expect(waitUntil(timeout: 10) { rukbanTitles().count == 1 }, "alerts: \(alerts())")
        #expect(rukbanTitles().allSatisfy { $0.hasPrefix("خبر رقم 2 ") }, "an article handled before the reload was evaluated again: \(alerts())")

        try "[[rule]]\nname = \"broken\"\nsinks = [\"nowhere\"]\n".write(toFile: rulesFile, atomically: true, encoding: .utf8)
        run.signal(SIGHUP)
        #expect(run.waitForLog("reload of the alert rules failed; keeping the previous data files"), "log:\n\(run.log)")
        try drop(3)
        #expect(waitUntil(timeout: 10) { rukbanTitles().count == 2 }, "alerts: \(alerts())")
        #expect(run.process.isRunning)
    }

    @Test func aWorkerWithNothingToReloadSurvivesSIGHUP() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let worker = try MarsadProcess(["worker", "archive", "--config", workspace.config], workDirectory: workspace.root)
        #expect(worker.waitForLog("worker started"), "log:\n\(worker.log)")
        Thread.sleep(forTimeInterval: 0.5)  // the services, the SIGHUP handler among them, are running
        worker.signal(SIGHUP)
        #expect(worker.waitForLog("SIGHUP: this process has no data files to reload"), "log:\n\(worker.log)")
        #expect(worker.process.isRunning)
    }
}
