import Foundation
import Testing

/// The archive backends every archive test runs against.
enum ArchiveBackendUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// Extra configuration selecting the backend. PostgreSQL comes from scripts/test.sh, which
    /// starts a throwaway cluster on loopback and exports its URL.
    func configuration() throws -> String {
        switch self {
        case .sqlite: return ""
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["MARSAD_TEST_POSTGRES_URL"] else {
                throw TestFailure("MARSAD_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts a throwaway PostgreSQL server")
            }
            return "[archive]\nbackend = \"postgres\"\npostgres_url = \"\(url)\"\n"
        }
    }
}

/// The archive as an analyst uses it: `marsad run --once` on the seeds, then `marsad search`,
/// `marsad export` and `marsad entities` — the same suite against SQLite and PostgreSQL.
@Suite(.serialized) struct ArchiveSearchTests {
    /// One archive of the five seeds per backend, shared by the tests of this suite.
    static let archives: [ArchiveBackendUnderTest: Result<Workspace, Error>] = Dictionary(
        uniqueKeysWithValues: ArchiveBackendUnderTest.allCases.map { backend in
            (
                backend,
                Result {
                    let workspace = try Workspace()
                    let config = try String(contentsOfFile: workspace.config, encoding: .utf8) + "\n" + (try backend.configuration())
                    try config.write(toFile: workspace.config, atomically: true, encoding: .utf8)
                    try workspace.dropSeeds()
                    let run = try MarsadProcess(["run", "--once", "--config", workspace.config], workDirectory: workspace.root)
                    guard run.waitForExit(timeout: 120) == 0 else { throw TestFailure("marsad run failed:\n\(run.log)") }
                    guard run.log.contains("5 articles in the archive") else { throw TestFailure("run did not report the archive:\n\(run.log)") }
                    return workspace
                }
            )
        })

    func marsad(_ backend: ArchiveBackendUnderTest, _ arguments: [String]) throws -> (status: Int32?, output: String, log: String) {
        let workspace = try Self.archives[backend]!.get()
        let process = try MarsadProcess(arguments + ["--config", workspace.config], workDirectory: workspace.root)
        let status = process.waitForExit(timeout: 60)
        return (status, process.output, process.log)
    }

    /// The seed numbers (000 … 004) of the hits of a search.
    func seeds(_ backend: ArchiveBackendUnderTest, _ arguments: [String]) throws -> [String] {
        let result = try marsad(backend, ["search", "--json"] + arguments)
        #expect(result.status == 0, "\(result.log)")
        let hits = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        return hits.map { String(($0["files"] as! [String])[0].prefix(3)) }.sorted()
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func withdrawalFindsSeeds000_002_004WithSnippetsInTheOriginalSpelling(backend: ArchiveBackendUnderTest) throws {
        #expect(try seeds(backend, ["انسحاب"]) == ["000", "002", "004"])
        let result = try marsad(backend, ["search", "--json", "انسحاب"])
        let hits = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        for hit in hits {
            let snippet = try #require(hit["snippet"] as? String)
            #expect(snippet.contains("**") && snippet.contains("نسحاب**"), "\(snippet)")
            #expect(hit["entities"] is [[String: Any]])
            #expect(hit["labels"] is [Any])
        }
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases, ["الانسحاب", "للانسحاب", "إنسحاب", "انْسِحَاب", "الإنسحاب"])
    func spellingVariantsOfTheQueryFindTheSameArticles(backend: ArchiveBackendUnderTest, query: String) throws {
        #expect(try seeds(backend, [query]) == ["000", "002", "004"])
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func americanSpelledEitherWayFindsTheSameArticles(backend: ArchiveBackendUnderTest) throws {
        #expect(try seeds(backend, ["الأمريكيه"]) == (try seeds(backend, ["الأميركية"])))
        #expect(try seeds(backend, ["البنتاغون"]) == (try seeds(backend, ["البنتاجون"])))
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func anEntityFilterReturnsOnlyArticlesThatMentionIt(backend: ArchiveBackendUnderTest) throws {
        #expect(try seeds(backend, ["--entity", "org.sdf"]) == ["002", "003", "004"])
        #expect(try seeds(backend, ["--entity", "org.sdf", "انسحاب"]) == ["002", "004"])
        #expect(try seeds(backend, ["--entity", "org.sdf", "--entity", "org.kataib-hezbollah"]) == ["004"])
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func theArchiveKeepsEachArticlesLabelsAndFiltersByThem(backend: ArchiveBackendUnderTest) throws {
        // `marsad run` archives the classify worker's stream: every article with its labels.
        let result = try marsad(backend, ["search", "--json", "--label", "force_withdrawal"])
        #expect(result.status == 0, "\(result.log)")
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(hits.contains { ($0["files"] as? [String])?.first?.hasPrefix("004") == true })
        for hit in hits {
            let labels = (hit["labels"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
            #expect(labels.contains("force_withdrawal"))
        }
        let table = try marsad(backend, ["search", "انسحاب"])
        #expect(table.output.contains("labels: "))
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func outletAndDateFilters(backend: ArchiveBackendUnderTest) throws {
        #expect(try seeds(backend, ["--outlet", "عنب بلدى"]) == ["004"])
        #expect(try seeds(backend, ["--until", "2024-12"]) == ["003", "004"])  // 004: 2024-01-25, weekday-inferred
        #expect(try seeds(backend, ["--since", "2024-10-26", "--until", "2024-10-26"]) == ["003"])
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func theTableIsIsolatedForRightToLeftText(backend: ArchiveBackendUnderTest) throws {
        let result = try marsad(backend, ["search", "انسحاب"])
        #expect(result.status == 0)
        #expect(result.output.contains("\u{2068}عنب بلدي\u{2069}"))
        #expect(result.output.split(separator: "\n").count == 9)
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func exportWritesJSONLRecordsAndCSVRows(backend: ArchiveBackendUnderTest) throws {
        let jsonl = try marsad(backend, ["export"])
        #expect(jsonl.status == 0)
        let records = jsonl.output.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.count == 5)
        #expect(records.allSatisfy { $0["schema"] as? String == "marsad.article/1" })
        let csv = try marsad(backend, ["export", "--format", "csv", "--entity", "org.sdf"])
        let rows = csv.output.split(separator: "\n")
        #expect(rows.first == "id,published,outlet,title,entities,files")
        #expect(rows.count == 4)
    }

    @Test(arguments: ArchiveBackendUnderTest.allCases)
    func entitiesCountsArticlesPerEntityAndByPeriod(backend: ArchiveBackendUnderTest) throws {
        let result = try marsad(backend, ["entities", "--json", "--kind", "org"])
        let counts = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [[String: Any]]
        let pentagon = try #require(counts.first { $0["id"] as? String == "org.pentagon" })
        #expect(pentagon["articles"] as? Int == 4)
        #expect(counts.allSatisfy { $0["kind"] as? String == "org" })
        let timeline = try marsad(backend, ["entities", "--json", "--by", "month", "--entity", "org.sdf"])
        let weeks = try marsad(backend, ["entities", "--json", "--by", "week", "--entity", "org.sdf"])
        let weekRows = try JSONSerialization.jsonObject(with: Data(weeks.output.utf8)) as! [[String: Any]]
        #expect(weekRows.contains { $0["period"] as? String == "2024-10-21" })
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

/// `[archive] follow = "both"`: an article is archived (and searchable) as soon as ingest
/// publishes it, without waiting for the classify worker; its labels are added when they come.
@Suite struct ArchiveFollowingBothStreamsTests {
    @Test func articlesAreSearchableBeforeTheirLabelsAndGainThemLater() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let ingest = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        let archive = try MarsadProcess(["worker", "archive", "--follow", "both", "--config", workspace.config], workDirectory: workspace.root)
        #expect(ingest.waitForLog("ingest ready"))
        try workspace.dropSeeds()
        func run(_ arguments: [String]) -> String {
            guard let process = try? MarsadProcess(arguments + ["--config", workspace.config], workDirectory: workspace.root),
                process.waitForExit() == 0
            else { return "" }
            return process.output
        }
        func exported() -> Int { run(["export"]).split(separator: "\n").count }
        func withdrawals() -> [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(run(["search", "--json", "--label", "force_withdrawal"]).utf8)) as? [[String: Any]]) ?? []
        }
        // No classify worker yet: every article is archived all the same, without labels.
        #expect(waitUntil(timeout: 30) { exported() == 5 }, "archive log:\n\(archive.log)")
        #expect(withdrawals().isEmpty)

        let classify = try MarsadProcess(["worker", "classify", "--config", workspace.config], workDirectory: workspace.root)
        #expect(
            waitUntil(timeout: 60) { withdrawals().contains { ($0["files"] as? [String])?.first?.hasPrefix("004") == true } },
            "archive log:\n\(archive.log)\nclassify log:\n\(classify.log)")
        #expect(exported() == 5)
        #expect(archive.process.isRunning)

        // At rest, the worker writes nothing: no transaction per idle poll (every 500 ms), and so
        // no WAL to checkpoint. The checkpoints' times stay as the last batch left them.
        func checkpointTimes() -> String? {
            let query = try? runToEnd(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT group_concat(stream || \" \" || seq || \" \" || updated_at) FROM checkpoints').fetchone()[0])",
                    workspace.state + "/archive.sqlite",
                ])
            return query.map { $0.output.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        Thread.sleep(forTimeInterval: 1.5)
        let atRest = checkpointTimes()
        Thread.sleep(forTimeInterval: 2)
        #expect(atRest != nil && atRest != "None")
        #expect(checkpointTimes() == atRest, "archive log:\n\(archive.log)")
    }
}
