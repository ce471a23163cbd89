import ArgumentParser
import ArticleParsing
import Foundation
import Ingest
import MarsadConfig
import MarsadRecord

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse article files and print their records as JSON lines, without a daemon.",
        discussion: """
            Each FILE becomes one marsad.article/1 record on standard output (see docs/record.md). \
            A file that cannot be parsed is reported on standard error with the reason and a hint; \
            the exit status is then 1.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .long, help: "Indent the JSON for reading.")
    var pretty = false

    @Argument(help: ArgumentHelp("Article files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file") }
    }

    func run() async throws {
        let config = try configOptions.load()
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        var failures = 0
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            do throws(IngestFailure) {
                let record = try ArticleFileReader.record(path: path, name: name, maxBytes: config.spool.maxFileBytes, builder: builder)
                FileHandle.standardOutput.write(try! encoder.encode(record) + Data("\n".utf8))
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(path): \(error.reason): \(error.message) (\(error.hint))\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
