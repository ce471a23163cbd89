import Foundation

// The records read by `JSONReader`, key by key: what `ArticleRecord.decode`, `LabelsRecord.decode`
// and the workers' partial decodes use. They accept what the `Decodable` conformances accept
// (keys in any order, unknown keys skipped, `null` or absent for optional values, the fields
// added after version 1 absent) and give the same values; `RecordReadingTests` checks both
// agree on real records.

extension ArticleRecord {
    /// `mentions: false` reads each entity's `count` but leaves its `mentions` empty, for readers
    /// that need which entities and not where (most of a record's size is its mentions).
    init(reading reader: inout JSONReader, mentions: Bool = true) throws {
        var schema: String?, id: String?, title: String?, lang: String?, encoding: String?, ingestedAt: String?
        var published: Published?, outlet: OutletField?, url: String?
        var paragraphs: [String]?, subheadings: [SubheadingField]?, removed: [RemovedField]?, related: [RelatedField]?
        var entities: [EntityField]?, citedSources: [CitedSourceField] = [], candidates: [CandidateField] = [], files: [FileField]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "schema": schema = try reader.string()
            case "id": id = try reader.string()
            case "title": title = try reader.string()
            case "published": published = reader.readNull() ? nil : try Published(reading: &reader)
            case "outlet": outlet = reader.readNull() ? nil : try OutletField(reading: &reader)
            case "url": url = try reader.optionalString()
            case "lang": lang = try reader.string()
            case "encoding": encoding = try reader.string()
            case "paragraphs": paragraphs = try reader.strings()
            case "subheadings": subheadings = try reader.objects { try SubheadingField(reading: &$0) }
            case "removed": removed = try reader.objects { try RemovedField(reading: &$0) }
            case "related": related = try reader.objects { try RelatedField(reading: &$0) }
            case "entities": entities = try reader.objects { try EntityField(reading: &$0, mentions: mentions) }
            case "cited_sources": citedSources = reader.readNull() ? [] : try reader.objects { try CitedSourceField(reading: &$0) }
            case "candidates": candidates = reader.readNull() ? [] : try reader.objects { try CandidateField(reading: &$0) }
            case "files": files = try reader.objects { try FileField(reading: &$0) }
            case "ingested_at": ingestedAt = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let schema else { throw reader.missing("schema") }
        self.init(
            id: try reader.required(id, "id"), title: try reader.required(title, "title"), published: published, outlet: outlet, url: url,
            lang: try reader.required(lang, "lang"), encoding: try reader.required(encoding, "encoding"),
            paragraphs: try reader.required(paragraphs, "paragraphs"), subheadings: try reader.required(subheadings, "subheadings"),
            removed: try reader.required(removed, "removed"), related: try reader.required(related, "related"),
            entities: try reader.required(entities, "entities"), citedSources: citedSources, candidates: candidates,
            files: try reader.required(files, "files"), ingestedAt: try reader.required(ingestedAt, "ingested_at"))
        self.schema = schema
    }
}

extension ArticleRecord.Published {
    init(reading reader: inout JSONReader) throws {
        var date: String?, precision: String?, basis: String?, text: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "date": date = try reader.string()
            case "precision": precision = try reader.string()
            case "basis": basis = try reader.string()
            case "text": text = try reader.string()
            default: try reader.skipValue()
            }
        }
        self.init(
            date: try reader.required(date, "date"), precision: try reader.required(precision, "precision"),
            basis: try reader.required(basis, "basis"), text: try reader.required(text, "text"))
    }
}

extension ArticleRecord.OutletField {
    init(reading reader: inout JSONReader) throws {
        var name: String?, basis: String?, text: String?, id: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "name": name = try reader.string()
            case "basis": basis = try reader.string()
            case "text": text = try reader.string()
            case "id": id = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        self.init(
            name: try reader.required(name, "name"), basis: try reader.required(basis, "basis"), text: try reader.required(text, "text"), id: id)
    }
}

/// Where a span is (`field`, `paragraph`, `start`, `end`), as mentions, cited sources,
/// candidates and evidence have it: `read` takes the key if it is one of the four.
struct PlaceReading {
    var field: String?
    var paragraph: Int?
    var start: Int?
    var end: Int?

    mutating func read(_ key: String, from reader: inout JSONReader) throws -> Bool {
        switch key {
        case "field": field = try reader.string()
        case "paragraph": paragraph = try reader.optionalInt()
        case "start": start = try reader.int()
        case "end": end = try reader.int()
        default: return false
        }
        return true
    }
}

extension ArticleRecord.CitedSourceField {
    init(reading reader: inout JSONReader) throws {
        var id: String?, name: String?, text: String?
        var place = PlaceReading()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if try place.read(key, from: &reader) { continue }
            switch key {
            case "id": id = try reader.optionalString()
            case "name": name = try reader.string()
            case "text": text = try reader.string()
            default: try reader.skipValue()
            }
        }
        self.init(
            id: id, name: try reader.required(name, "name"), text: try reader.required(text, "text"),
            field: try reader.required(place.field, "field"),
            paragraph: place.paragraph, start: try reader.required(place.start, "start"), end: try reader.required(place.end, "end"))
    }
}

extension ArticleRecord.CandidateField {
    init(reading reader: inout JSONReader) throws {
        var name: String?, title: String?
        var place = PlaceReading()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if try place.read(key, from: &reader) { continue }
            switch key {
            case "name": name = try reader.string()
            case "title": title = try reader.string()
            default: try reader.skipValue()
            }
        }
        self.init(
            name: try reader.required(name, "name"), title: try reader.required(title, "title"), field: try reader.required(place.field, "field"),
            paragraph: place.paragraph, start: try reader.required(place.start, "start"), end: try reader.required(place.end, "end"))
    }
}

extension ArticleRecord.SubheadingField {
    init(reading reader: inout JSONReader) throws {
        var text: String?, beforeParagraph: Int?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "text": text = try reader.string()
            case "before_paragraph": beforeParagraph = try reader.int()
            default: try reader.skipValue()
            }
        }
        self.init(text: try reader.required(text, "text"), beforeParagraph: try reader.required(beforeParagraph, "before_paragraph"))
    }
}

extension ArticleRecord.RemovedField {
    init(reading reader: inout JSONReader) throws {
        var kind: String?, text: String?, line: Int?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "kind": kind = try reader.string()
            case "text": text = try reader.string()
            case "line": line = try reader.int()
            default: try reader.skipValue()
            }
        }
        self.init(kind: try reader.required(kind, "kind"), text: try reader.required(text, "text"), line: try reader.required(line, "line"))
    }
}

extension ArticleRecord.RelatedField {
    init(reading reader: inout JSONReader) throws {
        var marker: String?, title: String?, paragraphs: [String]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "marker": marker = try reader.string()
            case "title": title = try reader.optionalString()
            case "paragraphs": paragraphs = try reader.strings()
            default: try reader.skipValue()
            }
        }
        self.init(marker: try reader.required(marker, "marker"), title: title, paragraphs: try reader.required(paragraphs, "paragraphs"))
    }
}

extension ArticleRecord.EntityField {
    init(reading reader: inout JSONReader, mentions readMentions: Bool) throws {
        var id: String?, kind: String?, nameAr: String?, nameEn: String?, wikidata: String?, count: Int?, mentions: [ArticleRecord.MentionField]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "id": id = try reader.string()
            case "kind": kind = try reader.string()
            case "name_ar": nameAr = try reader.string()
            case "name_en": nameEn = try reader.string()
            case "wikidata": wikidata = try reader.optionalString()
            case "count": count = try reader.int()
            case "mentions" where readMentions: mentions = try reader.objects { try ArticleRecord.MentionField(reading: &$0) }
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), kind: try reader.required(kind, "kind"), nameAr: try reader.required(nameAr, "name_ar"),
            nameEn: try reader.required(nameEn, "name_en"), wikidata: wikidata, count: try reader.required(count, "count"),
            mentions: readMentions ? try reader.required(mentions, "mentions") : [])
    }
}

extension ArticleRecord.MentionField {
    init(reading reader: inout JSONReader) throws {
        var text: String?
        var place = PlaceReading()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if try place.read(key, from: &reader) { continue }
            if key == "text" { text = try reader.string() } else { try reader.skipValue() }
        }
        self.init(
            field: try reader.required(place.field, "field"), paragraph: place.paragraph, start: try reader.required(place.start, "start"),
            end: try reader.required(place.end, "end"), text: try reader.required(text, "text"))
    }
}

extension ArticleRecord.FileField {
    init(reading reader: inout JSONReader) throws {
        var name: String?, sha256: String?, size: Int?, receivedAt: String?, line: Int?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "name": name = try reader.string()
            case "sha256": sha256 = try reader.string()
            case "size": size = try reader.int()
            case "received_at": receivedAt = try reader.string()
            case "line": line = try reader.optionalInt()
            default: try reader.skipValue()
            }
        }
        self.init(
            name: try reader.required(name, "name"), sha256: try reader.required(sha256, "sha256"), size: try reader.required(size, "size"),
            receivedAt: try reader.required(receivedAt, "received_at"), line: line)
    }
}

extension ArticleRecord.Text {
    init(reading reader: inout JSONReader) throws {
        var schema: String?, id: String?, title: String?, paragraphs: [String]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "schema": schema = try reader.string()
            case "id": id = try reader.string()
            case "title": title = try reader.string()
            case "paragraphs": paragraphs = try reader.strings()
            default: try reader.skipValue()
            }
        }
        self.init(
            schema: try reader.required(schema, "schema"), id: try reader.required(id, "id"), title: try reader.required(title, "title"),
            paragraphs: try reader.required(paragraphs, "paragraphs"))
    }
}

extension LabelsRecord {
    /// The record's labels and where its article's JSON is, without reading the article.
    struct Parts {
        var schema: String?
        var id: String?
        var source: Source?
        var labels: [Label]?
        var classifiedAt: String?
        var article: Range<Int>?

        init(reading reader: inout JSONReader, article readArticle: (inout JSONReader) throws -> Void) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "schema": schema = try reader.string()
                case "id": id = try reader.string()
                case "source": source = try Source(reading: &reader)
                case "labels": labels = try reader.objects { try Label(reading: &$0) }
                case "classified_at": classifiedAt = try reader.string()
                case "article":
                    let start = reader.position
                    try readArticle(&reader)
                    article = start..<reader.position
                default: try reader.skipValue()
                }
            }
            _ = try reader.required(schema, "schema")
        }
    }
}

extension LabelsRecord.Source {
    init(reading reader: inout JSONReader) throws {
        var stream: String?, epoch: UInt64?, seq: UInt64?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "stream": stream = try reader.string()
            case "epoch": epoch = try reader.uint64()
            case "seq": seq = try reader.uint64()
            default: try reader.skipValue()
            }
        }
        self.init(stream: try reader.required(stream, "stream"), epoch: try reader.required(epoch, "epoch"), seq: try reader.required(seq, "seq"))
    }
}

extension LabelsRecord.Label {
    init(reading reader: inout JSONReader) throws {
        var label: String?, score: Double?, evidence: [LabelsRecord.Evidence]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "label": label = try reader.string()
            case "score": score = try reader.double()
            case "evidence": evidence = try reader.objects { try LabelsRecord.Evidence(reading: &$0) }
            default: try reader.skipValue()
            }
        }
        self.init(
            label: try reader.required(label, "label"), score: try reader.required(score, "score"),
            evidence: try reader.required(evidence, "evidence"))
    }
}

extension LabelsRecord.Evidence {
    init(reading reader: inout JSONReader) throws {
        var text: String?, weight: Double?
        var place = PlaceReading()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if try place.read(key, from: &reader) { continue }
            switch key {
            case "text": text = try reader.string()
            case "weight": weight = try reader.double()
            default: try reader.skipValue()
            }
        }
        self.init(
            text: try reader.required(text, "text"), field: try reader.required(place.field, "field"), paragraph: place.paragraph,
            start: try reader.required(place.start, "start"), end: try reader.required(place.end, "end"),
            weight: try reader.required(weight, "weight"))
    }
}

extension JSONReader {
    /// `[{…},{…}]`, each element read by `element`.
    public mutating func objects<Element>(_ element: (inout JSONReader) throws -> Element) throws -> [Element] {
        var values: [Element] = []
        try beginArray()
        while try nextElement() { values.append(try element(&self)) }
        return values
    }

    /// `value`, or a failure naming the key the record lacks.
    public func required<Value>(_ value: Value?, _ key: String) throws -> Value {
        guard let value else { throw missing(key) }
        return value
    }
}
