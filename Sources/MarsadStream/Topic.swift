/// Topic frames. Every topic is a dot-separated path that *ends with a dot*:
/// `article.`, `entity.org.isis.`, `heartbeat.`. ZeroMQ matches subscriptions by byte prefix,
/// so the final dot is what keeps a subscription to one entity (`entity.org.isis.`) from also
/// catching another whose id merely starts the same way (`entity.org.isis-k.`), while
/// `entity.org.` still catches every organisation and `entity.` every entity.
public enum Topic {
    /// Every record of the ingest stream, once.
    public static let article = "article."
    /// Every record of the labels stream (the classify worker's), once.
    public static let labels = "labels."
    /// The topic each stream puts on every one of its records: a subscriber to one of them (or
    /// to a prefix of one) sees every seq of that stream, so a jump in seq is a gap.
    public static let everyRecord = [article, labels]
    /// The stream's heartbeat.
    public static let heartbeat = "heartbeat."

    /// The topic of one linked entity; `id` is `<kind>.<slug>` (slugs hold no dots).
    public static func entity(_ id: String) -> String { "entity.\(id)." }

    /// The topics one article record is published on: `article.` then one per entity.
    public static func topics(forEntityIDs ids: [String]) -> [String] {
        [article] + ids.map(entity)
    }
}
