import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Each process serves Prometheus `/metrics` and `/healthz` on its `[metrics]` address.
@Suite struct MetricsTests {
    /// The base URL a process logged («metrics and health served»; port 0 picks a free port).
    func baseURL(_ process: MarsadProcess) throws -> String {
        #expect(process.waitForLog("metrics and health served"), "\(process.log)")
        let log = process.log
        guard let range = log.range(of: #"http://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression) else {
            throw TestFailure("no metrics address in the log:\n\(log)")
        }
        return String(log[range].dropLast("/metrics".count))
    }

    func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of a sample line `name{labels} value` of the exposition.
    func sample(_ body: String, _ series: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func ingestAndAWorkerCountFilesRecordsLagAndLatency() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let ingest = try MarsadProcess(["ingest", "--config", workspace.config], workDirectory: workspace.root)
        let archive = try MarsadProcess(
            ["worker", "archive", "--follow", "articles", "--config", workspace.config], workDirectory: workspace.root)
        let ingestURL = try baseURL(ingest)
        let archiveURL = try baseURL(archive)
        try workspace.dropSeeds()
        try workspace.drop("empty.txt", text: "")

        var metrics = ""
        let deadline = Date().addingTimeInterval(120)  // the whole suite runs at once on two cores
        while Date() < deadline {
            metrics = try await get(archiveURL + "/metrics").body
            if sample(metrics, #"marsad_consumer_records_total{worker="archive"}"#) == 5 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(sample(metrics, #"marsad_consumer_records_total{worker="archive"}"#) == 5, "\(metrics)\n\(archive.log)")
        #expect(sample(metrics, #"marsad_consumer_lag{worker="archive"}"#) == 0)
        #expect(sample(metrics, #"marsad_drop_latency_seconds_count{stage="archive"}"#) == 5)
        #expect(sample(metrics, #"marsad_consumer_latency_seconds_count{worker="archive"}"#) == 5)

        let ingested = try await get(ingestURL + "/metrics")
        #expect(ingested.status == 200)
        #expect(sample(ingested.body, #"marsad_ingest_records_total{outcome="published"}"#) == 5, "\(ingested.body)")
        #expect(sample(ingested.body, #"marsad_ingest_failed_total{reason="empty"}"#) == 1)
        #expect(sample(ingested.body, #"marsad_published_total{stream="ingest"}"#) == 5)
        #expect((sample(ingested.body, "marsad_ingest_bytes_total") ?? 0) > 10_000)
        #expect(sample(ingested.body, "marsad_ingest_parse_seconds_count") == 6)

        let health = try await get(ingestURL + "/healthz")
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"ok""#) && health.body.contains(#""process":"ingest""#))
        #expect(try await get(archiveURL + "/healthz").status == 200)
    }

    /// `marsad run` serves the metrics of all its stages on one address: the workers' too, which
    /// start before the metrics server does.
    @Test func runServesTheMetricsOfEveryStage() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try MarsadProcess(["run", "--quiet", "--config", workspace.config, "--metrics", "127.0.0.1:0"], workDirectory: workspace.root)
        let url = try baseURL(run) + "/metrics"
        try workspace.dropSeeds()
        let workers = ["classify", "archive", "archive-labels", "alert"]
        var metrics = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            metrics = try await get(url).body
            if workers.allSatisfy({ sample(metrics, #"marsad_consumer_records_total{worker="\#($0)"}"#) == 5 }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for worker in workers {
            #expect(sample(metrics, #"marsad_consumer_records_total{worker="\#(worker)"}"#) == 5, "\(worker):\n\(metrics)\n\(run.log)")
            #expect(sample(metrics, #"marsad_consumer_latency_seconds_count{worker="\#(worker)"}"#) == 5, "\(worker)")
            #expect(sample(metrics, #"marsad_consumer_lag{worker="\#(worker)"}"#) == 0, "\(worker)")
            #expect((sample(metrics, #"marsad_consumer_commit_seconds_count{worker="\#(worker)"}"#) ?? 0) >= 1, "\(worker)")
        }
        #expect(sample(metrics, #"marsad_published_total{stream="ingest"}"#) == 5)
        #expect(sample(metrics, #"marsad_published_total{stream="labels"}"#) == 5)
        for stream in ["ingest", "labels"] {
            let batches = sample(metrics, #"marsad_journal_append_seconds_count{stream="\#(stream)"}"#) ?? 0
            #expect(batches >= 1 && batches <= 5, "\(stream): \(batches) journal batches for 5 records")
        }
        #expect(sample(metrics, #"marsad_ingest_records_total{outcome="published"}"#) == 5)
        run.signal(SIGTERM)
        #expect(run.waitForExit(timeout: 30) == 0, "\(run.log)")
    }
}
