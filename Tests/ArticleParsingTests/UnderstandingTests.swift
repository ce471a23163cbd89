import ArabicText
import ArticleParsing
import EntityLinking
import Foundation
import MarsadRecord
import Testing

/// Dates, outlets, cited sources, unlinked people and context rules on real Arabic text.
@Suite struct UnderstandingTests {
    /// 2024-11-19 (a Tuesday), as a reception time.
    static let reference = 1_732_000_000

    func record(_ text: String, name: String = "a.txt", received: Int = UnderstandingTests.reference) throws -> ArticleRecord {
        try Fixtures.builder.record(
            for: SourceFile(name: name, bytes: Array(text.utf8), receivedAt: Date(timeIntervalSince1970: TimeInterval(received))))
    }

    @Test func weekdayAndDayWithoutAYearTakeTheLatestMatchingYear() throws {
        let seed = try Fixtures.seed("004")
        #expect(seed.published?.date == "2024-01-25")
        #expect(seed.published?.basis == "weekday-inferred")
        // Received in 2026, «الخميس 25 من كانون الثاني» is still 2024's (2025 and 2026 are not Thursdays).
        let later = try record(
            "عنوان عن محادثات بغداد وواشنطن\nوقال الوزير، الخميس 25 من كانون الثاني، إن المحادثات مستمرة.\n", received: 1_780_000_000)
        #expect(later.published?.date == "2024-01-25")
    }

    @Test(arguments: [
        ("الأحد، ١٤ كانون الثاني ٢٠٢٤", "2024-01-14"), ("12 كانون الأول/ديسمبر 2023", "2023-12-12"), ("2024-05-03 10:15", "2024-05-03"),
        ("03/05/2024", "2024-05-03"), ("نُشر في 5 أيار 2024 - 10:30 ص", "2024-05-05"), ("March 12, 2024", "2024-03-12"),
        ("منذ ساعتين", "2024-11-19"), ("أمس 21:40", "2024-11-18"), ("منذ 3 أيام", "2024-11-16"),
    ])
    func dateLinesInEveryCommonForm(line: String, iso: String) throws {
        let article = try record("عنوان الخبر عن قوات سوريا الديمقراطية\n\(line)\nفقرة أولى من الخبر عن الوضع في الحسكة.\n")
        #expect(article.published?.date == iso, "«\(line)»")
        #expect(article.removed.contains { $0.kind == "date_line" && $0.text == line })
    }

    @Test func aDateQuotedFromAnEarlierEventIsNotThePublicationDate() throws {
        let article = try record(
            "عنوان عن ذكرى الهجوم على القاعدة\nوقال المسؤول إن الهجوم الذي وقع في 7 تشرين الأول 2023 ما زال حاضرا.\nفقرة ثانية.\n")
        #expect(article.published == nil)
    }

    @Test func outletsFromBylinesDatelinesAndHeaders() throws {
        let byline = try record("هجوم على حاجز في ريف دير الزور الشرقي\nدير الزور - نورث برس\nقتل عنصران في هجوم ليلي على حاجز.\n")
        #expect(byline.outlet?.name == "نورث برس")
        let wire = try record("زلزال يضرب شمال سوريا وجنوب تركيا\nجنديرس (سوريا) (أ ف ب) - يواصل عمال الإنقاذ البحث عن ناجين.\n")
        #expect(wire.outlet?.name == "أ ف ب")
        #expect(wire.outlet?.basis == "dateline")
        #expect(wire.outlet?.id == "org.afp")
        let agencies = try record("عنوان خبر عن مسقط والمحادثات النووية\nفقرة أولى عن المحادثات.\nالمصدر: الجزيرة + وكالات\n")
        #expect(agencies.outlet?.name == "الجزيرة")
    }

    @Test func citedSourcesAreLinkedAndTheOutletIsNotOneOfThem() throws {
        let article = try record(
            "عنوان عن مقتل عناصر من داعش في الأنبار\nالمصدر: شفق نيوز\nوحسب الأناضول، قتل ثلاثة عناصر، فيما نقلت صحيفة \"ذا ناشيونال\" عن مصدر أمني أن العملية مستمرة، وقال مصدر لشفق نيوز إن القوات تقدمت.\n"
        )
        let ids = article.citedSources.map(\.id)
        #expect(ids.contains("org.anadolu"))
        #expect(article.citedSources.contains { $0.id == nil && $0.name == "ذا ناشيونال" })
        #expect(!ids.contains("org.shafaq-news"))
    }

    @Test func anUnknownPersonAfterATitleIsACandidateWithTheTitle() throws {
        let article = try record(
            "عنوان عن الأمن في الحسكة\nوقال المتحدث باسم قوى الأمن الداخلي سامر حداد، إن الحملة مستمرة، فيما أكد وزير الدفاع الأمريكي لويد أوستن دعم بلاده.\n"
        )
        #expect(article.candidates.map(\.name) == ["سامر حداد"])
        let candidate = try #require(article.candidates.first)
        #expect(candidate.title.hasPrefix("المتحدث باسم"))
        let scalars = Array(article.paragraphs[candidate.paragraph!].unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[candidate.start..<candidate.end])) == "سامر حداد")
    }

    @Test func weakNamesNeedTheEntityOrItsContext() throws {
        let lion = try record("عنوان عن حديقة الحيوان في المدينة\nحصل الأسد على حصة الأسد من الطعام في الحديقة.\n")
        #expect(!lion.entityIDs.contains("per.bashar-al-assad"))
        let president = try record("عنوان عن الرئيس السوري بشار الأسد\nوقال الأسد في كلمة إن الحكومة مستمرة.\n")
        #expect(president.entities.first { $0.id == "per.bashar-al-assad" }?.count == 2)
        let iraqi = try record("عنوان عن الجيش العراقي في نينوى\nوقالت الفرقة الرابعة في الجيش العراقي إنها أنهت عملياتها.\n")
        #expect(!iraqi.entityIDs.contains("org.fourth-division"))
    }

    @Test func aSubheadingGluedToAParagraphIsSplitOff() throws {
        let seed = try Fixtures.seed("003")
        #expect(seed.subheadings.contains { $0.text == "شراكات أمنية ثنائية" })
        #expect(!seed.paragraphs.contains { $0.hasSuffix("شراكات أمنية ثنائية") })
    }

    @Test func sectionMenusAboveTheHeadlineAreNotTheTitle() throws {
        let article = try record(
            "الرئيسية\nعرب وعالم\nسياسة | اقتصاد | رياضة\nإسرائيل تشن غارات على مواقع في ريف دمشق\nفقرة أولى عن الغارات الإسرائيلية على ريف دمشق.\n")
        #expect(article.title == "إسرائيل تشن غارات على مواقع في ريف دمشق")
        #expect(article.removed.contains { $0.kind == "section" && $0.text == "عرب وعالم" })
    }

    @Test func windows1256IsDetectedAndBrokenUTF8IsNot() throws {
        let legacy = try Fixtures.parser.parse(
            bytes: Array(FileManager.default.contents(atPath: Fixtures.path("Tests/Fixtures/formats/legacy-windows-1256.txt"))!))
        #expect(legacy.encoding == "windows-1256")
        #expect(legacy.title == "أنقرة تعلن تمديد العملية العسكرية في شمال العراق")
        // UTF-8 Arabic with one bad byte is still invalid UTF-8, not a legacy page.
        #expect(throws: ParseFailure.self) { try Fixtures.parser.parse(bytes: Array("عنوان الخبر عن العراق وسوريا".utf8) + [0xD8]) }
    }
}

/// Inputs the fuzzer (scripts/fuzz.sh) once crashed the parser with, kept as regressions.
@Suite struct FuzzRegressionTests {
    @Test func everyFuzzCrashInputParsesOrFailsCleanlyInEveryFormat() throws {
        let directory = Fixtures.path("Tests/Fixtures/fuzz")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("crash-") }
        #expect(!names.isEmpty)
        for name in names {
            let bytes = Array(FileManager.default.contents(atPath: directory + "/" + name)!)
            for ext in ["txt", "html", "json", "jsonl"] {
                // A crash would end the test process; a ParseFailure is a clean answer.
                _ = try? Fixtures.builder.records(for: SourceFile(name: "input." + ext, bytes: bytes, receivedAt: Date()))
            }
        }
    }
}
