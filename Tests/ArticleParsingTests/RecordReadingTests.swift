import Foundation
import MarsadRecord
import Testing

/// `JSONReader` and the records' hand-written reading, against `JSONDecoder` and the
/// `Decodable` conformances: the same values from the same JSON, the same JSON refused.
@Suite struct RecordReadingTests {
    static let seeds = ["000", "001", "002", "003", "004"]

    /// Pretty-printed, keys sorted, slashes escaped: a layout `JSONWriter` never writes.
    static let foreignEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    static func labels(for record: ArticleRecord) -> [LabelsRecord.Label] {
        [
            LabelsRecord.Label(
                label: "force_withdrawal", score: 0.8125,
                evidence: [
                    LabelsRecord.Evidence(
                        text: record.title, field: "title", paragraph: nil, start: 0, end: record.title.unicodeScalars.count, weight: 1.5),
                    LabelsRecord.Evidence(text: "انسحاب «القوات»", field: "paragraph", paragraph: 1, start: 3, end: 17, weight: 0.25),
                ]),
            LabelsRecord.Label(label: "protest", score: 1, evidence: []),
        ]
    }

    @Test(arguments: seeds)
    func articleRecordsReadAsJSONDecoderReadsThem(seed: String) throws {
        let record = try Fixtures.seed(seed)
        for data in [record.jsonData(), try Self.foreignEncoder.encode(record)] {
            let read = try ArticleRecord.decode(data)
            #expect(read == (try JSONDecoder().decode(ArticleRecord.self, from: data)))
            #expect(read == record)
            var withoutMentions = record
            for index in withoutMentions.entities.indices { withoutMentions.entities[index].mentions = [] }
            #expect(try ArticleRecord.decodeWithoutMentions(data) == withoutMentions)
        }
    }

    @Test(arguments: seeds)
    func labelsRecordsReadWholeAndSplit(seed: String) throws {
        let article = try Fixtures.seed(seed)
        let labels = Self.labels(for: article)
        let source = LabelsRecord.Source(stream: "articles", epoch: 1_732_000_000, seq: 9_007_199_254_740_993)
        let whole = LabelsRecord(id: article.id, source: source, labels: labels, classifiedAt: "2026-11-23T07:00:00Z", article: article)
        let written = try LabelsRecord.jsonData(
            id: article.id, source: source, labels: labels, classifiedAt: whole.classifiedAt, articleJSON: article.jsonData())
        let foreign = try Self.foreignEncoder.encode(whole)
        for data in [written, foreign] {
            #expect(try LabelsRecord.decode(data) == whole)
            #expect(try LabelsRecord.decode(data) == (try JSONDecoder().decode(LabelsRecord.self, from: data)))
            // The article is not last in the sorted layout: split still finds it, as written.
            let split = try LabelsRecord.split(data)
            #expect(split.labels == labels)
            #expect(try ArticleRecord.decode(split.articleJSON) == article)
        }
        #expect(try LabelsRecord.split(written).articleJSON == (article.jsonData()))
    }

    @Test func theTextOfARecordIsReadAlone() throws {
        let record = try Fixtures.seed("002")
        let text = try ArticleRecord.Text.decode(record.jsonData())
        #expect(text.id == record.id)
        #expect(text.title == record.title)
        #expect(text.paragraphs == record.paragraphs)
        #expect(throws: (any Error).self) {
            try ArticleRecord.Text.decode(Data(#"{"schema":"marsad.labels/1","id":"x","title":"t","paragraphs":[]}"#.utf8))
        }
    }

    @Test func recordsFromBeforeCitedSourcesAndCandidatesRead() throws {
        let record = try Fixtures.seed("001")
        var object = try JSONSerialization.jsonObject(with: record.jsonData()) as! [String: Any]
        object["cited_sources"] = nil
        object["candidates"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        let read = try ArticleRecord.decode(old)
        #expect(read.citedSources.isEmpty && read.candidates.isEmpty)
        #expect(read == (try JSONDecoder().decode(ArticleRecord.self, from: old)))
    }

    struct Probe: Decodable, Equatable {
        let text: String
        let number: Double
        let count: Int
        let list: [String]
    }

    func readProbe(_ json: String) throws -> Probe {
        try JSONReader.read(Data(json.utf8)) { reader in
            var text: String?, number: Double?, count: Int?, list: [String]?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "text": text = try reader.string()
                case "number": number = try reader.double()
                case "count": count = try reader.int()
                case "list": list = try reader.strings()
                default: try reader.skipValue()
                }
            }
            return Probe(
                text: try reader.required(text, "text"), number: try reader.required(number, "number"), count: try reader.required(count, "count"),
                list: try reader.required(list, "list"))
        }
    }

    @Test(arguments: [
        #"{"text":"\u0645\u0631\u0635\u062F \ud83c\uddf8\ud83c\uddfe \/ \"q\" \\ \b\f\n\r\t\u0000","number":-1.25e3,"count":-42,"list":[]}"#,
        #" { "skip" : { "a" : [ 1 , 2.5 , true , false , null , { } , [ ] , "x\"y" ] } , "text" : "مرصد" , "number" : 0 , "count" : 9223372036854775807 , "list" : [ "أ" , "ب" ] } "#,
        #"{"skip":["\\", "a\"\\\"", "\\\\\""],"text":"t","number":1,"count":1,"list":[]}"#,
        #"{"text":"","number":1E-7,"count":0,"list":["\u00e9","e\u0301"],"text2":"ignored"}"#,
    ])
    func valuesReadAsJSONDecoderReadsThem(json: String) throws {
        #expect(try readProbe(json) == (try JSONDecoder().decode(Probe.self, from: Data(json.utf8))))
    }

    @Test(arguments: [
        #"{"text":"x","number":1,"count":1,"list":[]"#,  // no closing brace
        #"{"text":"x","number":1,"count":1}"#,  // a key missing
        #"{"text":"x" "number":1,"count":1,"list":[]}"#,  // no comma
        #"{"text":"\ud83c","number":1,"count":1,"list":[]}"#,  // a lone surrogate
        #"{"text":"\q","number":1,"count":1,"list":[]}"#,  // an invalid escape
        #"{"text":"x","number":1,"count":1.5,"list":[]}"#,  // not an integer
        #"{"text":"x","number":1,"count":99999999999999999999,"list":[]}"#,  // too large
        #"{"text":"x","number":1,"count":1,"list":[]} {}"#,  // content after the value
        "{\"text\":\"a\tb\",\"number\":1,\"count\":1,\"list\":[]}",  // a raw tab in a string
        #"{"text":7,"number":1,"count":1,"list":[]}"#,  // the wrong type
    ])
    func invalidJSONIsRefusedAsJSONDecoderRefusesIt(json: String) throws {
        #expect(throws: JSONReader.Failure.self) { try readProbe(json) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Probe.self, from: Data(json.utf8)) }
    }

    /// Skipping recurses into containers: a record nested without end is refused, not a crash.
    @Test func deepNestingIsRefusedWhereItIsSkipped() throws {
        let deep =
            #"{"text":"x","number":1,"count":1,"list":[],"skip":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            + "}"
        let failure = #expect(throws: JSONReader.Failure.self) { try readProbe(deep) }
        #expect(failure?.reason == "nested more than 512 deep")
        let fine =
            #"{"text":"x","number":1,"count":1,"list":[],"skip":"# + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        #expect(try readProbe(fine).text == "x")
    }

    /// `JSONDecoder` lets a trailing comma pass; `JSONWriter` never writes one, and JSON has none.
    @Test func aTrailingCommaIsRefused() throws {
        #expect(throws: JSONReader.Failure.self) { try readProbe(#"{"text":"x","number":1,"count":1,"list":[],}"#) }
        #expect(throws: JSONReader.Failure.self) { try readProbe(#"{"text":"x","number":1,"count":1,"list":["a",]}"#) }
    }

    @Test func failuresSayWhereAndWhat() throws {
        var bytes = Array(#"{"text":"ok","number":1,"count":1,"list":["#.utf8)
        bytes += [0x22, 0xFF, 0xFE, 0x22, 0x5D, 0x7D]  // "\xFF\xFE"]}
        let invalid = Data(bytes)
        do {
            _ = try JSONReader.read(invalid) { reader in
                try reader.beginObject()
                while try reader.nextKey() != nil { try reader.skipValue() }
            }
        } catch {
            Issue.record("skipping does not read strings: \(error)")
        }
        let failure = #expect(throws: JSONReader.Failure.self) {
            _ = try JSONReader.read(invalid) { reader in
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "list" { _ = try reader.strings() } else { try reader.skipValue() }
                }
            }
        }
        #expect(failure?.offset == bytes.count - 5)
        #expect(failure?.description == "invalid JSON at byte \(bytes.count - 5): a string is not valid UTF-8")
        let missing = #expect(throws: JSONReader.Failure.self) { try readProbe(#"{"text":"x","number":1,"list":[]}"#) }
        #expect(missing?.reason == #"missing key "count""#)
    }
}
