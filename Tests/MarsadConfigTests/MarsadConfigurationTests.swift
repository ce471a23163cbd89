import Foundation
import Testing

@testable import MarsadConfig

@Suite struct MarsadConfigurationTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("marsad-config-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func issues(_ text: String) throws -> [ConfigIssue] {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try MarsadConfiguration.load(file: path)
            return []
        } catch let errors as ConfigErrors {
            return errors.issues
        }
    }

    @Test func noFileMeansWorkingDefaultsUnderVar() throws {
        let config = try MarsadConfiguration.load(file: nil)
        #expect(config.spool.directory == "var/spool")
        #expect(config.state.directory == "var/state")
        #expect(config.ingestPublishEndpoint.hasPrefix("ipc://"))
        #expect(config.ingestPublishEndpoint.hasSuffix("/var/state/ingest.pub"))
    }

    @Test func theShippedDefaultFileIsValidAndEqualsTheBuiltInDefaults() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/marsad.toml").standardized.path
        let config = try MarsadConfiguration.load(file: shipped)
        let defaults = try MarsadConfiguration.load(file: nil)
        #expect(config.spool.maxFileBytes == defaults.spool.maxFileBytes)
        #expect(config.spool.rescanIntervalSeconds == defaults.spool.rescanIntervalSeconds)
        #expect(config.spool.settleMilliseconds == defaults.spool.settleMilliseconds)
        #expect(config.ingest.heartbeatIntervalMilliseconds == defaults.ingest.heartbeatIntervalMilliseconds)
        #expect(config.ingest.sendHighWaterMark == defaults.ingest.sendHighWaterMark)
        #expect(config.ingest.publish == nil)
        #expect(config.log.level == defaults.log.level)
        #expect(config.metrics.addresses == defaults.metrics.addresses)
        #expect(config.classify.stream == defaults.classify.stream)
        #expect(config.archive.follow == defaults.archive.follow)
    }

    @Test func unknownKeysAreReportedWithTheirLine() throws {
        let found = try issues("[spool]\ndir = \"/tmp/x\"\nmax_bytes = 5\n\n[ingset]\nstream = \"a\"\n")
        #expect(found.count == 2)
        #expect(found.contains { $0.key == "spool.max_bytes" && $0.line == 3 && $0.reason == "unknown key" })
        #expect(found.contains { $0.key == "ingset" && $0.line == 5 })
    }

    @Test func wrongTypesAndRangesNameTheKeyAndTheReason() throws {
        let found = try issues("[ingest]\nheartbeat_interval_ms = \"often\"\nsend_hwm = -1\n[spool]\nafter_processing = \"shred\"\n")
        #expect(found.first { $0.key == "ingest.heartbeat_interval_ms" }?.reason == "expected an integer, found string")
        #expect(found.first { $0.key == "ingest.send_hwm" }?.reason == "-1 is out of range")
        #expect(found.first { $0.key == "spool.after_processing" }?.line == 5)
    }

    @Test func syntaxErrorsCarryTheirLine() throws {
        let found = try issues("[spool]\ndir = \n")
        #expect(found.count == 1)
        #expect(found[0].line == 2)
        #expect(found[0].reason.hasPrefix("TOML syntax error"))
    }

    @Test func plainTcpOffLoopbackIsRefused() throws {
        let found = try issues("[ingest]\npublish = \"tcp://10.0.0.5:7411\"\n")
        #expect(found.first?.key == "ingest.publish")
        #expect(found.first?.line == 2)
        #expect(try issues("[ingest]\npublish = \"tcp://127.0.0.1:7411\"\n").isEmpty)
        #expect(EndpointPolicy.problem(with: "tcp://0.0.0.0:1") != nil)
        #expect(EndpointPolicy.problem(with: "tcp://[::1]:1") == nil)
        #expect(EndpointPolicy.problem(with: "udp://127.0.0.1:1") != nil)
    }

    @Test func dataFilePathsAreRelativeToTheConfigFile() throws {
        let path = try write("[parsing]\ngazetteer = \"data/g.toml\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try MarsadConfiguration.load(file: path)
        #expect(config.parsing.gazetteer == URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("data/g.toml").path)
    }
}
