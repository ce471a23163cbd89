import ArticleParsing
import EntityLinking
import Testing

@Suite struct DecodingTests {
    let parser = Fixtures.parser
    let article = "عنوان الخبر الرئيسي هنا\n\nفقرة أولى من نص الخبر عن قوات سوريا الديمقراطية.\n"

    @Test func utf8WithAndWithoutBOM() throws {
        #expect(try parser.parse(bytes: Array(article.utf8)).title == "عنوان الخبر الرئيسي هنا")
        #expect(try parser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array(article.utf8)).title == "عنوان الخبر الرئيسي هنا")
    }

    @Test func utf16WithBOMInBothByteOrders() throws {
        let units = Array(article.utf16)
        let little: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try parser.parse(bytes: little).encoding == "utf-16le")
        #expect(try parser.parse(bytes: big).paragraphs == ["فقرة أولى من نص الخبر عن قوات سوريا الديمقراطية."])
    }

    @Test func emptyAndBlankFilesAreRefused() {
        #expect(throws: ParseFailure.empty) { try parser.parse(bytes: []) }
        #expect(throws: ParseFailure.empty) { try parser.parse(bytes: Array(" \n\n\t \n".utf8)) }
    }

    @Test func binaryDataIsRefused() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        #expect(throws: ParseFailure.binary) { try parser.parse(bytes: png) }
    }

    @Test func invalidUTF8AndTruncatedUTF16AreRefusedWithWhere() throws {
        let error = try #require(throws: ParseFailure.self) { try parser.parse(bytes: Array("عنوان".utf8) + [0xC3, 0x28]) }
        #expect(error == .undecodable("invalid UTF-8 at byte 10"))
        #expect(throws: ParseFailure.undecodable("UTF-16 text with an odd number of bytes (truncated)")) {
            try parser.parse(bytes: [0xFF, 0xFE, 0x41, 0x00, 0x42])
        }
    }

    @Test func aFileOfOneWordLinesHasNoTitle() {
        #expect(throws: ParseFailure.noTitle) { try parser.parse(bytes: Array("Facebook\nمرحبا\n".utf8)) }
    }
}

@Suite struct StructureTests {
    let parser = Fixtures.parser

    @Test func shortLinesBetweenParagraphsAreSubheadingsNotParagraphs() throws {
        let text = """
            عنوان طويل بما يكفي ليكون عنوانا
            الفقرة الأولى تتحدث عن الانسحاب الأمريكي من العراق وتفاصيله.
            موقف بغداد
            الفقرة الثانية تتحدث عن موقف الحكومة العراقية من الاتفاق.
            """
        let article = try parser.parse(text: text)
        #expect(article.paragraphs.count == 2)
        #expect(article.subheadings.map(\.text) == ["موقف بغداد"])
        #expect(article.subheadings.map(\.beforeParagraph) == [1])
    }

    @Test func markersMatchWhateverTheirSpelling() throws {
        let text = "عنوان الخبر الرئيسي هنا\nفقرة أولى من نص الخبر.\nاقرأ ايضا\nعنوان قصة أخرى\nفقرة القصة الأخرى.\n"
        let article = try parser.parse(text: text)
        #expect(article.paragraphs == ["فقرة أولى من نص الخبر."])
        #expect(article.related.first?.title == "عنوان قصة أخرى")
    }

    @Test func anOutletLabelInsideASentenceIsNotAnOutletLine() throws {
        let text = "عنوان الخبر الرئيسي هنا\nالمصدر الذي تحدث إلى الصحيفة قال إن الاجتماع انتهى دون اتفاق بين الطرفين وأن المحادثات ستستمر.\n"
        let article = try parser.parse(text: text)
        #expect(article.outlet == nil)
        #expect(article.paragraphs.count == 1)
    }
}

@Suite struct EntityLinkerTests {
    let linker = EntityLinker(gazetteer: Fixtures.gazetteer)

    func ids(_ text: String) -> [String] { linker.mentions(in: text).map(\.entityID) }

    @Test func procliticsReachTheirEntity() {
        #expect(ids("لداعش") == ["org.isis"])
        #expect(ids("بالعراق") == ["loc.iraq"])
        #expect(ids("وللتحالف الدولي") == ["org.global-coalition"])
        #expect(ids("والبنتاغون") == ["org.pentagon"])
    }

    @Test func spellingVariantsShareOneID() {
        #expect(ids("البنتاغون") == ids("البنتاجون"))
        #expect(ids("أمريكا") == ids("أميركا"))
        #expect(ids("سوريا") == ["loc.syria"])
        #expect(ids("سوریا") == ["loc.syria"])
        #expect(ids("قسد") == ["org.sdf"])
    }

    @Test func theLongestNameWins() {
        #expect(ids("قاعدة عين الأسد") == ["fac.ain-al-asad"])
        #expect(ids("ماهر الأسد") == ["per.maher-al-assad"])
        #expect(ids("كتائب حزب الله") == ["org.kataib-hezbollah"])
        #expect(ids("حزب الله") == ["org.hezbollah"])
        #expect(ids("داعش خراسان") == ["org.isis-k"])
        #expect(ids("تنظيم الدولة") == ["org.isis"])
    }

    @Test func mentionOffsetsLeaveTheProcliticOutAndKeepDiacritics() {
        let text = "وأكَّد لداعشَ"
        let mention = linker.mentions(in: text)[0]
        #expect(mention.text == "داعشَ")
        #expect(mention.range == 8..<13)
    }

    @Test func theShippedGazetteerIsLargeAndEveryIdIsWellFormed() {
        #expect(Fixtures.gazetteer.entities.count >= 150)
        for entity in Fixtures.gazetteer.entities {
            #expect(entity.id.hasPrefix(entity.kind.rawValue + "."))
            #expect(!entity.nameArabic.isEmpty && !entity.nameEnglish.isEmpty)
        }
    }
}

@Suite struct JSONDateTests {
    let parser = ArticleParser(lines: Fixtures.parser)

    func published(_ date: String) throws -> String? {
        let json = #"{"title": "عنوان خبر بتاريخ رقمي عن العراق", "body": "فقرة عن الحكومة العراقية.", "date": "# + date + "}"
        return try parser.parse(bytes: Array(json.utf8), format: .json, reference: nil).published?.date.iso
    }

    @Test func unixSecondsAndMillisecondsAreDates() throws {
        #expect(try published("1706140800") == "2024-01-25")
        #expect(try published("1706140800000") == "2024-01-25")
    }

    @Test func anImplausibleYearIsNoDate() throws {
        // Milliseconds read as seconds would be the year 56,000; seconds of the year 5000 likewise.
        #expect(try published("99999999999") == nil)
        #expect(try published("999999999999999") == nil)
        #expect(try published("1e300") == nil)
    }
}
