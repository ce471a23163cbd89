import Foundation
import MarsadRecord
import MarsadStream
import Testing

/// `marsad ingest` as a real child process on a temporary spool, observed through real
/// inotify, real files and a real ZeroMQ SUB socket.
@Suite(.serialized) struct IngestDaemonTests {
    func startIngest(_ workspace: Workspace, extra: [String] = []) throws -> MarsadProcess {
        try MarsadProcess(["ingest", "--config", workspace.config] + extra, workDirectory: workspace.root)
    }

    func record(_ message: StreamMessage) throws -> ArticleRecord { try ArticleRecord.decode(message.payload) }

    @Test func seedsArriveOnEntityTopicsAndBadFilesAreQuarantined() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["entity.org."])
        #expect(try subscriber.waitUntilLive(), "no heartbeat; log:\n\(daemon.log)")

        let seeds = try workspace.dropSeeds()
        try workspace.drop("photo.txt", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        try workspace.drop("blank.txt", bytes: [])

        // Every seed names at least one organisation, so each reaches this subscriber.
        // Every copy has arrived once each record's organisations each had their message.
        let complete: (TestSubscriber) -> Bool = { subscriber in
            let bySeq = Dictionary(grouping: subscriber.messages, by: \.envelope.seq)
            return bySeq.count == seeds.count
                && bySeq.values.allSatisfy { copies in
                    let organisations = (try? ArticleRecord.decode(copies[0].payload))?.entities.filter { $0.kind == "org" }.count
                    return organisations == copies.count
                }
        }
        let received = try subscriber.receive(until: complete)
        #expect(received, "records received: \(subscriber.messages.count); log:\n\(daemon.log)")
        let topics = Set(subscriber.messages.map(\.topic))
        #expect(topics.allSatisfy { $0.hasPrefix("entity.org.") && $0.hasSuffix(".") })
        #expect(topics.contains("entity.org.pentagon."))
        #expect(topics.contains("entity.org.sdf."))
        #expect(topics.contains("entity.org.kataib-hezbollah."))

        for message in subscriber.messages {
            let record = try record(message)
            #expect(message.envelope.id == record.id)
            #expect(message.envelope.schema == "marsad.article/1")
            #expect(message.envelope.stream == "ingest")
            let entity = String(message.topic.dropFirst("entity.".count).dropLast())
            #expect(record.entities.contains { $0.id == entity })
        }
        let titles = Set(try subscriber.messages.map { try record($0).title })
        #expect(titles.contains("“البنتاجون”: محادثاتنا مع العراق لا تتطرق للانسحاب العسكري"))

        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == seeds && workspace.names(in: "failed").count == 4 })
        #expect(workspace.names(in: "inbox").isEmpty)
        #expect(workspace.names(in: "processing").isEmpty)
        #expect(workspace.names(in: "failed") == ["blank.txt", "blank.txt.error.json", "photo.txt", "photo.txt.error.json"])
        for (name, reason) in [("photo.txt", "binary"), ("blank.txt", "empty")] {
            let data = try #require(FileManager.default.contents(atPath: workspace.spool + "/failed/\(name).error.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(report["reason"] as? String == reason)
            #expect(report["file"] as? String == name)
            #expect((report["hint"] as? String)?.isEmpty == false)
            #expect(report["stage"] as? String == "parse")
        }

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        #expect(daemon.log.contains("ingest stopped"))
    }

    @Test func filesLeftInProcessingOrDroppedWhileStoppedAreProcessedAtStart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let seeds = try workspace.dropSeeds()
        // As if the daemon had died after claiming this one.
        try FileManager.default.createDirectory(atPath: workspace.spool + "/processing", withIntermediateDirectories: true)
        #expect(rename(workspace.inbox + "/" + seeds[0], workspace.spool + "/processing/" + seeds[0]) == 0)

        let daemon = try startIngest(workspace)
        #expect(waitUntil(timeout: 30) { workspace.names(in: "done") == seeds }, "done: \(workspace.names(in: "done")); log:\n\(daemon.log)")
        #expect(daemon.log.contains("finishing files left in processing/"))
        #expect(daemon.waitForLog("ingest ready"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func aLateSubscriberGetsEverythingPublishedOnceItIsLive() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        #expect(daemon.waitForLog("ingest ready"))
        try workspace.drop("early.txt", text: "خبر أول عن قوات سوريا الديمقراطية قبل الاشتراك\nفقرة عن قسد والتحالف الدولي في شمال شرق سوريا.\n")
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["early.txt"] })

        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())
        try workspace.drop("late.txt", text: "خبر ثان عن البنتاغون بعد الاشتراك\nفقرة عن وزارة الدفاع الأمريكية وقاعدة عين الأسد في العراق.\n")
        #expect(try subscriber.receive(until: { !$0.messages.isEmpty }))
        #expect(subscriber.messages.map(\.envelope.seq) == [2])
        #expect(try record(subscriber.messages[0]).files.first?.name == "late.txt")
        #expect(subscriber.gaps.isEmpty)
    }

    @Test func anEntityTopicDoesNotCatchAnotherIdThatStartsTheSame() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["entity.org.isis."])
        #expect(try subscriber.waitUntilLive(), "log:\n\(daemon.log)")
        try workspace.drop("k.txt", text: "هجوم جديد يتبناه داعش خراسان في أفغانستان\nقال مسؤولون إن تنظيم ولاية خراسان نفذ الهجوم.\n")
        try workspace.drop("i.txt", text: "هجوم جديد يتبناه تنظيم داعش في البادية\nقال مسؤولون إن خلايا داعش نفذت الهجوم في البادية السورية.\n")
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done").count == 2 })
        try subscriber.receive(until: { $0.messages.count >= 2 }, timeout: 1)
        #expect(subscriber.messages.map(\.topic) == ["entity.org.isis."])
        #expect(try subscriber.messages.map { try record($0).files[0].name } == ["i.txt"])
    }

    @Test func hiddenAndPartialFilesWaitUntilRenamed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        #expect(daemon.waitForLog("ingest ready"))
        let text = Array("عنوان خبر عن العراق وسوريا\nفقرة عن الانسحاب من العراق.\n".utf8)
        #expect(FileManager.default.createFile(atPath: workspace.inbox + "/.hidden.txt", contents: Data(text)))
        #expect(FileManager.default.createFile(atPath: workspace.inbox + "/upload.txt.part", contents: Data(text)))
        usleep(2_500_000)  // longer than the rescan interval of the test config
        #expect(workspace.names(in: "inbox") == [".hidden.txt", "upload.txt.part"])
        #expect(rename(workspace.inbox + "/upload.txt.part", workspace.inbox + "/upload.txt") == 0)
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["upload.txt"] })
        #expect(workspace.names(in: "inbox") == [".hidden.txt"])
    }

    @Test func theSameArticleUnderTwoNamesIsPublishedOnce() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())
        let text = "عنوان خبر عن العراق وسوريا\nفقرة عن الانسحاب من العراق.\n"
        try workspace.drop("a.txt", text: text)
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt"] })
        try workspace.drop("b.txt", text: text.replacingOccurrences(of: "العراق", with: "العراق"))
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt", "b.txt"] })
        try subscriber.receive(until: { $0.messages.count >= 2 }, timeout: 1)
        #expect(subscriber.messages.count == 1)
        #expect(daemon.log.contains("duplicate of a journaled record"))
    }

    /// A file that cannot be claimed for a reason of its own (here made immutable with `chattr
    /// +i`, as a file of another user in a sticky inbox would be) does not hold up the others
    /// and pauses nothing: said once, it stays in inbox/ and is taken at the first rescan after
    /// it can be. (Before, it was taken for a storage failure, and ingest paused for good.)
    @Test func aFileThatCannotBeClaimedWaitsAloneInTheInbox() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // In the inbox before ingest starts: its first scan finds it.
        let stuck = workspace.inbox + "/stuck.txt"
        #expect(FileManager.default.createFile(atPath: stuck, contents: Data("عنوان خبر عالق\nفقرة عن الانسحاب من العراق.\n".utf8)))
        #expect(try runToEnd("/usr/bin/chattr", ["+i", stuck]).status == 0)
        defer { _ = try? runToEnd("/usr/bin/chattr", ["-i", stuck]) }
        let daemon = try startIngest(workspace)
        #expect(daemon.waitForLog("ingest ready"))
        try workspace.drop("a.txt", text: "عنوان خبر عن العراق وسوريا\nفقرة عن الانسحاب من العراق.\n")
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt"] }, "log:\n\(daemon.log)")
        usleep(4_500_000)  // two rescans of the test config
        try workspace.drop("b.txt", text: "عنوان خبر آخر عن سوريا\nفقرة عن الحدود مع سوريا.\n")
        #expect(waitUntil(timeout: 5) { workspace.names(in: "done") == ["a.txt", "b.txt"] }, "log:\n\(daemon.log)")
        #expect(daemon.log.components(separatedBy: "cannot claim a file").count == 2, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("Operation not permitted"))
        #expect(!daemon.log.contains("cannot store"), "log:\n\(daemon.log)")
        #expect(workspace.names(in: "inbox") == ["stuck.txt"])

        #expect(try runToEnd("/usr/bin/chattr", ["-i", stuck]).status == 0)
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt", "b.txt", "stuck.txt"] }, "log:\n\(daemon.log)")
    }

    @Test func aFullInotifyQueueTriggersARescanAndNothingIsLost() throws {
        let workspace = try Workspace(extraConfig: "")
        defer { workspace.remove() }
        let daemon = try startIngest(workspace)
        #expect(daemon.waitForLog("ingest ready"))
        // Stopped, the daemon cannot read events: more files than the kernel queue holds
        // (16,384 by default) overflow it.
        daemon.signal(SIGSTOP)
        let count = 17_000
        for index in 0..<count {
            try workspace.drop(String(format: "%05d.txt", index), text: "خبر رقم \(index) عن سوريا\nفقرة رقم \(index) عن العراق.\n")
        }
        daemon.signal(SIGCONT)
        #expect(waitUntil(timeout: 240) { workspace.names(in: "done").count == count }, "done: \(workspace.names(in: "done").count)")
        #expect(daemon.log.contains("inotify queue overflowed"))
        #expect(workspace.names(in: "failed").isEmpty)
        #expect(workspace.names(in: "inbox").isEmpty)
    }

    /// A second ingest on the spool or the journal of a running one (a terminal `marsad run`
    /// beside the systemd service, say) is refused with the owner's pid, and the owner goes on.
    /// Once the owner is SIGKILLed, its locks are gone with it.
    @Test func aSecondDaemonOnTheSameSpoolOrJournalIsRefusedUntilTheOwnerDies() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let owner = try startIngest(workspace)
        #expect(owner.waitForLog("ingest ready"), "log:\n\(owner.log)")

        let sameSpool = try startIngest(workspace, extra: ["--state", workspace.root + "/state-2"])
        #expect(sameSpool.waitForExit() == 1)
        #expect(
            sameSpool.log.contains("the spool \(workspace.spool) is in use by another process (pid \(owner.pid): "),
            "log:\n\(sameSpool.log)")
        #expect(sameSpool.log.contains("The lock is \(workspace.spool)/ingest.lock."))

        let sameJournal = try startIngest(workspace, extra: ["--spool", workspace.root + "/spool-2"])
        #expect(sameJournal.waitForExit() == 1)
        #expect(
            sameJournal.log.contains(
                "the journal of stream \"ingest\" (\(workspace.state)/journal/ingest) is in use by another process (pid \(owner.pid): "),
            "log:\n\(sameJournal.log)")

        // The owner was not disturbed.
        let subscriber = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try subscriber.waitUntilLive())
        try workspace.drop("a.txt", text: "عنوان خبر عن العراق وسوريا\nفقرة عن الانسحاب من العراق.\n")
        #expect(try subscriber.receive(until: { $0.messages.count == 1 }))
        // A record goes out before its file moves on: the move follows.
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt"] })

        owner.signal(SIGKILL)
        #expect(owner.waitForExit() != nil)
        let successor = try startIngest(workspace)
        #expect(successor.waitForLog("ingest ready"), "log:\n\(successor.log)")
        let next = try TestSubscriber(endpoint: workspace.endpoint, prefixes: ["article."])
        #expect(try next.waitUntilLive())
        try workspace.drop("b.txt", text: "عنوان خبر آخر عن سوريا\nفقرة عن الحدود مع العراق.\n")
        #expect(try next.receive(until: { $0.messages.contains { $0.envelope.seq == 2 } }), "log:\n\(successor.log)")
        #expect(waitUntil(timeout: 20) { workspace.names(in: "done") == ["a.txt", "b.txt"] })
    }
}
