import ArticleParsing
import EntityLinking
import MarsadConfig
import MarsadRecord

extension RecordBuilder {
    /// Loads the boilerplate markers and the gazetteer that `config` names (or finds them in
    /// the default places, see `DataFiles`).
    public init(configuration config: MarsadConfiguration) throws {
        let markers = try BoilerplateMarkers.load(
            file: DataFiles.locate("boilerplate.toml", configured: config.parsing.boilerplate, besideConfig: config.sourceFile))
        let gazetteer = try Gazetteer.load(
            file: DataFiles.locate("gazetteer.toml", configured: config.parsing.gazetteer, besideConfig: config.sourceFile))
        self.init(parser: TextArticleParser(markers: markers), linker: EntityLinker(gazetteer: gazetteer))
    }
}
