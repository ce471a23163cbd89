import Foundation
import Testing

/// Marsad under a real systemd: scripts/system-test.sh boots a debootstrapped Debian with
/// systemd-nspawn, installs Marsad with scripts/install.sh, and checks the four units end to end
/// (READY, watchdog pings, files archived, restarts after SIGKILL with nothing lost). See
/// docs/service.md.
///
/// It runs by default whenever the test process is root and systemd-nspawn is there (or
/// installable), with the binary the test run already built (`MarsadProcess.binary`:
/// `$MARSAD_BIN`, else `.build/debug/marsad`); the script binds the toolchain's Swift runtime into
/// the container read-only, so no second build is needed. About 25 s with the cached root; the
/// first run on a machine debootstraps it (about 45–70 s more, from deb.debian.org).
/// `MARSAD_SYSTEM_TEST=0` skips it; `MARSAD_SYSTEM_TEST=static` runs it with the script's own
/// static release build instead (10–16 minutes from a fresh clone on two cores), as
/// `sudo scripts/system-test.sh` does.
@Suite struct SystemTests {
    /// Whether this process may boot a container: root, and systemd-nspawn present or installable.
    static let nspawnAvailable: Bool = {
        guard getuid() == 0 else { return false }
        let nspawn = "/usr/bin/systemd-nspawn"
        if FileManager.default.isExecutableFile(atPath: nspawn) { return true }
        // As the script would: install it, updating the package lists first if that is needed.
        let install = ["apt-get", "install", "-y", "-qq", "systemd-container"]
        for command in [install, ["apt-get", "update", "-qq"], install] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
            process.environment = ProcessInfo.processInfo.environment.merging(["DEBIAN_FRONTEND": "noninteractive"]) { $1 }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            if FileManager.default.isExecutableFile(atPath: nspawn) { return true }
        }
        return false
    }()

    /// `MARSAD_SYSTEM_TEST`: unset or `1`, the built binary; `static`, a static release build; `0`, skipped.
    static let mode = ProcessInfo.processInfo.environment["MARSAD_SYSTEM_TEST"] ?? "1"

    @Test(
        .enabled(if: mode != "0", "MARSAD_SYSTEM_TEST=0"),
        .enabled(if: getuid() == 0, "the system test boots a container with systemd-nspawn: it needs root"),
        .enabled(if: nspawnAvailable, "systemd-nspawn is not installed and `apt-get install systemd-container` failed"))
    func fourUnitsUnderSystemdProcessFilesSurviveSIGKILLAndReportReadyAndWatchdog() throws {
        var arguments = ["bash", MarsadProcess.packageRoot.appendingPathComponent("scripts/system-test.sh").path, "--timeout", "600"]
        // The whole script, bounded: waiting for the cache lock and debootstrap (900 s each at most
        // in the script), the run itself (600 s), and with `static` the build (3,600 s).
        var limit: TimeInterval = 2_400
        if Self.mode == "static" {
            limit += 3_600
        } else {
            guard FileManager.default.isExecutableFile(atPath: MarsadProcess.binary) else {
                throw TestFailure("no marsad executable at \(MarsadProcess.binary): run `swift build` before `swift test`")
            }
            arguments += ["--binary", MarsadProcess.binary]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = MarsadProcess.packageRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // SIGTERM: the script stops the container and removes what it made before it exits.
        let pid = process.processIdentifier
        let guardTimer = DispatchSource.makeTimerSource(queue: .global())
        guardTimer.schedule(deadline: .now() + limit)
        guardTimer.setEventHandler { kill(pid, SIGTERM) }
        guardTimer.resume()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guardTimer.cancel()
        print(text, terminator: "")
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("system-test: OK") }, "no success line in:\n\(text)")
    }
}
