import ArgumentParser
import Classification
import Foundation
import MarsadConfig

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the classifier on labelled sentences and write its model.",
        discussion: """
            Reads every .jsonl file of --data ({"text": "…", "labels": ["ASSAULT", …]} per line; \
            label names from classify.toml) and writes the model (one-vs-rest logistic regression \
            over light stems, suffix-stripped stems, bigrams and lexicon hits) as JSON. Training is \
            deterministic: the same data gives the same file. `marsad eval labels` scores the same \
            procedure on a held-out fifth.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: ArgumentHelp("Directory of labelled .jsonl files.", valueName: "dir"))
    var data = "training/classify"

    @Option(help: ArgumentHelp("Model file to write. Default: [classify] model, else config/classify-model.json.", valueName: "file"))
    var output: String?

    @Flag(help: "Leave the held-out fifth out of training (what `marsad eval labels` does).")
    var holdOut = false

    func run() async throws {
        let config = try configOptions.load()
        let (catalog, examples) = try loadTrainingData(config: config, directory: data, command: "marsad train")
        let used = holdOut ? examples.filter { !$0.isHeldOut } : examples
        let model = LabelModel.train(examples: used, catalog: catalog, extractor: FeatureExtractor(catalog: catalog))
        let path = output ?? config.classify.model ?? "config/classify-model.json"
        try model.jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
        let features = model.labels.reduce(0) { $0 + $1.weights.count }
        print("trained \(catalog.labels.count) labels on \(used.count) examples (\(features) weights) → \(path)")
    }
}

struct EvalLabelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Train on four fifths of the labelled sentences and print per-label precision, recall and F1 on the rest.",
        discussion: """
            The held-out fifth is fixed by a hash of each text, so the figures are the same on \
            every run. Exit status 1 when the micro-averaged F1 is below --min-f1.
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: ArgumentHelp("Directory of labelled .jsonl files.", valueName: "dir"))
    var data = "training/classify"

    @Option(help: "Minimum micro-averaged F1.") var minF1 = 0.0

    @Flag(help: "Print the figures as JSON.") var json = false

    func run() async throws {
        let config = try configOptions.load()
        let (catalog, examples) = try loadTrainingData(config: config, directory: data, command: "marsad eval labels")
        let evaluation = LabelEvaluation.heldOut(examples: examples, catalog: catalog)
        if json {
            var rows: [[String: Any]] = evaluation.rows.map {
                ["label": $0.label, "precision": $0.precision, "recall": $0.recall, "f1": $0.f1, "support": $0.support]
            }
            let micro = evaluation.micro
            rows.append(["label": "micro", "precision": micro.precision, "recall": micro.recall, "f1": micro.f1, "support": micro.support])
            let object: [String: Any] = [
                "held_out": evaluation.examples, "trained_on": evaluation.trainedOn, "labels": rows, "macro_f1": evaluation.macroF1,
            ]
            FileHandle.standardOutput.write(
                try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) + Data("\n".utf8))
        } else {
            print("trained on \(evaluation.trainedOn) examples, scored on \(evaluation.examples) held out\n")
            print("label                precision  recall     F1  support")
            for row in evaluation.rows + [evaluation.micro] {
                print(
                    row.label.padding(toLength: 20, withPad: " ", startingAt: 0)
                        + String(format: "%10.3f %7.3f %6.3f %8d", row.precision, row.recall, row.f1, row.support))
            }
            print(String(format: "\nmacro F1 over labels present: %.3f", evaluation.macroF1))
        }
        if evaluation.micro.f1 < minF1 {
            FileHandle.standardError.write(Data(String(format: "marsad eval labels: micro F1 %.3f is below %.3f\n", evaluation.micro.f1, minF1).utf8))
            throw ExitCode(1)
        }
    }
}

/// The label catalog and the labelled examples of `directory`; a bad file or line exits 65
/// (EX_DATAERR) naming it.
func loadTrainingData(config: MarsadConfiguration, directory: String, command: String) throws -> (LabelCatalog, [TrainingExample]) {
    let catalog = try exitOnDataErrors { try LabelCatalog(configuration: config) }
    do {
        return (catalog, try TrainingExample.load(directory: directory, catalog: catalog))
    } catch {
        FileHandle.standardError.write(Data("\(command): \(error)\n".utf8))
        throw ExitCode(65)
    }
}
