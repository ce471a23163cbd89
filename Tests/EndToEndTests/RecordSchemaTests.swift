import Foundation
import Testing

/// The records `marsad parse` prints validate against docs/record.schema.json, checked by an
/// independent validator (Python's jsonschema).
@Suite struct RecordSchemaTests {
    @Test func seedRecordsValidateAgainstThePublishedSchema() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let seeds = MarsadProcess.packageRoot.appendingPathComponent("seeds").path
        let files = try FileManager.default.contentsOfDirectory(atPath: seeds).sorted().map { seeds + "/" + $0 }
        let parse = try MarsadProcess(["parse"] + files, workDirectory: workspace.root)
        #expect(parse.waitForExit() == 0, "log:\n\(parse.log)")

        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let schema = MarsadProcess.packageRoot.appendingPathComponent("docs/record.schema.json").path
        validator.arguments = [
            "python3", "-c",
            """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            lines = open(sys.argv[2]).read().splitlines()
            for line in lines:
                jsonschema.validate(json.loads(line), schema, format_checker=jsonschema.FormatChecker())
            print(len(lines))
            """,
            schema, parse.outputPath,
        ]
        let output = Pipe()
        validator.standardOutput = output
        try validator.run()
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "jsonschema rejected a record (is python3-jsonschema installed? scripts/test.sh installs it)")
        let count = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "\(files.count)")
    }
}
