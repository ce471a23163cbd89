import Foundation
import Logging
import MarsadStream
import Testing

/// A full disk, or a spool remounted read-only, under a running stage: the file system is a
/// private tmpfs (`unshare --mount`); the test fills it with a filler file it deletes later
/// through `/proc/<pid>/root`, or remounts it with `nsenter`. The stage stays up, keeps what it
/// could not store where it is safe, and goes on once it can write, with nothing lost or stored
/// twice.
@Suite(.serialized) struct StorageFailureTests {
    /// `unshare` with a shell that mounts an 8 MB tmpfs on `directory` and leaves 400 KB of it free:
    /// enough to start, not enough for the articles the test drops.
    func fullDisk(_ directory: String) -> [String] {
        [
            "/usr/bin/unshare", "--mount", "/bin/sh", "-c",
            "mount -t tmpfs -o size=8m tmpfs \"$0\" && head -c 7988608 /dev/zero > \"$0/filler\" && exec \"$@\"", directory,
        ]
    }

    /// `marsad ingest` on the workspace, ready.
    func startIngest(_ workspace: Workspace) throws -> MarsadProcess {
        let ingest = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        #expect(ingest.waitForLog("ingest ready"), "log:\n\(ingest.log)")
        return ingest
    }

    /// Makes `<spool>/done` immutable (`chattr +i`): files are journaled but cannot be moved on.
    /// Returns what makes it writable again (true when it did), for the test and its `defer`.
    func immutableDone(_ workspace: Workspace) throws -> () -> Bool {
        let done = workspace.spool + "/done"
        try FileManager.default.createDirectory(atPath: done, withIntermediateDirectories: true)
        #expect(try runToEnd("/usr/bin/chattr", ["+i", done]).status == 0)
        return { (try? runToEnd("/usr/bin/chattr", ["-i", done]).status) == 0 }
    }

    /// Ingest, and a subscriber of `article.` that is live.
    func startFollowedIngest(_ workspace: Workspace) throws -> (ingest: MarsadProcess, subscriber: TestSubscriber) {
        let ingest = try startIngest(workspace)
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())
        return (ingest, subscriber)
    }

    /// `<workspace>/full`, made for a worker's output to be mounted over.
    func fullDirectory(_ workspace: Workspace) throws -> String {
        let directory = workspace.root + "/full"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Whether `pid` is stopped (state `T` in `/proc/<pid>/stat`): a SIGSTOP takes effect a
    /// moment after `kill` returns.
    func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        return stat[stat.index(close, offsetBy: 2)] == "T"
    }

    /// Articles of about 6 KB each, in real Arabic, that link to Iraq and Syria.
    func dropArticles(_ workspace: Workspace, count: Int) throws {
        for index in 1...count {
            let paragraph = String(repeating: "فقرة عن الانسحاب من قاعدة عين الأسد في العراق وعن الحدود مع سوريا رقم \(index). ", count: 40)
            try workspace.drop(String(format: "%02d.txt", index), text: "خبر رقم \(index) عن القوات الأمريكية في العراق\n\(paragraph)\n")
        }
    }

    /// Ingest with its journal on the full disk: the batch that cannot be journaled waits in processing/, the journal
    /// is cut back to its last whole batch, and the daemon stays up and tries again. Once space is
    /// freed, every file is published once, in order, and the journal reads back whole.
    @Test func aFullDiskPausesIngestUntilSpaceIsFreedWithNothingLostOrDoubled() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let publish = "ipc://" + workspace.root + "/ingest.pub"
        let daemon = try MarsadProcess(
            ["ingest", "--config", workspace.config, "--publish", publish, "--replay", "ipc://" + workspace.root + "/ingest.replay"],
            workDirectory: workspace.root,
            launcher: fullDisk(workspace.state))
        #expect(daemon.waitForLog("ingest ready"), "log:\n\(daemon.log)")
        let subscriber = try TestSubscriber(endpoint: publish, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())

        let count = 60
        try dropArticles(workspace, count: count)
        #expect(daemon.waitForLog("attempt=2", timeout: 30), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("No space left on device"))
        #expect(daemon.process.isRunning)
        let stored = workspace.names(in: "done").count
        #expect(stored < count)
        #expect(workspace.names(in: "inbox").count + workspace.names(in: "processing").count + stored == count)

        let inside = "/proc/\(daemon.pid)/root" + workspace.state
        #expect(unlink(inside + "/filler") == 0)
        #expect(waitUntil(timeout: 60) { workspace.names(in: "done").count == count }, "done: \(workspace.names(in: "done").count)")
        #expect(try subscriber.receive(until: { $0.messages.count >= count }))
        #expect(subscriber.messages.map(\.envelope.seq) == Array(1...UInt64(count)))
        #expect(Set(subscriber.messages.compactMap(\.envelope.id)).count == count)
        #expect(workspace.names(in: "failed").isEmpty)
        #expect(daemon.waitForLog("the journal and the spool can be written again"), "log:\n\(daemon.log)")

        // The journal as the daemon left it, copied out of its mount: every record, nothing else.
        let copy = workspace.root + "/journal-copy"
        try FileManager.default.copyItem(atPath: inside + "/journal/ingest", toPath: copy)
        try? FileManager.default.removeItem(atPath: copy + "/writer.lock")
        let journal = try Journal(settings: JournalSettings(directory: copy, stream: "ingest"), logger: Logger(label: "test"))
        #expect(journal.head == UInt64(count))
        #expect(try journal.read(from: 1, limit: 1_000).entries.map(\.seq) == Array(1...UInt64(count)))
    }

    /// The archive worker with its database on the full disk: the batch SQLite cannot write
    /// (SQLITE_FULL) is tried again, not dropped, and the worker does not die of it. Once space is
    /// freed, every article is archived once.
    @Test func aFullDiskPausesTheArchiveWorkerUntilSpaceIsFreedWithNothingLost() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let directory = try fullDirectory(workspace)
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8) + "\n[archive]\ndb = \"\(directory)/archive.sqlite\"\n"
        try config.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let ingest = try startIngest(workspace)
        let archive = try MarsadProcess(
            ["worker", "archive", "--follow", "articles", "--config", workspace.config], workDirectory: workspace.root,
            launcher: fullDisk(directory))
        #expect(archive.waitForLog("worker started"), "log:\n\(archive.log)")

        let count = 60
        try dropArticles(workspace, count: count)
        #expect(waitUntil(timeout: 30) { workspace.names(in: "done").count == count })
        #expect(archive.waitForLog("attempt=2", timeout: 30), "log:\n\(archive.log)")
        #expect(archive.log.contains("cannot commit a batch; it is tried again"))
        #expect(archive.process.isRunning)

        let inside = "/proc/\(archive.pid)/root" + directory
        #expect(unlink(inside + "/filler") == 0)
        func archived() -> Int? {
            // In the worker's mount namespace: SQLite resolves the /proc/<pid>/root link to "/".
            let run = try? runToEnd(
                "/usr/bin/nsenter",
                [
                    "--target", "\(archive.pid)", "--mount", "/usr/bin/env", "python3", "-c",
                    "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM articles').fetchone()[0])",
                    directory + "/archive.sqlite",
                ])
            return run.flatMap { Int($0.output.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        #expect(waitUntil(timeout: 60) { archived() == count }, "archived: \(archived() ?? -1); log:\n\(archive.log)")
        #expect(archive.log.contains("the batch is committed"))
        archive.signal(SIGTERM)
        #expect(archive.waitForExit() == 0, "log:\n\(archive.log)")
        withExtendedLifetime(ingest) {}  // publishing until the end
    }

    /// The spool remounted read-only under a running ingest: claims fail (EROFS), the files wait
    /// in the inbox, the daemon stays up and tries again; remounted read-write, every file is
    /// published once.
    @Test func aReadOnlySpoolPausesIngestUntilItIsWritableAgain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try MarsadProcess(
            ["ingest", "--config", workspace.config], workDirectory: workspace.root,
            launcher: ["/usr/bin/unshare", "--mount", "/bin/sh", "-c", "mount -t tmpfs -o size=8m tmpfs \"$0\" && exec \"$@\"", workspace.spool])
        #expect(daemon.waitForLog("ingest ready"), "log:\n\(daemon.log)")
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())
        let inside = "/proc/\(daemon.pid)/root" + workspace.spool
        func remount(_ mode: String) throws -> Int32 {
            try runToEnd("/usr/bin/nsenter", ["--target", "\(daemon.pid)", "--mount", "/bin/mount", "-o", "remount,\(mode)", workspace.spool]).status
        }

        // Stopped, the daemon sees the files only once the spool is read-only.
        daemon.signal(SIGSTOP)
        #expect(waitUntil(timeout: 10) { isStopped(daemon.pid) })
        let count = 20
        for index in 1...count {
            let name = String(format: "%02d.txt", index)
            let text = "خبر رقم \(index) عن القوات الأمريكية في العراق\nفقرة عن الانسحاب من قاعدة عين الأسد رقم \(index).\n"
            #expect(FileManager.default.createFile(atPath: inside + "/inbox/." + name, contents: Data(text.utf8)))
            #expect(rename(inside + "/inbox/." + name, inside + "/inbox/" + name) == 0)
        }
        #expect(try remount("ro") == 0)
        daemon.signal(SIGCONT)
        #expect(daemon.waitForLog("attempt=2", timeout: 30), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("Read-only file system"))
        #expect(daemon.process.isRunning)
        #expect(subscriber.messages.isEmpty)

        #expect(try remount("rw") == 0)
        #expect(try subscriber.receive(until: { $0.messages.count >= count }, timeout: 60), "log:\n\(daemon.log)")
        #expect(subscriber.messages.map(\.envelope.seq) == Array(1...UInt64(count)))
        #expect(waitUntil(timeout: 20) { ((try? FileManager.default.contentsOfDirectory(atPath: inside + "/done")) ?? []).count == count })
        #expect(daemon.waitForLog("the journal and the spool can be written again"), "log:\n\(daemon.log)")
    }

    /// A JSONL worker writing onto the full disk: a batch written in part is cut back before it
    /// is tried again, so once space is freed the file holds every record once, whole lines only.
    @Test func aFullDiskPausesAJSONLWorkerAndLeavesNoTornOrRepeatedLine() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let directory = try fullDirectory(workspace)
        let ingest = try startIngest(workspace)
        let mirror = try MarsadProcess(
            [
                "worker", "jsonl", "--config", workspace.config, "--connect", workspace.endpoint, "--output", directory + "/articles.jsonl",
                "article.",
            ],
            workDirectory: workspace.root, launcher: fullDisk(directory))
        #expect(mirror.waitForLog("worker started"), "log:\n\(mirror.log)")

        let count = 60
        try dropArticles(workspace, count: count)
        #expect(mirror.waitForLog("attempt=2", timeout: 30), "log:\n\(mirror.log)")
        #expect(mirror.process.isRunning)

        let inside = "/proc/\(mirror.pid)/root" + directory
        #expect(unlink(inside + "/filler") == 0)
        func seqs() -> [Int]? {
            guard let text = try? String(contentsOfFile: inside + "/articles.jsonl", encoding: .utf8) else { return nil }
            var seqs: [Int] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let seq = object["seq"] as? Int
                else { return nil }  // a torn or foreign line
                seqs.append(seq)
            }
            return seqs
        }
        #expect(waitUntil(timeout: 60) { seqs()?.count == count }, "seqs: \(String(describing: seqs())); log:\n\(mirror.log)")
        #expect(seqs() == Array(1...count))
        #expect(mirror.log.contains("the batch is committed"))
        withExtendedLifetime(ingest) {}  // publishing until the end
    }

    /// Files journaled whose moves to done/ fail (done/ made immutable with `chattr +i`, which
    /// even root cannot write into): each record goes out live at once, only once, and the files
    /// wait in processing/ until done/ takes them. (Before, a record was published after its
    /// file's move, so such a record went out live never: the retry found it journaled already.)
    /// A retry only moves the files on, without parsing them again: none is counted as a
    /// duplicate of itself, each is logged as published once, and a `.jsonl` file's bad line is
    /// quarantined and counted once.
    @Test func aFileThatCannotBeMovedOnStillHasItsRecordPublishedOnce() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let releaseDone = try immutableDone(workspace)
        defer { _ = releaseDone() }
        let (daemon, subscriber) = try startFollowedIngest(workspace)

        let count = 6
        try workspace.drop(
            "00.jsonl",
            text: #"{"headline": "الحشد الشعبي يعلن إحباط هجوم غرب الأنبار", "body": "أعلنت هيئة الحشد الشعبي إحباط هجوم في صحراء الأنبار."}"#
                + "\n" + #"{"title": "سطر مقطوع", "body": "لم يكتمل"# + "\n")
        try dropArticles(workspace, count: count - 1)
        #expect(daemon.waitForLog("attempt=2", timeout: 30), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("Operation not permitted"))
        // The files of the first batch wait in processing/ (nothing new is claimed meanwhile),
        // their records out already.
        let waiting = workspace.names(in: "processing").count
        #expect(waiting >= 1)
        #expect(try subscriber.receive(until: { $0.messages.count >= waiting }), "log:\n\(daemon.log)")
        #expect(subscriber.messages.map(\.envelope.seq) == Array(1...UInt64(waiting)))

        #expect(releaseDone())
        #expect(waitUntil(timeout: 30) { workspace.names(in: "done").count == count }, "log:\n\(daemon.log)")
        #expect(daemon.waitForLog("the journal and the spool can be written again"))
        try subscriber.receive(until: { $0.messages.count > count }, timeout: 1)
        #expect(subscriber.messages.map(\.envelope.seq) == Array(1...UInt64(count)))
        #expect(workspace.names(in: "failed").sorted() == ["00.jsonl.line-2", "00.jsonl.line-2.error.json"])
        #expect(daemon.log.components(separatedBy: "quarantined a line").count == 2, "log:\n\(daemon.log)")
        #expect(!daemon.log.contains("duplicate of a journaled record"), "log:\n\(daemon.log)")
        let published = daemon.log.split(separator: "\n").filter { $0.hasSuffix(" published") }
        #expect(published.count == count, "log:\n\(daemon.log)")
    }

    /// A run killed after journaling files it could not move on (`done/` immutable): the next run
    /// finds them in processing/, sees their records in the journal from the same files (name and
    /// bytes) and moves them on as journaled before the restart, not as duplicates, publishing
    /// nothing again. A copy of one of them under another name is still a duplicate. Before, every
    /// file a crash left in processing/ after journaling was reported and counted a duplicate.
    @Test func aFileJournaledBeforeAKillIsNotADuplicateAfterTheRestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let releaseDone = try immutableDone(workspace)
        defer { _ = releaseDone() }
        // Dropped before the start, so the start-up scan takes them all in one batch.
        try dropArticles(workspace, count: 3)
        try workspace.drop(
            "00.jsonl",
            text: #"{"headline": "الحشد الشعبي يعلن إحباط هجوم غرب الأنبار", "body": "أعلنت هيئة الحشد الشعبي إحباط هجوم في صحراء الأنبار."}"#
                + "\n" + #"{"headline": "وزارة الدفاع العراقية تعلن استكمال انسحاب قوات التحالف", "#
                + #""body": "أعلنت وزارة الدفاع العراقية اليوم استكمال انسحاب قوات التحالف الدولي من قاعدة عين الأسد."}"# + "\n")
        let first = try startIngest(workspace)
        #expect(first.waitForLog("attempt=2", timeout: 30), "log:\n\(first.log)")
        let waiting = workspace.names(in: "processing").sorted()
        #expect(waiting == ["00.jsonl", "01.txt", "02.txt", "03.txt"])
        first.signal(SIGKILL)
        _ = first.waitForExit()
        #expect(releaseDone())
        let copied = try Data(contentsOf: URL(fileURLWithPath: workspace.spool + "/processing/01.txt"))
        try workspace.drop("copy.txt", bytes: Array(copied))

        let second = try startIngest(workspace)
        #expect(waitUntil(timeout: 30) { workspace.names(in: "done").count == 5 }, "log:\n\(second.log)")
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0)
        let lines = second.log.split(separator: "\n")
        let earlier = lines.filter { $0.contains("journaled before the restart from this file") }
        // One line per record: the .jsonl file's two lines, each from its own line of the file.
        #expect(earlier.count == 5, "log:\n\(second.log)")
        for name in waiting { #expect(earlier.contains { $0.contains("file=\(name)") }, "log:\n\(second.log)") }
        let duplicates = lines.filter { $0.contains("duplicate of a journaled record") }
        #expect(duplicates.count == 1 && duplicates[0].contains("file=copy.txt"), "log:\n\(second.log)")
        #expect(!lines.contains { $0.hasSuffix(" published") }, "log:\n\(second.log)")
        #expect(second.log.contains("duplicates=1 failed=0 head=5 journaled_earlier=5 published=0"), "log:\n\(second.log)")
    }

    /// A file to quarantine that cannot be moved into failed/ (here made immutable in
    /// processing/, where a crash left it): each attempt takes its report back, so failed/ never
    /// holds reports without files, one more per retry; once the file can move, it lands with
    /// its one report.
    @Test func aQuarantineThatCannotMoveLeavesNoReportBehind() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let processing = workspace.spool + "/processing"
        try FileManager.default.createDirectory(atPath: processing, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: processing + "/empty.txt", contents: Data()))
        #expect(try runToEnd("/usr/bin/chattr", ["+i", processing + "/empty.txt"]).status == 0)
        defer { _ = try? runToEnd("/usr/bin/chattr", ["-i", processing + "/empty.txt"]) }
        let daemon = try startIngest(workspace)
        #expect(daemon.waitForLog("attempt=3", timeout: 30), "log:\n\(daemon.log)")
        #expect(workspace.names(in: "failed").isEmpty, "\(workspace.names(in: "failed"))")

        #expect(try runToEnd("/usr/bin/chattr", ["-i", processing + "/empty.txt"]).status == 0)
        #expect(
            waitUntil(timeout: 30) { workspace.names(in: "failed") == ["empty.txt", "empty.txt.error.json"] }, "\(workspace.names(in: "failed"))")
        #expect(workspace.names(in: "processing").isEmpty)
    }

    /// Out of file descriptors (the open-file limit of the running ingest lowered with `prlimit`
    /// to its lowest free descriptor number, so the next descriptor cannot be had): a dropped file
    /// cannot be opened, which says nothing about the file. It waits in processing/ and is
    /// published once the limit is raised; before, it was quarantined as "unreadable". (A limit of
    /// 0 would also starve libzmq, which aborts when it cannot make a descriptor.)
    @Test func runningOutOfDescriptorsPausesInsteadOfQuarantining() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let (daemon, subscriber) = try startFollowedIngest(workspace)
        // The daemon's descriptors once they stay the same for 300 ms (start-up is over).
        func descriptors() -> Set<Int> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/fd")) ?? []).compactMap { Int($0) })
        }
        var held = descriptors()
        for _ in 0..<20 {
            usleep(300_000)
            let now = descriptors()
            if now == held { break }
            held = now
        }
        let lowestFree = (0...).first { !held.contains($0) }!
        let limit = try runToEnd("/usr/bin/prlimit", ["--pid", "\(daemon.pid)", "--nofile", "--noheadings", "--raw", "--output=SOFT"])
        let soft = limit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(soft) != nil, "prlimit: \(limit.output)\(limit.errors)")
        #expect(try runToEnd("/usr/bin/prlimit", ["--pid", "\(daemon.pid)", "--nofile=\(lowestFree):"]).status == 0)
        try dropArticles(workspace, count: 1)
        #expect(daemon.waitForLog("attempt=2", timeout: 30), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("Too many open files") && daemon.log.contains("LimitNOFILE"))
        #expect(workspace.names(in: "failed").isEmpty)
        #expect(workspace.names(in: "processing") == ["01.txt"], "inbox \(workspace.names(in: "inbox")); log:\n\(daemon.log)")

        #expect(try runToEnd("/usr/bin/prlimit", ["--pid", "\(daemon.pid)", "--nofile=\(soft):"]).status == 0)
        #expect(try subscriber.receive(until: { $0.messages.count >= 1 }), "log:\n\(daemon.log)")
        #expect(subscriber.messages.map(\.envelope.seq) == [1])
        #expect(waitUntil(timeout: 30) { workspace.names(in: "done") == ["01.txt"] })
        #expect(workspace.names(in: "failed").isEmpty)
    }
}
