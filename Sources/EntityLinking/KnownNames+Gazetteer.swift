import ArticleParsing

extension KnownNames {
    /// The places (kind `loc`) and outlets (type `media`) of a gazetteer, strong names only.
    public init(gazetteer: Gazetteer) {
        var places: Set<String> = []
        var media: Set<String> = []
        for entity in gazetteer.entities {
            if entity.kind == .location { for name in entity.names { places.insert(KnownNames.key(name)) } }
            if entity.isMedia { for name in entity.names { media.insert(KnownNames.key(name)) } }
        }
        self.init(places: places, media: media)
    }
}
