import ArabicText
import ArticleParsing

extension KnownNames {
    /// The places (kind `loc`, strong names) and outlets (type `media`: every name, weak ones
    /// and the bare name of «صحيفة الشرق الأوسط» included — a line that is nothing but the
    /// name is the outlet's) of a gazetteer.
    public init(gazetteer: Gazetteer) {
        var places: Set<String> = []
        var media: Set<String> = []
        for entity in gazetteer.entities {
            if entity.kind == .location { for name in entity.names { places.insert(KnownNames.key(name)) } }
            guard entity.isMedia else { continue }
            for name in entity.names + entity.weakNames {
                media.insert(KnownNames.key(name))
                if let bare = EntityLinker.bareMediaName(name) { media.insert(bare) }
            }
        }
        self.init(places: WordSet(places), media: WordSet(media))
    }
}
