import ArabicText
import MarsadConfig

/// One canonical entity of the gazetteer.
public struct Entity: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case person = "per", organization = "org", location = "loc", facility = "fac", miscellaneous = "misc"
    }
    /// `<kind>.<slug>`, e.g. `org.isis`.
    public let id: String
    public let kind: Kind
    public let nameArabic: String
    public let nameEnglish: String
    /// Wikidata Q-id, or `nil` when the team has not verified one.
    public let wikidata: String?
    /// Every name the entity is found by (the Arabic and English names included).
    public let names: [String]
    /// Ambiguous short forms («الأسد», «التحالف»): linked only when the article also names the
    /// entity by one of `names`, or a `context` word stands in the same paragraph.
    public let weakNames: [String]
    /// Normalised words that make a weak name safe in its paragraph.
    public let context: Set<String>
    /// A finer class than the kind, e.g. `media` for outlets and news agencies.
    public let type: String?

    public init(
        id: String, kind: Kind, nameArabic: String, nameEnglish: String, wikidata: String?, names: [String],
        weakNames: [String] = [], context: Set<String> = [], type: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.nameArabic = nameArabic
        self.nameEnglish = nameEnglish
        self.wikidata = wikidata
        self.names = names
        self.weakNames = weakNames
        self.context = context
        self.type = type
    }

    /// Outlets and news agencies.
    public var isMedia: Bool { type == "media" }
}

/// The entities Marsad links to, loaded from `config/gazetteer.toml`.
public struct Gazetteer: Sendable {
    public let entities: [Entity]
    private let indexByID: [String: Int]

    public init(entities: [Entity]) {
        self.entities = entities
        var index: [String: Int] = [:]
        for (position, entity) in entities.enumerated() { index[entity.id] = position }
        self.indexByID = index
    }

    public func entity(id: String) -> Entity? { indexByID[id].map { entities[$0] } }

    /// Loads and validates a gazetteer: ids are `<kind>.<slug>` with the right kind, unique,
    /// and no name may belong to two entities (after normalisation). Every problem is reported
    /// with its line.
    public static func load(file: String) throws -> Gazetteer {
        let document = try TOMLDocument(contentsOf: file)
        let root = document.table
        var entities: [Entity] = []
        var seenIDs: Set<String> = []
        var owners: [String: String] = [:]
        for table in root.tables("entity") {
            let id = table.string("id", default: "")
            let kindText = table.string("kind", default: "")
            let nameArabic = table.string("name_ar", default: "")
            let nameEnglish = table.string("name_en", default: "")
            let wikidata = table.string("wikidata", default: "")
            let aliases = table.strings("aliases")
            let weakAliases = table.strings("weak_aliases")
            let contextWords = table.strings("context")
            let type = table.optionalString("type")
            table.rejectUnknownKeys()

            guard let kind = Entity.Kind(rawValue: kindText) else {
                table.report("kind", "\"\(kindText)\" is not a kind", hint: "use per, org, loc, fac or misc")
                continue
            }
            let slug = id.hasPrefix(kindText + ".") ? String(id.dropFirst(kindText.count + 1)) : ""
            if slug.isEmpty || !slug.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) {
                table.report("id", "\"\(id)\" is not \(kindText).<slug> with a slug of a-z, 0-9 and -")
                continue
            }
            if !seenIDs.insert(id).inserted {
                table.report("id", "\"\(id)\" is used twice")
                continue
            }
            if nameArabic.isEmpty { table.report("name_ar", "is missing") }
            if nameEnglish.isEmpty { table.report("name_en", "is missing") }
            if !wikidata.isEmpty && !(wikidata.hasPrefix("Q") && wikidata.dropFirst().allSatisfy(\.isNumber) && wikidata.count > 1) {
                table.report("wikidata", "\"\(wikidata)\" is not a Wikidata id like Q858", hint: "leave it empty when unsure")
            }
            if !weakAliases.isEmpty && contextWords.isEmpty {
                table.report("context", "is missing", hint: "weak_aliases need context words that make them safe")
            }
            if let type, type != "media" {
                table.report("type", "\"\(type)\" is not a type", hint: "the only type is \"media\" (outlets and agencies)")
            }
            func collect(_ list: [String], key field: String) -> [String] {
                var kept: [String] = []
                for name in list where !name.isEmpty {
                    let key = EntityLinker.nameKey(name)
                    if key.isEmpty {
                        table.report(field, "\"\(name)\" has no letters to match")
                        continue
                    }
                    if let owner = owners[key], owner != id {
                        table.report(field, "\"\(name)\" is also a name of \(owner)", hint: "a name must lead to one entity")
                        continue
                    }
                    owners[key] = id
                    kept.append(name)
                }
                return kept
            }
            let names = collect([nameArabic, nameEnglish] + aliases, key: "aliases")
            let weakNames = collect(weakAliases, key: "weak_aliases")
            let context = Set(contextWords.flatMap { ArabicTokenizer.tokens(of: $0).map(\.text) })
            entities.append(
                Entity(
                    id: id, kind: kind, nameArabic: nameArabic, nameEnglish: nameEnglish, wikidata: wikidata.isEmpty ? nil : wikidata,
                    names: names, weakNames: weakNames, context: context, type: type))
        }
        root.rejectUnknownKeys()
        try document.finish()
        return Gazetteer(entities: entities)
    }
}
