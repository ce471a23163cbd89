import Foundation
import Testing

/// The systemd units and the install script, checked without booting systemd.
@Suite struct InstallTests {
    func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", MarsadProcess.packageRoot.appendingPathComponent(script).path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["MARSAD_BIN": MarsadProcess.binary]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func theUnitsVerifyAndRateTwoOrBetter() throws {
        let result = try run("scripts/check-units.sh", [])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("marsad-ingest.service: 1."))
        #expect(result.output.contains("marsad-worker@archive.service: 1."))
    }

    @Test func installPutsEverythingInPlaceAndUninstallKeepsTheConfiguration() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-install-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let install = try run("scripts/install.sh", ["--destdir", root, "--binary", MarsadProcess.binary])
        #expect(install.status == 0, "\(install.output)")
        for file in [
            "usr/local/bin/marsad", "etc/systemd/system/marsad-ingest.service", "etc/systemd/system/marsad-worker@.service",
            "etc/systemd/system/marsad.target", "usr/lib/sysusers.d/marsad.conf", "usr/lib/tmpfiles.d/marsad.conf",
            "etc/marsad/marsad.toml", "etc/marsad/gazetteer.toml", "etc/marsad/boilerplate.toml", "usr/local/share/doc/marsad/wire.md",
        ] {
            #expect(FileManager.default.fileExists(atPath: root + "/" + file), "\(file) missing")
        }
        // The installed configuration points at the service's directories and checks clean,
        // finding its data files beside it.
        let check = try MarsadProcess(["check", root + "/etc/marsad/marsad.toml"], workDirectory: root, environment: ["MARSAD_DATA_DIR": ""])
        #expect(check.waitForExit() == 0, "\(check.log)")
        #expect(check.output.contains("spool /var/spool/marsad, state /var/lib/marsad, publish ipc:///run/marsad/ingest.pub"))
        #expect(check.output.contains("gazetteer \(root)/etc/marsad/gazetteer.toml"))

        // A second install keeps an edited configuration.
        try "# edited\n".write(toFile: root + "/etc/marsad/marsad.toml", atomically: true, encoding: .utf8)
        #expect(try run("scripts/install.sh", ["--destdir", root, "--binary", MarsadProcess.binary]).status == 0)
        #expect(try String(contentsOfFile: root + "/etc/marsad/marsad.toml", encoding: .utf8) == "# edited\n")

        #expect(try run("scripts/uninstall.sh", ["--destdir", root]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/marsad"))
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/systemd/system/marsad-ingest.service"))
        #expect(FileManager.default.fileExists(atPath: root + "/etc/marsad/marsad.toml"))
    }
}
