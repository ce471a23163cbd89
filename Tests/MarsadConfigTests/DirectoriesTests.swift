import Foundation
import Testing

@testable import MarsadConfig

/// `Directories.create`: `mkdir -p` whose error names the directory, its purpose, the failing
/// `mkdir` with the system's reason, and the setting to change.
@Suite struct DirectoriesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-directories-\(UUID().uuidString)").path

    func message(_ path: String) -> String? {
        do {
            try Directories.create(path, for: "the spool", setting: "[spool] dir (or --spool)")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func createsEveryMissingParentAndAcceptsAnExistingDirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/a/b/c"
        #expect(message(path) == nil)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(message(path) == nil)
        #expect(message(root + "//a/./b/") == nil)
    }

    @Test func aMissingParentThatCannotBeMadeIsNamedWithItsReasonAndTheSetting() {
        #expect(
            message("/proc/no/such/spool")
                == "cannot create /proc/no/such/spool for the spool: mkdir /proc/no: No such file or directory; set [spool] dir (or --spool) to a path this user can write"
        )
    }

    @Test func aFileInTheWayIsNamed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/taken"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(message(file)?.contains("\(file) exists and is not a directory; set [spool] dir") == true)
        #expect(message(file + "/below")?.contains("mkdir \(file)/below: Not a directory") == true)
    }

    @Test func aRelativePathIsMadeUnderTheWorkingDirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.changeCurrentDirectoryPath(root))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        #expect(message("var/spool/inbox") == nil)
        #expect(FileManager.default.fileExists(atPath: root + "/var/spool/inbox"))
    }
}
