import Foundation
import MarsadRecord
import Testing

/// SIGHUP reloads the gazetteer and boilerplate markers without losing or repeating a file.
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
        #expect(daemon.waitForLog("reloaded the gazetteer"), "log:\n\(daemon.log)")
        try workspace.drop("after.txt", text: article(2))
        #expect(try subscriber.receive(until: { $0.messages.count == 2 }))
        #expect(try entities(of: 1).contains("fac.rukban-test-camp"))

        try "[[entity]]\nid = \"broken\"\n".write(toFile: copy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reload failed; keeping the previous data files"), "log:\n\(daemon.log)")
        try workspace.drop("still.txt", text: article(3))
        #expect(try subscriber.receive(until: { $0.messages.count == 3 }))
        #expect(try entities(of: 2).contains("fac.rukban-test-camp"))
        #expect(daemon.process.isRunning)
        #expect(waitUntil(timeout: 10) { workspace.names(in: "done") == ["after.txt", "before.txt", "still.txt"] })
    }
}
