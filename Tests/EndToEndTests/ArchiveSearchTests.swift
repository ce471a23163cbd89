import Foundation
import Testing

/// The archive as an analyst uses it: `marsad run --once` on the seeds, then `marsad search`,
/// `marsad export` and `marsad entities` against the SQLite file it wrote.
@Suite(.serialized) struct ArchiveSearchTests {
    /// One archive of the five seeds, shared by the tests of this suite.
    static let archive: Result<Workspace, Error> = Result {
        let workspace = try Workspace()
        try workspace.dropSeeds()
        let run = try MarsadProcess(["run", "--once", "--config", workspace.config], workDirectory: workspace.root)
        guard run.waitForExit(timeout: 120) == 0 else { throw TestFailure("marsad run failed:\n\(run.log)") }
        guard run.log.contains("5 articles in the archive") else { throw TestFailure("run did not report the archive:\n\(run.log)") }
        return workspace
    }

    func marsad(_ arguments: [String]) throws -> (status: Int32?, output: String, log: String) {
        let workspace = try Self.archive.get()
        let process = try MarsadProcess(arguments + ["--config", workspace.config], workDirectory: workspace.root)
        let status = process.waitForExit(timeout: 60)
        return (status, process.output, process.log)
    }

    /// The seed numbers (000 … 004) of the hits of a search.
    func seeds(_ arguments: [String]) throws -> [String] {
        let result = try marsad(["search", "--json"] + arguments)
        #expect(result.status == 0, "\(result.log)")
        let hits = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        return hits.map { String(($0["files"] as! [String])[0].prefix(3)) }.sorted()
    }

    @Test func withdrawalFindsSeeds000_002_004WithSnippetsInTheOriginalSpelling() throws {
        #expect(try seeds(["انسحاب"]) == ["000", "002", "004"])
        let result = try marsad(["search", "--json", "انسحاب"])
        let hits = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        for hit in hits {
            let snippet = try #require(hit["snippet"] as? String)
            #expect(snippet.contains("**") && snippet.contains("نسحاب**"), "\(snippet)")
            #expect(hit["entities"] is [[String: Any]])
            #expect(hit["labels"] is [Any])
        }
    }

    @Test(arguments: ["الانسحاب", "للانسحاب", "إنسحاب", "انْسِحَاب", "الإنسحاب"])
    func spellingVariantsOfTheQueryFindTheSameArticles(query: String) throws {
        #expect(try seeds([query]) == ["000", "002", "004"])
    }

    @Test func americanSpelledEitherWayFindsTheSameArticles() throws {
        #expect(try seeds(["الأمريكيه"]) == (try seeds(["الأميركية"])))
        #expect(try seeds(["البنتاغون"]) == (try seeds(["البنتاجون"])))
    }

    @Test func anEntityFilterReturnsOnlyArticlesThatMentionIt() throws {
        #expect(try seeds(["--entity", "org.sdf"]) == ["002", "003", "004"])
        #expect(try seeds(["--entity", "org.sdf", "انسحاب"]) == ["002", "004"])
        #expect(try seeds(["--entity", "org.sdf", "--entity", "org.kataib-hezbollah"]) == ["004"])
    }

    @Test func outletAndDateFilters() throws {
        #expect(try seeds(["--outlet", "عنب بلدى"]) == ["004"])
        #expect(try seeds(["--until", "2024-12"]) == ["003"])
        #expect(try seeds(["--since", "2024-10-26", "--until", "2024-10-26"]) == ["003"])
    }

    @Test func theTableIsIsolatedForRightToLeftText() throws {
        let result = try marsad(["search", "انسحاب"])
        #expect(result.status == 0)
        #expect(result.output.contains("\u{2068}عنب بلدي\u{2069}"))
        #expect(result.output.split(separator: "\n").count == 9)
    }

    @Test func exportWritesJSONLRecordsAndCSVRows() throws {
        let jsonl = try marsad(["export"])
        #expect(jsonl.status == 0)
        let records = jsonl.output.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.count == 5)
        #expect(records.allSatisfy { $0["schema"] as? String == "marsad.article/1" })
        let csv = try marsad(["export", "--format", "csv", "--entity", "org.sdf"])
        let rows = csv.output.split(separator: "\n")
        #expect(rows.first == "id,published,outlet,title,entities,files")
        #expect(rows.count == 4)
    }

    @Test func entitiesCountsArticlesPerEntityAndByPeriod() throws {
        let result = try marsad(["entities", "--json", "--kind", "org"])
        let counts = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        let pentagon = try #require(counts.first { $0["id"] as? String == "org.pentagon" })
        #expect(pentagon["articles"] as? Int == 4)
        #expect(counts.allSatisfy { $0["kind"] as? String == "org" })
        let timeline = try marsad(["entities", "--json", "--by", "month", "--entity", "org.sdf"])
        let rows = try JSONSerialization.jsonObject(with: Data(timeline.output.utf8)) as! [[String: Any]]
        #expect(rows.contains { $0["period"] as? String == "2024-10" && $0["articles"] as? Int == 1 })
    }

    @Test func searchingAMissingArchiveSaysHowToMakeOne() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let search = try MarsadProcess(["search", "--db", workspace.root + "/none.sqlite", "x"], workDirectory: workspace.root)
        #expect(search.waitForExit() != 0)
        #expect(search.log.contains("no archive at"))
        #expect(search.log.contains("marsad run"))
    }
}
