import Foundation
import MarsadRecord
import Testing

/// What the issue pins for the five seed articles.
@Suite struct SeedGoldenTests {
    static let furniture = [
        "Facebook", "WhatsApp", "Telegram", "مقالات ذات صلة", "زر الذهاب إلى الأعلى", "اترك تعليقاً", "لن يتم نشر عنوان بريدك",
        "شاهد أيضاً", "إقرأ أيضاً", "كلمات دلالية", "تابع أحدث الأخبار", "المصدر:", "تاريخ النشر",
    ]

    @Test(arguments: ["000", "001", "002", "003", "004"])
    func paragraphsHoldNoSiteFurniture(seed: String) throws {
        let record = try Fixtures.seed(seed)
        for paragraph in record.paragraphs {
            for marker in Self.furniture { #expect(!paragraph.contains(marker), "seed \(seed): «\(marker)» in «\(paragraph.prefix(60))»") }
        }
        #expect(record.paragraphs.count >= 8)
        #expect(record.lang == "ar")
        #expect(record.encoding == "utf-8")
    }

    @Test(arguments: ["000", "001", "002", "003", "004"])
    func noRemovedLineIsInTheBody(seed: String) throws {
        let record = try Fixtures.seed(seed)
        for removed in record.removed where removed.text.count > 3 {
            #expect(!record.paragraphs.contains(removed.text), "seed \(seed): removed «\(removed.text.prefix(60))» (\(removed.kind)) is a paragraph")
            #expect(record.title != removed.text)
        }
        // Related stories are not body either.
        for story in record.related {
            for paragraph in story.paragraphs { #expect(!record.paragraphs.contains(paragraph)) }
            if let title = story.title { #expect(!record.paragraphs.contains(title)) }
        }
    }

    @Test func titlesAreTheRealHeadlines() throws {
        #expect(try Fixtures.seed("000").title == "البنتاغون: الاتفاقية الجديدة بين الأسد وطهران لن تؤثر على جهود محاربة داعش")
        #expect(try Fixtures.seed("001").title == "البنتاجون: لم نتلقَ طلبًا روسيًّا لتنفيذ غارات مشتركة ضد “داعش”")
        #expect(try Fixtures.seed("002").title == "الخارجية الأمريكية لـ SY24: ملتزمون بالوجود المحدود في سوريا")
        #expect(try Fixtures.seed("003").title.hasPrefix("أمريكا تقرر بقاء قوتها العسكرية فى سوريا حتى سبتمبر 2026"))
        let seed004 = try Fixtures.seed("004")
        #expect(seed004.title == "“البنتاجون”: محادثاتنا مع العراق لا تتطرق للانسحاب العسكري")
        #expect(seed004.removed.contains { $0.kind == "navigation" && $0.text == "اخر الاخبار" })
    }

    @Test func seed003HasItsDateOutletAndTheGluedStorySplitOff() throws {
        let record = try Fixtures.seed("003")
        #expect(record.published?.date == "2024-10-26")
        #expect(record.published?.precision == "day")
        #expect(record.published?.basis == "explicit-line")
        #expect(record.outlet?.name == "البوابة نيوز")
        #expect(record.outlet?.basis == "source-line")
        #expect(record.related.count == 1)
        #expect(record.related[0].title?.hasPrefix("العراق يسلم العمليات العسكرية السورية") == true)
        #expect(!record.bodyText.contains("1900 جندي"))
        #expect(record.subheadings.contains { $0.text == "مسيرات عراقية" })
        #expect(record.removed.contains { $0.kind == "keywords" })
    }

    @Test func seed004OutletAndSubheading() throws {
        let record = try Fixtures.seed("004")
        #expect(record.outlet?.name == "عنب بلدي")
        #expect(record.subheadings.contains { $0.text == "مطالب سببها التصعيد" })
        #expect(record.removed.contains { $0.kind == "comment_form" })
    }

    @Test func seed002BylineNamesTheOutletAndShareButtonsAreCut() throws {
        let record = try Fixtures.seed("002")
        #expect(record.outlet?.name == "SY24")
        #expect(record.outlet?.basis == "byline")
        #expect(record.removed.filter { $0.kind == "share" }.map(\.text) == ["Facebook", "WhatsApp", "Telegram"])
    }

    @Test func seed001TeaserAfterSeeAlsoIsRelatedNotBody() throws {
        let record = try Fixtures.seed("001")
        #expect(record.related.first?.title?.hasPrefix("ألاف المتظاهرين") == true)
        #expect(!record.bodyText.contains("المتظاهرين"))
    }

    @Test func seed000Entities() throws {
        let record = try Fixtures.seed("000")
        #expect(record.entityIDs.isSuperset(of: ["org.pentagon", "org.isis", "loc.iran", "loc.syria", "fac.al-tanf"]))
        #expect(record.mentionTexts(of: "org.pentagon").contains("البنتاغون"))
    }

    @Test func seed001EntitiesShareThePentagonIdWithSeed000() throws {
        let record = try Fixtures.seed("001")
        #expect(record.entityIDs.isSuperset(of: ["org.pentagon", "loc.russia", "per.sergei-shoigu", "org.al-nusra"]))
        #expect(record.mentionTexts(of: "org.pentagon").contains("البنتاجون"))
    }

    @Test func seed002Entities() throws {
        let record = try Fixtures.seed("002")
        #expect(record.entityIDs.contains("org.sdf"))
        #expect(record.entityIDs.contains("misc.unscr-2254") || record.entityIDs.contains("org.un"))
        #expect(record.entityIDs.contains("org.ina"))
    }

    @Test func seed004HasAinAlAsadButNotBasharAlAssad() throws {
        let record = try Fixtures.seed("004")
        #expect(record.entityIDs.contains("fac.ain-al-asad"))
        #expect(record.entityIDs.contains("org.kataib-hezbollah"))
        #expect(!record.entityIDs.contains("per.bashar-al-assad"))
        #expect(!record.entityIDs.contains("org.hezbollah"))
        #expect(record.entityIDs.contains("org.sdf"))
        #expect(record.mentionTexts(of: "org.sdf").contains("قسد"))
    }

    @Test(arguments: ["000", "001", "002", "003", "004"])
    func everyMentionIsTheTextAtItsOffsets(seed: String) throws {
        let record = try Fixtures.seed(seed)
        for entity in record.entities {
            #expect(entity.count == entity.mentions.count)
            for mention in entity.mentions {
                let source = mention.field == "title" ? record.title : record.paragraphs[mention.paragraph!]
                let scalars = Array(source.unicodeScalars)
                let slice = String(String.UnicodeScalarView(scalars[mention.start..<mention.end]))
                #expect(slice == mention.text)
            }
        }
    }

    @Test func recordIdentityIgnoresTheFileAndSpellingOfDiacritics() throws {
        let record = try Fixtures.seed("000")
        let again = RecordBuilder.identity(
            title: record.title.replacingOccurrences(of: "أ", with: "ا"),
            paragraphs: record.paragraphs)
        #expect(record.id == again)
        #expect(record.id.count == 32)
        #expect(record.id != (try Fixtures.seed("001").id))
    }

    @Test func recordJSONRoundTripsAndKeepsNulls() throws {
        let record = try Fixtures.seed("000")
        let data = record.jsonData()
        #expect(try ArticleRecord.decode(data) == record)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["schema"] as? String == "marsad.article/1")
        #expect(object.keys.contains("published"))
        #expect(object["published"] is NSNull)
    }

    /// `jsonData()` (the hand-written writer) says what `JSONEncoder` says, for every seed and for
    /// strings with every character JSON escapes.
    @Test func theRecordWriterAgreesWithJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        func canonical(_ data: Data) throws -> Data {
            try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: [.sortedKeys, .withoutEscapingSlashes])
        }
        var records = try ["000", "001", "002", "003", "004"].map { try Fixtures.seed($0) }
        var tricky = records[0]
        var controls = ""
        for value in 0..<0x80 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        tricky.title = controls + "\u{2028}\u{FEFF}«عنوان» \"quoted\" back\\slash / 🇸🇾"
        tricky.url = nil
        tricky.paragraphs.append("")
        records.append(tricky)
        for record in records {
            let written = record.jsonData()
            #expect(try ArticleRecord.decode(written) == record)
            #expect(try canonical(written) == (try canonical(try encoder.encode(record))))
            // Keys in schema order, compact.
            #expect(String(decoding: written.prefix(40), as: UTF8.self).hasPrefix(#"{"schema":"marsad.article/1","id":""#))
        }
        // Escapes byte for byte as JSONEncoder writes them.
        struct Text: Encodable { let title: String }
        let expected = String(decoding: try encoder.encode(Text(title: tricky.title)), as: UTF8.self)
        let written = String(decoding: tricky.jsonData(), as: UTF8.self)
        #expect(written.contains(String(expected.dropFirst(#"{"title":"#.count).dropLast())))

        let labels = [
            LabelsRecord.Label(
                label: "ASSAULT", score: 0.875,
                evidence: [LabelsRecord.Evidence(text: "قصف \"مدفعي\"", field: "paragraph", paragraph: 2, start: 10, end: 20, weight: 1.0)]),
            LabelsRecord.Label(
                label: "PROTEST", score: 1,
                evidence: [LabelsRecord.Evidence(text: "x", field: "title", paragraph: nil, start: 0, end: 1, weight: 0.07)]),
        ]
        let source = LabelsRecord.Source(stream: "articles", epoch: 1_732_000_000, seq: 42)
        let labelled = try LabelsRecord.jsonData(
            id: records[3].id, source: source, labels: labels, classifiedAt: "2026-11-23T04:00:00Z", articleJSON: records[3].jsonData())
        let whole = LabelsRecord(id: records[3].id, source: source, labels: labels, classifiedAt: "2026-11-23T04:00:00Z", article: records[3])
        #expect(try LabelsRecord.decode(labelled) == whole)
        #expect(try canonical(labelled) == (try canonical(try encoder.encode(whole))))
        #expect(try LabelsRecord.split(labelled).labels == labels)
    }

    @Test func aLabelsRecordDecodedWithoutMentionsKeepsEverythingElse() throws {
        let article = try Fixtures.seed("003")
        #expect(article.entities.contains { !$0.mentions.isEmpty })
        let source = LabelsRecord.Source(stream: "articles", epoch: 1, seq: 7)
        let data = try LabelsRecord.jsonData(id: article.id, source: source, labels: [], classifiedAt: "now", articleJSON: article.jsonData())
        let light = try LabelsRecord.decodeWithoutMentions(data)
        #expect(light.article.entities.map(\.id) == article.entities.map(\.id))
        #expect(light.article.entities.map(\.count) == article.entities.map(\.count))
        #expect(light.article.entities.allSatisfy { $0.mentions.isEmpty })
        var expected = article
        for index in expected.entities.indices { expected.entities[index].mentions = [] }
        #expect(light.article == expected)
        #expect(try LabelsRecord.decode(data).article == article)
    }
}
