import MarsadConfig

extension LabelCatalog {
    /// The catalog `[classify] labels` names, or `classify.toml` found the usual way.
    public init(configuration config: MarsadConfiguration) throws {
        self = try LabelCatalog.load(file: DataFiles.locate("classify.toml", configured: config.classify.labels, besideConfig: config.sourceFile))
    }
}

extension Classifier {
    /// The catalog and the trained model the configuration names (or the default data files).
    public init(configuration config: MarsadConfiguration) throws {
        let catalog = try LabelCatalog(configuration: config)
        let model = try LabelModel.load(
            file: DataFiles.locate("classify-model.json", configured: config.classify.model, besideConfig: config.sourceFile))
        let known = Set(catalog.labels.map(\.name))
        let modelled = Set(model.labels.map(\.name))
        guard known == modelled else {
            throw ClassificationError(
                "the model's labels differ from classify.toml (\(known.symmetricDifference(modelled).sorted().joined(separator: ", "))); run `marsad train`"
            )
        }
        self.init(catalog: catalog, model: model)
    }
}
