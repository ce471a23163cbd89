import ArgumentParser
import ArticleParsing
import Classification
import ClassifyWorker
import Foundation
import Ingest
import MarsadConfig
import MarsadRecord

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse article files and print their records as JSON lines, without a daemon.",
        discussion: """
            Each FILE becomes one marsad.article/1 record on standard output (see docs/record.md); \
            a .jsonl file one record per line. Files are read by extension: .txt (UTF-8, UTF-16 \
            with a BOM, Windows-1256), .html/.htm, .json, .jsonl. A file or line that cannot be \
            parsed is reported on standard error with the reason and a hint; the exit status is then 1.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .long, help: "Indent the JSON for reading.")
    var pretty = false

    @Flag(name: .long, help: "Label each article too and print marsad.labels/1 records (the article inside), as the classify worker would.")
    var labels = false

    @Argument(help: ArgumentHelp("Article files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file") }
    }

    func run() async throws {
        let config = try configOptions.load()
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let classifier = labels ? try exitOnDataErrors { try Classifier(configuration: config) } : nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        var failures = 0
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            do throws(IngestFailure) {
                let outcomes = try ArticleFileReader.records(path: path, name: name, maxBytes: config.spool.maxFileBytes, builder: builder)
                for outcome in outcomes {
                    switch outcome.result {
                    case .success(let record):
                        if let classifier {
                            let labelled = LabelSink.labels(of: record, classifier: classifier, source: .init(stream: "file", epoch: 0, seq: 0))
                            FileHandle.standardOutput.write(try! encoder.encode(labelled) + Data("\n".utf8))
                        } else {
                            FileHandle.standardOutput.write(try! encoder.encode(record) + Data("\n".utf8))
                        }
                    case .failure(let failure):
                        failures += 1
                        let at = outcome.line.map { "\(path):\($0)" } ?? path
                        FileHandle.standardError.write(Data("\(at): \(failure.code): \(failure.description) (\(failure.hint))\n".utf8))
                    }
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(path): \(error.reason): \(error.message) (\(error.hint))\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
