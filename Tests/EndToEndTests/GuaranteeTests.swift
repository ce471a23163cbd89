import Foundation
import Testing

/// The stream guarantees, proven by killing and stopping real processes: the short forms of
/// scripts/chaos.py and scripts/stall.py (their full forms are run by hand, see docs/reliability.md).
@Suite(.serialized) struct GuaranteeTests {
    func runScript(_ arguments: [String]) throws -> (status: Int32, counts: String, log: String) {
        let run = try runPythonScript(arguments)
        return (run.status, run.output, run.log)
    }

    @Test func killingIngestAndWorkersAtRandomLosesNothingAndDuplicatesNothing() throws {
        let run = try runScript(["scripts/chaos.py", "--articles", "2000", "--kills", "8", "--tiny", "--timeout", "300"])
        #expect(run.status == 0, "\(run.log)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(run.counts.utf8)) as? [String: Any])
        #expect(counts["mirrored"] as? Int == 2000)
        #expect(counts["duplicates"] as? Int == 0)
        #expect(counts["org_mirrored"] as? Int == 1000)
        #expect(counts["archived"] as? Int == 2000)
        #expect((counts["ingest_kills"] as? Int ?? 0) >= 8)
    }

    @Test func killingThePostgresArchiveWorkerAtRandomLosesNothingAndDuplicatesNothing() throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["MARSAD_TEST_POSTGRES_URL"],
            "MARSAD_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts a throwaway PostgreSQL server")
        let run = try runScript(["scripts/chaos.py", "--articles", "1000", "--kills", "5", "--tiny", "--timeout", "300", "--postgres", url])
        #expect(run.status == 0, "\(run.log)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(run.counts.utf8)) as? [String: Any])
        #expect(counts["archived"] as? Int == 1000)
        #expect((counts["archive_worker_kills"] as? Int ?? 0) >= 5)
    }

    @Test func stoppedWorkersCatchUpAndALateWorkerGetsEverythingByReplay() throws {
        let run = try runScript(["scripts/stall.py", "--articles", "3000", "--stop-seconds", "5", "--tiny", "--timeout", "300"])
        #expect(run.status == 0, "\(run.log)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(run.counts.utf8)) as? [String: Any])
        #expect((counts["late"] as? [String: Int])?["unique"] == 3001)
        #expect((counts["org"] as? [String: Int])?["duplicates"] == 0)
    }
}
