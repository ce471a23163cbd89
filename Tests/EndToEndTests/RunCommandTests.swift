import Foundation
import Testing

/// `marsad run`, the first-try mode: every stage in one process, records printed.
@Suite struct RunCommandTests {
    @Test func runOncePrintsEverySeedRecordAndEmptiesTheInbox() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let seeds = try workspace.dropSeeds()
        let run = try MarsadProcess(
            ["run", "--once", "--spool", workspace.spool, "--state", workspace.state, "--metrics", "127.0.0.1:0"], workDirectory: workspace.root)
        #expect(run.waitForExit(timeout: 60) == 0, "log:\n\(run.log)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == seeds.count, "output:\n\(run.output)")
        #expect(run.output.contains("البنتاغون: الاتفاقية الجديدة بين الأسد وطهران"))
        #expect(run.output.contains("[البوابة نيوز, 2024-10-26]"))
        #expect(workspace.names(in: "done") == seeds)
    }

    @Test func runOnceWithJSONPrintsOneRecordPerLine() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.dropSeeds()
        let run = try MarsadProcess(["run", "--once", "--json", "--config", workspace.config], workDirectory: workspace.root)
        #expect(run.waitForExit(timeout: 60) == 0, "log:\n\(run.log)")
        let records = try run.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(records.count == 5)
        #expect(records.allSatisfy { $0["schema"] as? String == "marsad.article/1" })
    }

    @Test func checkRejectsAnUnknownKeyWithItsLine() throws {
        let workspace = try Workspace(extraConfig: "publsh = \"tcp://127.0.0.1:5555\"")
        defer { workspace.remove() }
        let check = try MarsadProcess(["check", workspace.config], workDirectory: workspace.root)
        #expect(check.waitForExit() == 78)
        let line = try String(contentsOfFile: workspace.config, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("publsh") }.map { $0 + 1 }
        #expect(check.log.contains("\(workspace.config):\(line ?? 0): ingest.publsh: unknown key"), "\(check.log)")
    }

    @Test func parseReportsAnUnreadableFileWithItsReason() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(FileManager.default.createFile(atPath: workspace.root + "/empty.txt", contents: Data()))
        let seed = MarsadProcess.packageRoot.appendingPathComponent("seeds/003_37c9bb5fdf71ec70.txt").path
        let parse = try MarsadProcess(["parse", seed, workspace.root + "/empty.txt"], workDirectory: workspace.root)
        #expect(parse.waitForExit() == 1)
        #expect(parse.log.contains("empty.txt: empty: the file is empty"))
        let record = try JSONSerialization.jsonObject(with: Data(parse.output.utf8)) as! [String: Any]
        #expect((record["outlet"] as? [String: Any])?["name"] as? String == "البوابة نيوز")
    }

    /// `marsad bench journal` times a journal where `--dir` says, and names that option when the
    /// directory cannot be made (not the daemon's `[state] dir`).
    @Test func benchJournalAppendsAndReadsBackOrNamesItsDirectoryOption() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let bench = try MarsadProcess(
            ["bench", "journal", "--records", "200", "--size", "2048", "--batch", "16", "--no-durable", "--dir", workspace.root + "/journal"],
            workDirectory: workspace.root)
        #expect(bench.waitForExit(timeout: 60) == 0, "log:\n\(bench.log)")
        let figures = try JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any]
        #expect(figures?["records"] as? Int == 200, "output:\n\(bench.output)")

        let failing = try MarsadProcess(["bench", "journal", "--records", "1", "--dir", "/proc/no/such/journal"], workDirectory: workspace.root)
        #expect(failing.waitForExit(timeout: 60) != 0)
        #expect(
            failing.log.contains(
                "cannot create /proc/no/such/journal for the journal of stream bench: mkdir /proc/no: No such file or directory; set --dir to"),
            "log:\n\(failing.log)")
    }

    /// `top -H` and `ps -L` tell the stages of `marsad run` apart by their thread names.
    @Test func eachStageRunsOnAThreadNamedAfterIt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try MarsadProcess(["run", "--quiet", "--config", workspace.config], workDirectory: workspace.root)
        #expect(run.waitForLog("ingest ready"), "log:\n\(run.log)")
        let tasks = "/proc/\(run.pid)/task"
        var names: Set<String> = []
        #expect(
            waitUntil(timeout: 20) {
                names = Set(
                    ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).compactMap {
                        try? String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
                    })
                return names.isSuperset(of: ["ingest", "classify", "archive", "archive-labels", "alert", "replay"])
            }, "thread names: \(names.sorted())")
        run.signal(SIGTERM)
        #expect(run.waitForExit(timeout: 30) == 0, "log:\n\(run.log)")
    }
}

/// `marsad tail` as a separate process, as a user would run it next to the daemon.
@Suite struct TailCommandTests {
    @Test func tailPrintsRecordsOfOneEntityOnceEachThenStopsAtItsLimit() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))
        let tail = try MarsadProcess(
            ["tail", "--config", workspace.config, "--json", "--limit", "2", "entity.per.sergei-shoigu.", "entity.org.al-nusra."],
            workDirectory: workspace.root)
        #expect(tail.waitForLog("live on \(workspace.endpoint)"), "tail log:\n\(tail.log)")
        try workspace.dropSeeds()
        try workspace.drop("later.txt", text: "شويجو يزور دمشق مجددا\nقال وزير الدفاع الروسي سيرجي شويجو إن جبهة النصرة ما زالت تنشط.\n")
        #expect(tail.waitForExit(timeout: 30) == 0, "tail log:\n\(tail.log)")
        let records = try tail.output.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        // Seed 001 names both Shoigu and al-Nusra: printed once. Then the later article.
        #expect(records.count == 2)
        #expect((records.first?["title"] as? String)?.hasPrefix("البنتاجون: لم نتلقَ") == true)
        #expect((records.last?["files"] as? [[String: Any]])?.first?["name"] as? String == "later.txt")
    }

    /// `marsad run` with `extraConfig` and `options`, which must make it stop with an error; its log.
    func failingRunLog(extraConfig: String = "", options: [String] = [], launcher: [String] = []) throws -> String {
        let workspace = try Workspace(extraConfig: extraConfig)
        defer { workspace.remove() }
        let run = try MarsadProcess(
            ["run", "--quiet", "--config", workspace.config] + options, workDirectory: workspace.root, launcher: launcher)
        let status = run.waitForExit(timeout: 30)
        #expect(status != nil && status != 0, "log:\n\(run.log)")
        return run.log
    }

    @Test func aWorkerThatCannotStartStopsTheRunWithItsError() throws {
        // An alert database nobody can create: the alert thread fails, and the run must not go on
        // publishing to a pipeline that no longer alerts.
        let log = try failingRunLog(extraConfig: "[alert]\ndb = \"/proc/no/such/dir/alerts.sqlite\"\n")
        #expect(log.contains("a worker thread stopped; stopping the run"), "log:\n\(log)")
        #expect(
            log.contains(
                "cannot create /proc/no/such/dir for the alert database /proc/no/such/dir/alerts.sqlite: mkdir /proc/no: No such file or directory; set [alert] db"
            ), "log:\n\(log)")
    }

    @Test func aSpoolThatCannotBeCreatedIsNamedWithTheSettingToChange() throws {
        let log = try failingRunLog(options: ["--spool", "/proc/no/spool"])
        #expect(
            log.contains("cannot create /proc/no/spool/inbox for the spool: mkdir /proc/no: No such file or directory; set [spool] dir (or --spool)"),
            "log:\n\(log)")
        #expect(!log.contains("CancellationError"), "only the failure that stopped the run is an error; log:\n\(log)")
    }

    @Test func aReadOnlyFileSystemIsNamedAsTheLikelySystemdCause() throws {
        // A read-only mount, as a hardened unit sees every path it was not given: marsad runs in
        // its own mount namespace with a read-only tmpfs where the spool should be made.
        let readOnly = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-ro-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: readOnly) }
        let log = try failingRunLog(
            options: ["--spool", readOnly + "/spool"],
            launcher: ["/usr/bin/unshare", "--mount", "/bin/sh", "-c", "mount -t tmpfs -o ro tmpfs \"$0\" && exec \"$@\"", readOnly])
        #expect(
            log.contains(
                "mkdir \(readOnly)/spool: Read-only file system (a systemd unit may write only its ReadWritePaths=, StateDirectory= and RuntimeDirectory=); set [spool] dir (or --spool)"
            ), "log:\n\(log)")
    }

    @Test func anArchiveThatCannotBeCreatedStopsTheRunBeforeItStarts() throws {
        let log = try failingRunLog(extraConfig: "[archive]\ndb = \"/proc/no/such/dir/archive.sqlite\"\n")
        #expect(log.contains("cannot create /proc/no/such/dir for the archive"), "log:\n\(log)")
        #expect(log.contains("mkdir /proc/no: No such file or directory; set [archive] db"), "log:\n\(log)")
        #expect(!log.contains("ingest ready"), "log:\n\(log)")
    }
}
