import Foundation
import Testing

@testable import Ingest

/// Names the spool makes must fit NAME_MAX (255 bytes) and never merge two different files.
@Suite struct SpoolNameTests {
    @Test func aShortNameIsKeptAsItIs() {
        #expect(Spool.fitted("خبر.txt", reserving: 11) == "خبر.txt")
        #expect(Spool.suffixed("خبر.txt", 2) == "خبر.dup-2.txt")
        #expect(Spool.suffixed("README", 1) == "README.dup-1")
    }

    @Test func aLongNameIsCutAtACharacterBoundaryWithItsHashAndExtension() {
        // 2-byte Arabic letters: the cut must not split one.
        let name = String(repeating: "ع", count: 124) + ".txt"  // 252 bytes
        let fitted = Spool.fitted(name, reserving: ".error.json".utf8.count)
        #expect(fitted.utf8.count + 11 <= Spool.nameMax)
        #expect(fitted.hasSuffix(".txt") && fitted.contains("~"))
        #expect(String(validating: Array(fitted.utf8), as: UTF8.self) != nil)
        #expect(fitted.hasPrefix(String(repeating: "ع", count: 100)))
        // The same name always gets the same short form; another long name another one.
        #expect(Spool.fitted(name, reserving: 11) == fitted)
        let other = String(repeating: "ع", count: 123) + "غ.txt"
        #expect(Spool.fitted(other, reserving: 11) != fitted)
    }

    @Test func aDuplicateOfA255ByteNameFits() {
        let name = String(repeating: "b", count: 251) + ".txt"
        let first = Spool.suffixed(name, 1)
        let second = Spool.suffixed(name, 2)
        #expect(first.utf8.count <= Spool.nameMax && second.utf8.count <= Spool.nameMax)
        #expect(first != second && first.hasSuffix(".dup-1.txt") && second.hasSuffix(".dup-2.txt"))
    }

    @Test func bytesThatAreNotUTF8AreEscapedAndTheRestKept() {
        let name = InboxName(bytes: Array("خبر-".utf8) + [0xFF, 0xD8] + Array(".txt".utf8))
        #expect(name.displayName == "خبر-%FF%D8.txt")
        #expect(InboxName("خبر.txt").displayName == "خبر.txt")
        // 255 bytes that are not UTF-8 would be 765 once escaped: shortened.
        let long = InboxName(bytes: [UInt8](repeating: 0xFF, count: 251) + Array(".txt".utf8))
        #expect(long.displayName.utf8.count <= Spool.nameMax && long.displayName.hasSuffix(".txt"))
    }

    @Test func aNotUTF8NameIsClaimedFromItsBytes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spool = Spool(root: root)
        try spool.prepare()
        let bytes = Array("bad-".utf8) + [0xFE] + Array(".txt".utf8)
        let path = (Array((spool.inbox + "/").utf8) + bytes + [0]).map { CChar(bitPattern: $0) }
        let descriptor = open(path, O_CREAT | O_WRONLY, 0o644)
        #expect(descriptor >= 0)
        close(descriptor)
        let names = spool.inboxNames()
        #expect(names == [InboxName(bytes: bytes)])
        #expect(try spool.claim(names[0]) == "bad-%FE.txt")
        #expect(spool.names(in: spool.processing) == ["bad-%FE.txt"])
        #expect(spool.inboxNames().isEmpty)
        #expect(try spool.claim(names[0]) == nil)
    }

    /// A `.jsonl` file's bad line quarantined again (a restart, a batch tried again) is left as
    /// it is and not reported twice; the same line number of another file of the same name (a
    /// feed that arrives every day as `feed.jsonl`) is kept beside it, not dropped.
    @Test func aLineQuarantinedAgainIsKeptOnceAndAnotherFilesLineBesideIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spool = Spool(root: root)
        try spool.prepare()
        let monday = Array(#"{"title": "سطر مقطوع", "body": "لم يكتمل"#.utf8)
        let tuesday = Array(#"{"title": "خبر الثلاثاء"#.utf8)
        let report = Data("{}".utf8)
        #expect(try spool.quarantineCopy("feed.jsonl.line-2", bytes: monday, report: report) == ("feed.jsonl.line-2", true))
        #expect(try spool.quarantineCopy("feed.jsonl.line-2", bytes: monday, report: report) == ("feed.jsonl.line-2", false))
        let second = try spool.quarantineCopy("feed.jsonl.line-2", bytes: tuesday, report: report)
        #expect(second.written && second.name != "feed.jsonl.line-2")
        #expect(try spool.quarantineCopy("feed.jsonl.line-2", bytes: tuesday, report: report) == (second.name, false))
        #expect(FileManager.default.contents(atPath: spool.failed + "/feed.jsonl.line-2") == Data(monday))
        #expect(FileManager.default.contents(atPath: spool.failed + "/" + second.name) == Data(tuesday))
        #expect(FileManager.default.fileExists(atPath: spool.failed + "/" + second.name + ".error.json"))
    }
}
