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
        do {
            let boilerplate = try DataFiles.locate("boilerplate.toml", configured: config.parsing.boilerplate, besideConfig: config.sourceFile)
            _ = try BoilerplateMarkers.load(file: boilerplate)
            summary.append("boilerplate \(boilerplate)")
        } catch let errors as ConfigErrors {
            issues += errors.issues
        }
        do {
            let gazetteerFile = try DataFiles.locate("gazetteer.toml", configured: config.parsing.gazetteer, besideConfig: config.sourceFile)
            let gazetteer = try Gazetteer.load(file: gazetteerFile)
            summary.append("gazetteer \(gazetteerFile) (\(gazetteer.entities.count) entities)")
        } catch let errors as ConfigErrors {
            issues += errors.issues
        }
        do {
            let linking = try DataFiles.locate("linking.toml", configured: config.parsing.linking, besideConfig: config.sourceFile)
            _ = try LinkingRules.load(file: linking)
            summary.append("linking rules \(linking)")
        } catch let errors as ConfigErrors {
            issues += errors.issues
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
        do {
            let rulesFile = try DataFiles.locate("alerts.toml", configured: config.alert.rules, besideConfig: config.sourceFile)
            let rules = try AlertRules.load(file: rulesFile, knownLabels: knownLabels)
            summary.append("alert rules \(rulesFile) (\(rules.rules.count) rules, \(rules.spikes.count) spike rules, \(rules.sinks.count) sinks)")
        } catch let errors as ConfigErrors {
            issues += errors.issues
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
