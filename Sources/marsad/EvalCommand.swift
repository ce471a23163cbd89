import ArgumentParser
import Evaluation
import Foundation
import Ingest
import MarsadRecord

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the parser and linker (articles) or the classifier (labels) against labelled data.",
        subcommands: [EvalArticlesCommand.self, EvalLabelsCommand.self],
        defaultSubcommand: EvalArticlesCommand.self)
}

struct EvalArticlesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "articles",
        abstract: "Run the parser and linker over labelled articles and print per-field precision and recall.",
        discussion: """
            DIR holds article files (.txt, .html, .json) each with NAME.expected.json beside it: \
            title, published (YYYY-MM-DD or null), outlet (or null), entities.required and \
            entities.forbidden (ids), paragraphs [min, max], and optionally received_at (the \
            reference time for relative dates). Entity precision counts every linked id that is \
            not required as a false positive. The exit status is 1 when a figure is below its \
            threshold. Example: marsad eval Tests/Fixtures/eval
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Argument(help: ArgumentHelp("Directory of labelled articles.", valueName: "dir"))
    var directory: String

    @Option(help: "Minimum share of exact titles.") var minTitle = 0.95
    @Option(help: "Minimum share of correct dates, where a date is stated.") var minDate = 0.90
    @Option(help: "Minimum share of correct outlets, where an outlet is stated.") var minOutlet = 0.90
    @Option(help: "Minimum entity precision over the linked kinds.") var minPrecision = 0.95
    @Option(help: "Minimum entity recall over the linked kinds.") var minRecall = 0.90

    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Do not list the failures.") var quiet = false

    func run() async throws {
        let config = try configOptions.load()
        let builder = try exitOnDataErrors { try RecordBuilder(configuration: config) }
        let report: ArticleEvaluationReport
        do {
            report = try ArticleEvaluation(builder: builder).evaluate(directory: directory)
        } catch {
            FileHandle.standardError.write(Data("marsad eval: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard report.articles > 0 else {
            FileHandle.standardError.write(Data("marsad eval: no labelled articles in \(directory) (need NAME.expected.json beside each)\n".utf8))
            throw ExitCode(1)
        }
        let checks: [(String, Double, Double)] = [
            ("title", report.title.rate, minTitle), ("date", report.date.rate, minDate), ("outlet", report.outlet.rate, minOutlet),
            ("entity precision", report.entities.precision, minPrecision), ("entity recall", report.entities.recall, minRecall),
        ]
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(Self.table(report))
            if !quiet && !report.failures.isEmpty {
                print("\nfailures (\(report.failures.count)):")
                for failure in report.failures { print("  " + failure) }
            }
        }
        let below = checks.filter { $0.1 < $0.2 }
        for (name, value, minimum) in below {
            FileHandle.standardError.write(Data("marsad eval: \(name) \(Self.percent(value)) is below \(Self.percent(minimum))\n".utf8))
        }
        if !below.isEmpty { throw ExitCode(1) }
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }

    static func table(_ report: ArticleEvaluationReport) -> String {
        var lines = ["\(report.articles) labelled articles", ""]
        func field(_ name: String, _ score: FieldScore, _ note: String = "") {
            lines.append(
                name.padding(toLength: 12, withPad: " ", startingAt: 0) + percent(score.rate).leftPadded(8) + "  (\(score.correct)/\(score.total))"
                    + note)
        }
        field("title", report.title, "  exact match")
        field("date", report.date, "  where stated; \(report.spuriousDates) spurious where none is stated")
        field("outlet", report.outlet, "  where stated")
        field("paragraphs", report.paragraphs, "  count within the labelled range")
        lines.append("")
        lines.append("entities      precision  recall   tp   fp   fn")
        func entityRow(_ name: String, _ score: EntityScore) {
            lines.append(
                name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%9.3f %7.3f", score.precision, score.recall)
                    + String(format: " %4d %4d %4d", score.truePositives, score.falsePositives, score.falseNegatives))
        }
        for kind in report.entitiesByKind.keys.sorted() { entityRow(kind, report.entitiesByKind[kind]!) }
        entityRow("all", report.entities)
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
