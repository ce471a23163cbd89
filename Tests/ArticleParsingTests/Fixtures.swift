import ArticleParsing
import EntityLinking
import Foundation
import MarsadRecord

/// The repository's own data: the seeds and the files in config/.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let markers: BoilerplateMarkers = try! BoilerplateMarkers.load(file: path("config/boilerplate.toml"))
    static let gazetteer: Gazetteer = try! Gazetteer.load(file: path("config/gazetteer.toml"))
    static let rules: LinkingRules = try! LinkingRules.load(file: path("config/linking.toml"))
    static let parser = TextArticleParser(markers: markers, names: KnownNames(gazetteer: gazetteer))
    static let builder = RecordBuilder(parser: ArticleParser(lines: parser), linker: EntityLinker(gazetteer: gazetteer), rules: rules)

    /// The record of seed `number` (000 … 004).
    static func seed(_ number: String) throws -> ArticleRecord {
        let directory = path("seeds")
        let name = try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasPrefix(number + "_") }!
        let bytes = Array(FileManager.default.contents(atPath: directory + "/" + name)!)
        return try builder.record(for: SourceFile(name: name, bytes: bytes, receivedAt: Date(timeIntervalSince1970: 1_732_000_000)))
    }
}

extension ArticleRecord {
    var entityIDs: Set<String> { Set(entities.map(\.id)) }
    func mentionTexts(of id: String) -> Set<String> { Set(entities.first { $0.id == id }?.mentions.map(\.text) ?? []) }
    var bodyText: String { paragraphs.joined(separator: "\n") }
}
