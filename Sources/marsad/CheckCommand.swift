import Alerting
import ArgumentParser
import ArticleParsing
import Classification
import EntityLinking
import Foundation
import MarsadConfig

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and the data files it uses.",
        discussion: """
            Reports every problem with its file, line and key: TOML syntax, unknown keys, values of \
            the wrong type or out of range, endpoints that would expose a stream, and errors in the \
            gazetteer and boilerplate files. Exit status 0 when all is well, 78 otherwise.
            """)

    @Argument(help: ArgumentHelp("The configuration file. Default: $MARSAD_CONFIG, else the built-in defaults.", valueName: "file"))
    var file: String?

    func run() async throws {
        let path = file ?? MarsadConfiguration.defaultFile
        var issues: [ConfigIssue] = []
        var config = MarsadConfiguration()
        do {
            config = try MarsadConfiguration.load(file: path)
        } catch let errors as ConfigErrors {
            issues += errors.issues
        }
        var summary: [String] = []
        /// Loads one data file: its summary line, or its problems.
        func check(_ body: () throws -> String) throws {
            do {
                summary.append(try body())
            } catch let errors as ConfigErrors {
                issues += errors.issues
            }
        }
        try check {
            let boilerplate = try DataFiles.locate("boilerplate.toml", configured: config.parsing.boilerplate, besideConfig: config.sourceFile)
            _ = try BoilerplateMarkers.load(file: boilerplate)
            return "boilerplate \(boilerplate)"
        }
        try check {
            let gazetteerFile = try DataFiles.locate("gazetteer.toml", configured: config.parsing.gazetteer, besideConfig: config.sourceFile)
            return "gazetteer \(gazetteerFile) (\(try Gazetteer.load(file: gazetteerFile).entities.count) entities)"
        }
        try check {
            let linking = try DataFiles.locate("linking.toml", configured: config.parsing.linking, besideConfig: config.sourceFile)
            _ = try LinkingRules.load(file: linking)
            return "linking rules \(linking)"
        }
        var knownLabels: Set<String> = []
        do {
            let catalog = try LabelCatalog(configuration: config)
            knownLabels = Set(catalog.labels.map(\.name))
            summary.append("labels \(catalog.labels.count)")
            do {
                _ = try Classifier(configuration: config)
                summary.append("classifier model OK")
            } catch let error as ClassificationError {
                issues.append(ConfigIssue(file: "classify-model.json", line: nil, key: "", reason: error.description, hint: "run `marsad train`"))
            }
        } catch let errors as ConfigErrors {
            issues += errors.issues
        }
        try check {
            let rulesFile = try DataFiles.locate("alerts.toml", configured: config.alert.rules, besideConfig: config.sourceFile)
            let rules = try AlertRules.load(file: rulesFile, knownLabels: knownLabels)
            return "alert rules \(rulesFile) (\(rules.rules.count) rules, \(rules.spikes.count) spike rules, \(rules.sinks.count) sinks)"
        }
        if !issues.isEmpty {
            for issue in issues { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
            FileHandle.standardError.write(Data("marsad check: \(issues.count) problem\(issues.count == 1 ? "" : "s")\n".utf8))
            throw ExitCode(78)
        }
        print("\(path ?? "(built-in defaults)"): OK")
        print("  spool \(config.spool.directory), state \(config.state.directory), publish \(config.ingestPublishEndpoint)")
        for line in summary { print("  \(line)") }
    }
}
