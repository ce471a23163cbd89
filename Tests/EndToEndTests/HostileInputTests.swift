import Foundation
import Testing

/// Files that cannot be articles are quarantined with their reason; the daemon carries on.
@Suite struct HostileInputTests {
    @Test func linksFifosOversizedUndecodableAndForeignFilesAreQuarantinedWithReasons() throws {
        let workspace = try Workspace(extraConfig: "")
        defer { workspace.remove() }
        // A 4 KB limit makes the oversized case cheap.
        try (try String(contentsOfFile: workspace.config, encoding: .utf8)).replacingOccurrences(
            of: "settle_ms = 0", with: "settle_ms = 0\nmax_file_bytes = 4096"
        )
        .write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))

        let outside = workspace.root + "/outside.txt"
        try "عنوان خبر خارج المجلد\nنص لا يجوز أن يقرأ من خارج المجلد.\n".write(toFile: outside, atomically: true, encoding: .utf8)
        #expect(symlink(outside, workspace.inbox + "/link.txt") == 0)
        #expect(mkfifo(workspace.root + "/pipe.txt", 0o644) == 0)
        #expect(rename(workspace.root + "/pipe.txt", workspace.inbox + "/pipe.txt") == 0)
        try workspace.drop("huge.txt", text: String(repeating: "كلمة ", count: 2000))
        try workspace.drop("latin1.txt", bytes: Array("Titre de l'article\nUn paragraphe".utf8) + [0xE9, 0x20, 0x61])
        try workspace.drop("report.pdf", text: "%PDF-1.4 not really")
        try workspace.drop("good.txt", text: "عنوان خبر صالح عن العراق\nفقرة عن الحكومة العراقية وقوات التحالف الدولي.\n")

        let expected = [
            "huge.txt": "too_large", "latin1.txt": "undecodable", "link.txt": "symlink", "pipe.txt": "not_regular_file",
            "report.pdf": "unsupported_type",
        ]
        #expect(
            waitUntil(timeout: 20) { workspace.names(in: "failed").count == expected.count * 2 },
            "failed: \(workspace.names(in: "failed")); log:\n\(daemon.log)")
        for (name, reason) in expected {
            let data = try #require(FileManager.default.contents(atPath: workspace.spool + "/failed/\(name).error.json"), "\(name)")
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(report["reason"] as? String == reason, "\(name)")
        }
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["good.txt"] })
        // The link itself was moved, never its target.
        #expect(FileManager.default.fileExists(atPath: outside))
        var status = stat()
        #expect(lstat(workspace.spool + "/failed/link.txt", &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        #expect(daemon.process.isRunning)
    }

    @Test func aDanglingSymlinkIsQuarantinedAndTheDaemonCarriesOn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(daemon.waitForLog("ingest ready"))
        // The link is claimed and refused unopened; the article dropped next is unaffected.
        #expect(symlink(workspace.root + "/missing.txt", workspace.inbox + "/dangling.txt") == 0)
        try workspace.drop("good.txt", text: "عنوان خبر صالح عن العراق\nفقرة عن الحكومة العراقية.\n")
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["good.txt"] })
        #expect(waitUntil(timeout: 20) { workspace.names(in: "failed") == ["dangling.txt", "dangling.txt.error.json"] })
        #expect(daemon.process.isRunning)
    }
}
