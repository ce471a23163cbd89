import ArticleParsing
import EntityLinking
import MarsadConfig
import MarsadRecord

extension RecordBuilder {
    /// Loads the boilerplate markers, the gazetteer and the linking rules that `config` names (or finds them in
    /// the default places, see `DataFiles`).
    public init(configuration config: MarsadConfiguration) throws {
        let markers = try BoilerplateMarkers.load(
            file: DataFiles.locate("boilerplate.toml", configured: config.parsing.boilerplate, besideConfig: config.sourceFile))
        let gazetteer = try Gazetteer.load(
            file: DataFiles.locate("gazetteer.toml", configured: config.parsing.gazetteer, besideConfig: config.sourceFile))
        let rules = try LinkingRules.load(
            file: DataFiles.locate("linking.toml", configured: config.parsing.linking, besideConfig: config.sourceFile))
        self.init(
            parser: ArticleParser(lines: TextArticleParser(markers: markers, names: KnownNames(gazetteer: gazetteer))),
            linker: EntityLinker(gazetteer: gazetteer), rules: rules)
    }
}
